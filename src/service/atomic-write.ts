import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/** Suffix every half-written file carries, so a sweep after a crash can find and remove them. */
export const TMP_SUFFIX = '.tmp';

/**
 * Writes a file so that readers see either the old content or the whole new content, never a
 * prefix: write to a sibling temporary file, flush it, then rename over the target (rename is
 * atomic within one filesystem). A crash leaves at most a `*.tmp` sibling behind.
 */
export async function writeFileAtomic(target: string, data: Uint8Array | string): Promise<void> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}${TMP_SUFFIX}`;
  const handle = await fs.open(tmp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(tmp, target);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

export async function writeJsonAtomic(target: string, value: unknown): Promise<void> {
  await writeFileAtomic(target, `${JSON.stringify(value, null, 2)}\n`);
}

/** Our temporary names only (`<target>.<pid>.<8 hex>.tmp`): other people's .tmp files are left alone. */
const OUR_TMP = /\.\d+\.[0-9a-f]{8}\.tmp$/;

/** Removes our `*.tmp` files left under `dir` by a process that was killed mid-write. */
export async function sweepTmpFiles(dir: string): Promise<number> {
  let removed = 0;
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true, recursive: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  for (const entry of entries) {
    if (entry.isFile() && OUR_TMP.test(entry.name)) {
      await fs.rm(path.join(entry.parentPath, entry.name), { force: true });
      removed++;
    }
  }
  return removed;
}

export async function fileExists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}
