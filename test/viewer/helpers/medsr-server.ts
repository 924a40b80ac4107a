import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { ensureFreshBuild, ensureFreshViewer } from '../../cli/helpers/build-freshness';
import { tempDir } from '../../helpers/temp-dirs';

/** Starts the real server (`node bin/medsr.js serve`, the built dist) on a free loopback port
 * with a fresh data directory, and stops it after. */
const ROOT = path.resolve(__dirname, '../../..');

export interface RunningServer {
  url: string;
  /** 'serve': `medsr serve` from dist; 'given': a running deployment (MEDSR_VIEWER_TEST_URL) */
  kind: 'serve' | 'given';
  dataDir: string;
  log: () => string;
  stop(): Promise<void>;
}

/** Whether the server can run jobs now (its model is loaded), waiting up to `waitMs`. */
export async function modelReady(url: string, waitMs: number): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) return true;
    } catch { /* not answering */ }
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startMedsrServer(extraEnv: Record<string, string> = {}): Promise<RunningServer> {
  // MEDSR_VIEWER_TEST_URL points the suite at a server that is already running (a deployment)
  const given = process.env.MEDSR_VIEWER_TEST_URL;
  if (given) return { url: given.replace(/\/$/, ''), kind: 'given', dataDir: '', log: () => '', stop: async () => undefined };
  ensureFreshBuild(ROOT); // the server is dist/: rebuilt when any source is newer
  ensureFreshViewer(ROOT); // and the page it serves, bundled on its own
  for (const built of ['dist/cli/main.js', 'dist/viewer/index.html', 'dist/viewer/viewer.js']) {
    if (!fs.existsSync(path.join(ROOT, built))) throw new Error(`${built} is missing: run \`npm run build\` first`);
  }
  const port = await freePort();
  const dataDir = tempDir('medsr-viewer-data-');
  let output = '';
  const child: ChildProcess = spawn(process.execPath,
    [path.join(ROOT, 'bin/medsr.js'), 'serve', '--port', String(port), '--host', '127.0.0.1', '--data-dir', dataDir],
    { cwd: ROOT, env: { ...process.env, MEDSR_LOG_LEVEL: process.env.MEDSR_LOG_LEVEL ?? 'warn', ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { output += d.toString(); });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`medsr serve exited (${child.exitCode}):\n${output}`);
    try {
      const response = await fetch(`${url}/`);
      if (response.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`medsr serve did not answer:\n${output}`); }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url, kind: 'serve', dataDir, log: () => output,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => { child.kill('SIGKILL'); resolve(); }, 10_000);
          child.once('exit', () => { clearTimeout(timer); resolve(); });
        });
      }
    },
  };
}
