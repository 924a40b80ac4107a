import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import dicomParser from 'dicom-parser';
import type { BatchReport } from '../../../src/service/batch/batch-report';
import { mrSeriesCopy, tempDir } from '../helpers/service-fixture';
import { CT_SMALL } from '../helpers/mini-ingest';

const REGISTER = path.join(__dirname, '../helpers/ts-register.js');
const CHILD = path.join(__dirname, '../helpers/batch-child.ts');

function allFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).map((f) => path.join(dir, f)).filter((f) => fs.statSync(f).isFile());
}

describe('batch on real DICOM, killed with SIGKILL and rerun', () => {
  it('resumes without touching finished outputs, leaves no .tmp, and reports every input', async () => {
    const series = mrSeriesCopy(true); // 7 slices, the last RLE-compressed: refused by the mini processor
    const junk = path.join(tempDir(), 'notes.txt');
    fs.writeFileSync(junk, 'not a DICOM file '.repeat(20));
    const out = tempDir('medsr-batch-out-');
    const inputs = [series, CT_SMALL, junk];

    // first run: slow slices, killed once some outputs exist
    const child = spawn(process.execPath, ['-r', REGISTER, CHILD, out, '2', ...inputs], {
      env: { ...process.env, MEDSR_TEST_SLICE_MS: '300', MEDSR_LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let finished = 0;
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        finished += d.toString().split('\n').filter((l) => l.startsWith('done ')).length;
        if (finished >= 3 && child.exitCode === null) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await new Promise((r) => child.once('exit', r));
    expect(child.signalCode).toBe('SIGKILL');
    expect(fs.existsSync(path.join(out, 'report.json'))).toBe(false);
    const before = new Map(allFiles(out).filter((f) => f.endsWith('.dcm')).map((f) => [f, fs.statSync(f)]));
    expect(before.size).toBeGreaterThanOrEqual(3);

    // second run: to completion
    const rerun = spawnSync(process.execPath, ['-r', REGISTER, CHILD, out, '2', ...inputs], { env: { ...process.env, MEDSR_LOG_LEVEL: 'silent' }, encoding: 'utf8' });
    expect(rerun.status).toBe(1); // two inputs fail: the exit code says so

    for (const [file, st] of before) {
      const now = fs.statSync(file);
      expect({ ino: now.ino, mtimeMs: now.mtimeMs, size: now.size }).toEqual({ ino: st.ino, mtimeMs: st.mtimeMs, size: st.size });
    }
    const files = allFiles(out);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as BatchReport;
    expect(report.totals).toMatchObject({ inputs: 9, done: 7, failed: 2 });
    expect(report.totals.resumed).toBeGreaterThanOrEqual(before.size / 2); // each done slice wrote an SR and an uncertainty file
    const failed = report.items.filter((i) => i.status === 'failed');
    expect(failed.map((i) => i.code).sort()).toEqual(['dicom.unreadable', 'pixels.compressed']);
    expect(failed.find((i) => i.code === 'dicom.unreadable')!.input).toBe(junk);

    // every done item has its output, and the 6 MR outputs form one derived series
    const done = report.items.filter((i) => i.status === 'done');
    const seriesUIDs = new Set<string>();
    for (const item of done) {
      const ds = dicomParser.parseDicom(new Uint8Array(fs.readFileSync(path.join(out, item.output!))));
      expect(ds.elements.x00082112!.items![0]!.dataSet!.string('x00081155')).toBe(item.sopInstanceUID);
      if (item.seriesInstanceUID !== done.find((d) => d.input === CT_SMALL)!.seriesInstanceUID) seriesUIDs.add(ds.string('x0020000e')!);
      expect(fs.existsSync(path.join(out, item.uncertaintyOutput!))).toBe(true);
    }
    expect(seriesUIDs.size).toBe(1);

    const csv = fs.readFileSync(path.join(out, 'report.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toMatch(/^input,status,reason/);
    expect(csv).toHaveLength(10);
  });
});
