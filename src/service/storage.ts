import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { MedsrError } from '../shared/errors';
import { writeFileAtomic } from './atomic-write';

/**
 * Where studies, results and job state live. Keys are `/`-separated relative names
 * (`studies/<study>/<series>/<sop>.dcm`). A directory implementation is the default; object
 * storage can implement the same interface (every write is a whole-object put, as S3 wants).
 */
export interface Storage {
  /** Writes the whole value atomically: readers never see a partial object. */
  put(key: string, data: Uint8Array | string): Promise<void>;
  get(key: string): Promise<Buffer>;
  /** undefined when the key does not exist. */
  tryGet(key: string): Promise<Buffer | undefined>;
  stream(key: string): Promise<Readable>;
  exists(key: string): Promise<boolean>;
  /** Keys directly or indirectly under `prefix`, sorted. */
  list(prefix: string): Promise<string[]>;
  delete(key: string): Promise<void>;
  /** Removes everything under `prefix` (a folder of keys); nothing happens when there is none. */
  deleteTree(prefix: string): Promise<void>;
  /** Bytes and objects stored under `prefix` ('' for all). */
  usage(prefix: string): Promise<{ bytes: number; objects: number }>;
  /** Human-readable location for logs and health output. */
  describe(): string;
}

const SAFE_SEGMENT = /^[A-Za-z0-9._-]+$/;

/** Rejects keys that could escape the root (`..`, absolute paths, odd characters). */
export function assertSafeKey(key: string): void {
  const segments = key.split('/');
  if (segments.length === 0 || segments.some((s) => !SAFE_SEGMENT.test(s) || s === '.' || s === '..')) {
    throw new MedsrError('invalid_input', 'storage.bad_key', `invalid storage key: ${JSON.stringify(key)}`);
  }
}

export function createDirectoryStorage(root: string): Storage {
  const resolved = path.resolve(root);
  const fileOf = (key: string): string => {
    assertSafeKey(key);
    return path.join(resolved, ...key.split('/'));
  };
  const notFound = (key: string): MedsrError => new MedsrError('not_found', 'storage.not_found', `not found: ${key}`);

  return {
    async put(key, data) {
      await writeFileAtomic(fileOf(key), data);
    },
    async get(key) {
      const value = await this.tryGet(key);
      if (value === undefined) throw notFound(key);
      return value;
    },
    async tryGet(key) {
      try {
        return await fs.readFile(fileOf(key));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
    async stream(key) {
      const file = fileOf(key);
      if (!(await this.exists(key))) throw notFound(key);
      return createReadStream(file);
    },
    async exists(key) {
      try {
        return (await fs.stat(fileOf(key))).isFile();
      } catch {
        return false;
      }
    },
    async list(prefix) {
      const dir = prefix === '' ? resolved : fileOf(prefix.replace(/\/$/, ''));
      let entries;
      try {
        entries = await fs.readdir(dir, { withFileTypes: true, recursive: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
        throw err;
      }
      return entries
        .filter((e) => e.isFile() && !e.name.endsWith('.tmp'))
        .map((e) => path.relative(resolved, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
        .sort();
    },
    async delete(key) {
      await fs.rm(fileOf(key), { force: true });
    },
    async deleteTree(prefix) {
      await fs.rm(fileOf(prefix.replace(/\/$/, '')), { recursive: true, force: true });
    },
    async usage(prefix) {
      let bytes = 0;
      const keys = await this.list(prefix);
      for (const key of keys) bytes += await fs.stat(fileOf(key)).then((s) => s.size, () => 0);
      return { bytes, objects: keys.length };
    },
    describe() {
      return `directory ${resolved}`;
    },
  };
}
