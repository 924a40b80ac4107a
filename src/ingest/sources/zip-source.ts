import yauzl from 'yauzl';
import { MedsrError, toMedsrError } from '../../shared/errors';
import type { ReadLimits } from '../types';

/** One entry of an archive: its bytes, or why it was refused. */
export type ZipItem = { entry: string; bytes: Uint8Array } | { entry: string; error: MedsrError };

/** Bytes inflated before the compression ratio is judged: small entries compress freely. */
const RATIO_GRACE_BYTES = 1024 * 1024;
/** The same for a whole archive: a few highly compressible files are no bomb. */
const ARCHIVE_RATIO_GRACE_BYTES = 256 * 1024 * 1024;

/**
 * Streams a zip archive entry by entry: the central directory is read from the end of the file
 * and each entry is inflated only when asked for, so a 5 GB archive costs one entry of memory.
 * Declared sizes are judged before inflating (checkDeclaredSizes), and sizes are counted again
 * while inflating, so a zip bomb stops at the limit whatever its headers say. Encrypted entries, symlinks and names that escape the archive (`../`, absolute) are
 * refused one by one; the other entries are still read.
 */
/** What the archives of one read (one upload, one batch) have inflated so far, shared across them. */
export interface ArchiveBudget {
  inflated: number;
  entries: number;
}

export function newArchiveBudget(): ArchiveBudget {
  return { inflated: 0, entries: 0 };
}

export async function* readZipEntries(path: string, limits: ReadLimits, budget: ArchiveBudget = newArchiveBudget()): AsyncGenerator<ZipItem> {
  const zip = await openZip(path);
  try {
    if (zip.entryCount + budget.entries > limits.maxArchiveEntries) {
      throw new MedsrError('too_large', 'zip.too_many_entries', `archive lists ${zip.entryCount} entries, more than the limit of ${limits.maxArchiveEntries}${budget.entries ? ` (with ${budget.entries} read already)` : ''}`, { file: path, scope: 'archive' });
    }
    // the whole central directory first: an archive over budget is refused before any inflating
    const entries: yauzl.Entry[] = [];
    for (let entry = await nextEntry(zip); entry; entry = await nextEntry(zip)) {
      entries.push(entry);
      if (entries.length + budget.entries > limits.maxArchiveEntries) {
        throw new MedsrError('too_large', 'zip.too_many_entries', `archive holds more than ${limits.maxArchiveEntries} entries`, { file: path, scope: 'archive' });
      }
    }
    checkDeclaredSizes(entries, zip, path, limits, budget);
    budget.entries += entries.length;
    for (const entry of entries) {
      const name = entryName(entry);
      if (name.endsWith('/')) continue; // a folder
      const refusal = refuse(entry, name, path);
      if (refusal) {
        yield { entry: name, error: refusal };
        continue;
      }
      try {
        yield { entry: name, bytes: await readEntry(zip, entry, name, path, limits, budget) };
      } catch (err) {
        const error = err instanceof MedsrError ? err : new MedsrError('invalid_input', 'zip.corrupt_entry', `cannot inflate entry: ${(err as Error).message}`, { file: `${path}!${name}` });
        // the archive as a whole is over budget: stop reading it
        if (error.code === 'zip.bomb' && error.details.scope === 'archive') throw error;
        yield { entry: name, error };
      }
    }
  } finally {
    zip.close();
  }
}

/**
 * The sizes the central directory declares, judged before anything is inflated: yauzl checks
 * each entry against its declared size while inflating (validateEntrySizes), so an entry cannot
 * inflate past them unnoticed. Thousands of small, highly compressed entries (5,000 x 1 MiB of
 * zeros in 5.6 MB) are a bomb as a whole even though no single entry is.
 */
