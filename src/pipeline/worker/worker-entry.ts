import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../shared/config';
import { MedsrError } from '../../shared/errors';

/** How to start an inference worker thread: its file and, for TypeScript, the hook that compiles it. */
export interface WorkerEntry {
  file: string;
  /** `require` hook that compiles .ts on load (scripts/ts-register.js); absent for compiled JS. */
  tsRegister?: string;
}

/**
 * The inference worker that matches the code now running: dist/ starts the compiled worker beside
 * it; src/ (ts-jest, `node -r scripts/ts-register.js`) starts the TypeScript source through the
 * register hook. Never dist/ from src/: a test after an edit would run yesterday's build.
 */
export function workerEntry(): WorkerEntry {
  const ext = path.extname(__filename);
  const file = path.join(__dirname, `inference-worker${ext}`);
  if (ext !== '.ts') return { file };
  const tsRegister = path.join(REPO_ROOT, 'scripts', 'ts-register.js');
  if (!fs.existsSync(tsRegister)) throw new MedsrError('internal', 'worker.missing', `running from TypeScript source, but ${tsRegister} (the hook that compiles the worker) is missing`);
  return { file, tsRegister };
}

/** The Worker constructor's arguments for `entry`: a TypeScript entry is loaded by a two-line bootstrap. */
export function workerArgs(entry: WorkerEntry): { script: string; eval: boolean } {
  if (!entry.tsRegister) return { script: entry.file, eval: false };
  return { script: `require(${JSON.stringify(entry.tsRegister)});\nrequire(${JSON.stringify(entry.file)});`, eval: true };
}
