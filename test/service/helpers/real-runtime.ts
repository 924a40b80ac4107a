import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRuntime, type Runtime } from '../../../src/service/runtime';
import { DEFAULT_MODEL_DIR } from '../../../src/shared/config';

const TINY_MODEL_DIR = path.resolve(__dirname, '../../pipeline/fixtures/tiny-model');

/** The shipped model when it is in the tree, else the pipeline's tiny fixture model (real ONNX graphs). */
export function testModelDir(): string {
  return fs.existsSync(path.join(DEFAULT_MODEL_DIR, 'model_index.json')) ? DEFAULT_MODEL_DIR : TINY_MODEL_DIR;
}

/** The real runtime: ingest readers, onnxruntime worker pool, upscaleInstance. */
export async function startRealRuntime(): Promise<Runtime> {
  const runtime = createRuntime({ modelDir: testModelDir(), device: 'cpu', workers: 1, intraOpThreads: 2 });
  await runtime.ready;
  return runtime;
}

/** dciodvfy errors in `file` that `source` does not already have (those are not ours to fix). */
export function newIodErrors(file: string, source: string): string[] {
  const errorsOf = (f: string): string[] => {
    const run = spawnSync('dciodvfy', [f], { encoding: 'utf8' });
    if (run.error) throw run.error;
    return `${run.stdout}${run.stderr}`.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('Error'));
  };
  const original = new Set(errorsOf(source));
  return errorsOf(file).filter((l) => !original.has(l));
}
