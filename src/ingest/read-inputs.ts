import fs from 'node:fs/promises';
import path from 'node:path';
import { MedsrError, toMedsrError } from '../shared/errors';
import { resolveLimits } from './limits';
import { readDicomOrDirectory } from './read-dicom';
import { dicomdirReferencedFiles } from './sources/dicomdir';
import { type ArchiveBudget, newArchiveBudget, readZipEntries } from './sources/zip-source';
import type { InputRef, ReadLimits, ReadOptions, ReadResult } from './types';

/** Codes of valid DICOM that simply holds no image: reported, but not a failure of the batch. */
const SKIPPED_CODES = new Set(['dicom.not_an_image']);

interface Walk {
  options: ReadOptions | undefined;
  limits: ReadLimits;
  /** Real paths already read: a file reached through a DICOMDIR and a folder walk is read once. */
  seen: Set<string>;
  /** Bytes and entries of every archive of this read together: the limits hold per upload, not per zip. */
  archives: ArchiveBudget;
}

/**
 * Reads files, folders (recursively, in name order), zip archives (streamed) and DICOMDIRs (their
 * referenced files), yielding one result per instance or per failure. A failure never stops the
 * other inputs.
 */
export async function* readInputs(paths: string[], options?: ReadOptions): AsyncGenerator<ReadResult> {
  const walk: Walk = { options, limits: resolveLimits(options), seen: new Set(), archives: newArchiveBudget() };
  for (const input of paths) yield* readPath(input, walk);
}

async function* readPath(input: string, walk: Walk): AsyncGenerator<ReadResult> {
  const ref: InputRef = { path: input, label: input };
  let stat;
  try {
    stat = await fs.stat(input);
  } catch {
    yield failure(ref, new MedsrError('not_found', 'input.not_found', 'no such file or folder', { file: input }));
    return;
  }
  if (stat.isDirectory()) yield* readDirectory(input, walk);
  else if (stat.isFile()) yield* readFile(input, walk);
  else yield failure(ref, new MedsrError('invalid_input', 'input.not_a_file', 'not a regular file or folder', { file: input }));
}

async function* readDirectory(dir: string, walk: Walk): AsyncGenerator<ReadResult> {
  const real = await fs.realpath(dir);
  if (walk.seen.has(real)) return; // a symlinked folder seen before: no cycles
  walk.seen.add(real);
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    yield failure({ path: dir, label: dir }, new MedsrError('invalid_input', 'input.unreadable', `cannot list folder: ${(err as Error).message}`, { file: dir }));
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue; // hidden files and folders (.DS_Store, .git)
    yield* readPath(path.join(dir, entry.name), walk);
  }
}

async function* readFile(file: string, walk: Walk): AsyncGenerator<ReadResult> {
  const ref: InputRef = { path: file, label: file };
  try {
    const real = await fs.realpath(file);
    if (walk.seen.has(real)) return;
    walk.seen.add(real);
    if (await isZip(file)) {
      yield* readArchive(file, walk);
      return;
    }
    const { size } = await fs.stat(file);
    if (size > walk.limits.maxFileBytes) {
      throw new MedsrError('too_large', 'input.too_large', `file is ${size} bytes, more than the limit of ${walk.limits.maxFileBytes}`, { file });
    }
    const buffer = await fs.readFile(file);
    const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength); // a view, not a copy
    const read = readDicomOrDirectory(bytes, ref, walk.options);
    if ('instance' in read) {
      yield { ok: true, instance: read.instance };
      return;
    }
    const { files, errors } = dicomdirReferencedFiles(read.dicomdir, file);
    for (const error of errors) yield failure(ref, error);
    for (const referenced of files) {
      // label it as the user named the DICOMDIR, not by its absolute path
      const label = path.join(path.dirname(file), path.relative(path.dirname(path.resolve(file)), referenced));
      try {
        await fs.access(referenced);
      } catch {
        yield failure({ path: referenced, label }, new MedsrError('not_found', 'dicomdir.missing_file', `file referenced by ${file} does not exist`, { file: label }));
        continue;
      }
      yield* readFile(label, walk);
    }
  } catch (err) {
    yield failure(ref, toMedsrError(err, { details: { file } }));
  }
}

async function* readArchive(file: string, walk: Walk): AsyncGenerator<ReadResult> {
  try {
    for await (const item of readZipEntries(file, walk.limits, walk.archives)) {
      const ref: InputRef = { path: file, entry: item.entry, label: `${file}!${item.entry}` };
      if ('error' in item) {
        yield failure(ref, item.error);
        continue;
      }
      try {
        const read = readDicomOrDirectory(item.bytes, ref, walk.options);
        // a DICOMDIR inside an archive indexes entries that are read anyway
        if ('instance' in read) yield { ok: true, instance: read.instance };
      } catch (err) {
        yield failure(ref, toMedsrError(err, { details: { file: ref.label } }));
      }
    }
  } catch (err) {
    yield failure({ path: file, label: file }, toMedsrError(err, { details: { file } }));
  }
}

async function isZip(file: string): Promise<boolean> {
  const handle = await fs.open(file, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return bytesRead === 4 && head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6));
  } finally {
    await handle.close();
  }
}

function failure(ref: InputRef, error: MedsrError): ReadResult {
  if (!error.details.file) error.details.file = ref.label;
  return SKIPPED_CODES.has(error.code) ? { ok: false, ref, error, skipped: true } : { ok: false, ref, error };
}
