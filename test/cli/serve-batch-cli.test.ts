import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import dicomParser from 'dicom-parser';
import { MR_SERIES_DIR, MR_SMALL } from '../service/helpers/replicating-processor';
import { testModelDir } from '../service/helpers/real-runtime';
import { tempDir } from '../service/helpers/service-fixture';
import { ensureBuilt } from './helpers/run-medsr';

jest.setTimeout(240_000);
// bin/medsr.js runs the compiled CLI: rebuilt first when any source is newer than dist/
beforeAll(ensureBuilt);

/** The built CLI, as users run it. */
const BIN = path.resolve(__dirname, '../../bin/medsr.js');
const env = { ...process.env, MEDSR_LOG_LEVEL: 'debug', MEDSR_INFERENCE_WORKERS: '1', MEDSR_INTRA_OP_THREADS: '2' };

describe('medsr batch', () => {
  it('upscales folders and files into --out with a report, and a rerun redoes nothing', () => {
    const out = tempDir('medsr-cli-batch-');
    const args = [BIN, 'batch', MR_SERIES_DIR, MR_SMALL, '--out', out, '--scale', '2', '--steps', '1', '--seed', '1', '--model', testModelDir(), '--device', 'cpu'];
    const first = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
    expect(first.stderr).not.toMatch(/failed:/);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^8 done \(0 from an earlier run\), 0 skipped, 0 failed/);
    const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8'));
    expect(report.items).toHaveLength(8);
    // each item says which path it ran down and how, in report.json and report.csv; a series whose slices took more
    // than one is named in a warning (report.json, stderr)
    const bySeries = new Map<string, Set<string>>();
    for (const item of report.items) {
      expect(Object.values(item.paths)).toEqual([1]);
      const taken = Object.keys(item.paths)[0]!;
      expect(item.degradation.startsWith(`auto->${taken} `)).toBe(true);
      bySeries.set(item.seriesInstanceUID, (bySeries.get(item.seriesInstanceUID) ?? new Set()).add(taken));
    }
    const mixed = [...bySeries].filter(([, taken]) => taken.size > 1).map(([uid]) => uid);
    expect((report.warnings ?? []).map((w: { seriesInstanceUID: string }) => w.seriesInstanceUID)).toEqual(mixed);
    expect(first.stderr.includes('warning: the slices of series')).toBe(mixed.length > 0);
    const csv = fs.readFileSync(path.join(out, 'report.csv'), 'utf8').trim().split('\n');
    expect(csv[0]!.split(',')).toContain('paths');
    for (const line of csv.slice(1)) expect(line).toMatch(/,(kspace|bicubic) 1,/);
    const firstOutput = path.join(out, report.items[0].output);
    const mtime = fs.statSync(firstOutput).mtimeMs;
    expect(dicomParser.parseDicom(new Uint8Array(fs.readFileSync(firstOutput))).elements.x00082112).toBeDefined();

    const second = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
    expect(second.status).toBe(0);
    expect(second.stdout).toMatch(/^8 done \(8 from an earlier run\)/);
    expect(fs.statSync(firstOutput).mtimeMs).toBe(mtime);
  });

  it('exits 0 when an export also holds non-image objects, listing them as skipped', () => {
    const out = tempDir('medsr-cli-batch-');
    const sr = path.join(path.dirname(MR_SMALL), 'test-SR.dcm');
    const run = spawnSync(process.execPath, [BIN, 'batch', MR_SMALL, sr, '--out', out, '--steps', '1', '--model', testModelDir(), '--device', 'cpu'], { env, encoding: 'utf8' });
    expect(run.stderr).not.toMatch(/failed:/);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^1 done \(0 from an earlier run\), 1 skipped, 0 failed/);
    expect(run.stdout).toContain(`skipped: ${sr}: dicom.not_an_image`);
  });

  it('exits 1 and names the failure when an input is not DICOM, and 64 on a bad flag', () => {
    const junk = path.join(tempDir(), 'junk.dcm');
    fs.writeFileSync(junk, Buffer.alloc(400, 7));
    const out = tempDir('medsr-cli-batch-');
    const run = spawnSync(process.execPath, [BIN, 'batch', junk, MR_SMALL, '--out', out, '--steps', '1', '--model', testModelDir(), '--device', 'cpu'], { env, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`failed: ${junk}`);
    const csv = fs.readFileSync(path.join(out, 'report.csv'), 'utf8');
    expect(csv).toMatch(/,failed,/);
    expect(csv).toMatch(/,done,/);
    expect(spawnSync(process.execPath, [BIN, 'batch', MR_SMALL, '--out', out, '--scale', '3'], { env, encoding: 'utf8' }).status).toBe(64);
  });
});

describe('medsr serve', () => {
  let server: ChildProcess | undefined;
  afterAll(() => server?.kill('SIGKILL'));

  it('serves the API on the embedded defaults and stops cleanly on SIGTERM', async () => {
    const dataDir = tempDir();
    server = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', dataDir, '--model', testModelDir(), '--device', 'cpu'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let logs = '';
    const url = await new Promise<string>((resolve, reject) => {
      server!.stderr!.on('data', (d: Buffer) => {
        logs += d.toString();
        const m = /"url":"(http:\/\/[^"]+)"/.exec(logs);
        if (m) resolve(m[1]!);
      });
      server!.once('exit', (code) => reject(new Error(`serve exited ${code}: ${logs}`)));
    });
    for (let i = 0; i < 100 && (await fetch(`${url}/readyz`)).status !== 200; i++) await new Promise((r) => setTimeout(r, 200));
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${url}/`)).text()).toContain('medsr');
    const res = await fetch(`${url}/api/v1/upscale?scale=2&steps=1`, { method: 'POST', body: new Uint8Array(fs.readFileSync(MR_SMALL)), headers: { 'Content-Type': 'application/dicom' } });
    expect(res.status).toBe(200);
    expect(dicomParser.parseDicom(new Uint8Array(await res.arrayBuffer())).uint16('x00280010')).toBe(128);
    // the patient's name and ID from the slice never reach the logs
    const source = dicomParser.parseDicom(new Uint8Array(fs.readFileSync(MR_SMALL)));
    for (const tag of ['x00100010', 'x00100020']) {
      const value = source.string(tag)!;
      expect(value.length).toBeGreaterThan(0);
      expect(logs).not.toContain(value);
    }
    server.kill('SIGTERM');
    const code = await new Promise((r) => server!.once('exit', r));
    expect(code).toBe(0);
  });
});
