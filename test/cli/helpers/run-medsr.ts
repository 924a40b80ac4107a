import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..', '..');

/** bin/medsr.js runs the compiled CLI; `npm test` builds first, a lone run builds here. */
export function ensureBuilt(): void {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT });
}

/** Runs bin/medsr.js; `env` replaces the default environment (this process's, with MEDSR_LOG_LEVEL=warn). */
export function medsr(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'medsr.js'), ...args], {
    cwd: options.cwd ?? ROOT,
    encoding: 'utf8',
    env: options.env ?? { ...process.env, MEDSR_LOG_LEVEL: 'warn' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
