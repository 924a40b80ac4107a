import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** A port free right now (bound by the OS, then released) for peers that need one named up front. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Runs a dcmtk tool without blocking the event loop (an SCP in this process must keep answering). */
export function dcmtk(tool: string, args: string[]): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, out });
    });
  });
}

export const echo = async (aet: string, port: number): Promise<number | null> => (await dcmtk('echoscu', ['-aec', aet, '127.0.0.1', String(port)])).status;

/** Polls `check` (real state: files, a peer's answer) until it returns a value, or fails after `ms`. */
export async function until<T>(check: () => T | undefined | Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface StoreScp {
  port: number;
  dir: string;
  process: ChildProcess;
  files(): string[];
  close(): Promise<void>;
}

/** dcmtk's storescp as the destination PACS, answering C-ECHO before it is handed back. */
export async function startStoreScp(aeTitle: string, dir: string): Promise<StoreScp> {
  const port = await freePort();
  const child = spawn('storescp', ['-aet', aeTitle, '-od', dir, String(port)], { stdio: 'ignore' });
  await until(async () => ((await echo(aeTitle, port)) === 0 ? true : undefined), 20_000, 'storescp to answer C-ECHO');
  return {
    port,
    dir,
    process: child,
    files: () => fs.readdirSync(dir).filter((f) => !f.startsWith('.')).map((f) => path.join(dir, f)),
    close: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** dciodvfy's error lines for one file. */
export function iodErrors(file: string): string[] {
  const run = spawnSync('dciodvfy', [file], { encoding: 'utf8' });
  if (run.error) throw run.error;
  return `${run.stdout}${run.stderr}`.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('Error'));
}
