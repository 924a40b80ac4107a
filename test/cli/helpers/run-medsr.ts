import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ensureFreshBuild } from './build-freshness';

export const ROOT = path.resolve(__dirname, '..', '..', '..');

/** bin/medsr.js runs the compiled CLI: rebuilt here when any source is newer than dist/ (never run stale). */
export function ensureBuilt(): void {
  ensureFreshBuild(ROOT);
}

/** Runs bin/medsr.js; `env` replaces the default environment (this process's, with MEDSR_LOG_LEVEL=warn). */
export function medsr(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): { status: number | null; stdout: string; stderr: string; pid: number } {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'medsr.js'), ...args], {
    cwd: options.cwd ?? ROOT,
    encoding: 'utf8',
    env: options.env ?? { ...process.env, MEDSR_LOG_LEVEL: 'warn' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, pid: r.pid };
}
