import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_MODEL_DIR } from '../../../src/shared/config';
import { tempDir } from '../../helpers/temp-dirs';
import { TINY_MODEL_DIR } from './reference';

/**
 * Model directories the parity tests run on: the tiny fixture always, the shipped model when
 * present, and any listed in MEDSR_PARITY_MODEL_DIRS (':'-separated, e.g. a fresh export).
 */
export function parityModelDirs(): string[] {
  const dirs = [TINY_MODEL_DIR];
  if (fs.existsSync(path.join(DEFAULT_MODEL_DIR, 'model_index.json'))) dirs.push(DEFAULT_MODEL_DIR);
  for (const d of (process.env.MEDSR_PARITY_MODEL_DIRS ?? '').split(':').filter(Boolean)) dirs.push(path.resolve(d));
  return dirs;
}

/** Raw manifest JSON: each test edits whatever nested field it needs. */
export type RawManifest = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * A copy of a model dir (graphs symlinked) with parts of model_index.json replaced: how tests get
 * other tile sizes or a broken manifest without touching the fixture. A temporary directory (removed
 * after the test file, test/helpers/temp-dirs.ts).
 */
export function variantModelDir(baseDir: string, edit: (manifest: RawManifest) => void): string {
  const dir = tempDir('medsr-model-');
  for (const f of fs.readdirSync(baseDir)) {
    if (f !== 'model_index.json') fs.symlinkSync(path.join(baseDir, f), path.join(dir, f));
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(baseDir, 'model_index.json'), 'utf8'));
  edit(manifest);
  fs.writeFileSync(path.join(dir, 'model_index.json'), JSON.stringify(manifest));
  return dir;
}