function checkDeclaredSizes(entries: yauzl.Entry[], zip: yauzl.ZipFile, path: string, limits: ReadLimits, budget: ArchiveBudget): void {
  const declared = entries.reduce((sum, e) => sum + e.uncompressedSize, 0);
  if (budget.inflated + declared > limits.maxArchiveBytes) {
    throw new MedsrError('too_large', 'zip.bomb', `archive declares ${declared} inflated bytes${budget.inflated ? ` (after ${budget.inflated} already read)` : ''}, more than the limit of ${limits.maxArchiveBytes}`, { file: path, scope: 'archive' });
  }
  const archiveBytes = zip.fileSize;
  if (declared > ARCHIVE_RATIO_GRACE_BYTES && declared / Math.max(1, archiveBytes) > limits.maxCompressionRatio) {
    throw new MedsrError('too_large', 'zip.bomb', `archive declares ${declared} inflated bytes in ${archiveBytes}: more than ${limits.maxCompressionRatio} times its size`, { file: path, scope: 'archive' });
  }
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    // decodeStrings off: yauzl would abort the whole archive on one bad name; we refuse the entry
    yauzl.open(path, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) reject(new MedsrError('invalid_input', 'zip.corrupt', `not a readable zip archive: ${err?.message ?? 'unknown error'}`, { file: path }));
      else resolve(zip);
    });
  });
}

function nextEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | undefined> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      zip.removeListener('entry', onEntry);
      zip.removeListener('end', onEnd);
      zip.removeListener('error', onError);
    };
    const onEntry = (entry: yauzl.Entry): void => { cleanup(); resolve(entry); };
    const onEnd = (): void => { cleanup(); resolve(undefined); };
    const onError = (err: Error): void => { cleanup(); reject(new MedsrError('invalid_input', 'zip.corrupt', `corrupt zip archive: ${err.message}`, {}, { cause: err })); };
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

function entryName(entry: yauzl.Entry): string {
  const raw = entry.fileName as unknown as Buffer | string;
  if (typeof raw === 'string') return raw;
  return yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, false);
}

function refuse(entry: yauzl.Entry, name: string, path: string): MedsrError | undefined {
  const file = `${path}!${name}`;
  const badName = yauzl.validateFileName(name);
  if (badName) return new MedsrError('invalid_input', 'zip.unsafe_path', `entry name refused (${badName})`, { file });
  const mode = (entry.externalFileAttributes >>> 16) & 0o170000;
  if (mode === 0o120000) return new MedsrError('invalid_input', 'zip.symlink', 'entry is a symbolic link', { file });
  if (entry.isEncrypted()) return new MedsrError('unsupported', 'zip.encrypted', 'entry is encrypted', { file });
  if (/\.zip$/i.test(name)) return new MedsrError('unsupported', 'zip.nested', 'archives inside archives are not read', { file });
  return undefined;
}

function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, name: string, path: string, limits: ReadLimits, budget: ArchiveBudget): Promise<Uint8Array> {
  const file = `${path}!${name}`;
  if (entry.uncompressedSize > limits.maxFileBytes) {
    return Promise.reject(new MedsrError('too_large', 'zip.entry_too_large', `entry claims ${entry.uncompressedSize} bytes, more than the limit of ${limits.maxFileBytes}`, { file }));
  }
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err || !stream) {
        reject(new MedsrError('invalid_input', 'zip.corrupt_entry', `cannot open entry: ${err?.message ?? 'unknown error'}`, { file }));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      let failed = false;
      const fail = (error: MedsrError): void => {
        if (failed) return;
        failed = true;
        stream.destroy();
        reject(error);
      };
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        budget.inflated += chunk.length;
        if (budget.inflated > limits.maxArchiveBytes) {
          fail(new MedsrError('too_large', 'zip.bomb', `archive inflates beyond ${limits.maxArchiveBytes} bytes`, { file, scope: 'archive' }));
        } else if (size > limits.maxFileBytes) {
          fail(new MedsrError('too_large', 'zip.entry_too_large', `entry inflates beyond ${limits.maxFileBytes} bytes`, { file }));
        } else if (size > RATIO_GRACE_BYTES && size / Math.max(1, entry.compressedSize) > limits.maxCompressionRatio) {
          fail(new MedsrError('too_large', 'zip.bomb', `entry inflates more than ${limits.maxCompressionRatio} times its compressed size`, { file, scope: 'entry' }));
        } else {
          chunks.push(chunk);
        }
      });
      stream.on('error', (e: Error) => fail(toEntryError(e, file)));
      stream.on('end', () => {
        if (!failed) resolve(Buffer.concat(chunks, size));
      });
    });
  });
}

function toEntryError(err: Error, file: string): MedsrError {
  if (err instanceof MedsrError) return err;
  const e = toMedsrError(err);
  return new MedsrError('invalid_input', 'zip.corrupt_entry', `corrupt entry: ${e.message}`, { file }, { cause: err });
}
