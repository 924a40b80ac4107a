import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Every temporary directory a test makes comes from here, so none is left behind:
 * test/helpers/remove-temp-dirs.ts (jest.config.js setupFilesAfterEnv) removes them all in an
 * afterAll once each test file's tests are done. `parent`: where to make it (os.tmpdir() unless told).
 */
const made: string[] = [];

export function tempDir(prefix = 'medsr-test-', parent = os.tmpdir()): string {
  const dir = fs.mkdtempSync(path.join(parent, prefix));
  made.push(dir);
  return dir;
}

/** Removes every directory tempDir made in this test file (and whatever is in them). */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}
