import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PARTIAL_FAILURE_EXIT_CODE, exitCodeOf } from '../../src/shared/errors';
import { ensureBuilt } from './helpers/run-medsr';
import { decodeAll, makeTempDir, pydicom, readFileInstance } from '../ingest/helpers';

const ROOT = path.resolve(__dirname, '..', '..');
const tmp = makeTempDir('medsr-info-');

interface InfoJson {
  studies: Array<{ studyInstanceUID: string; series: Array<{ seriesInstanceUID: string; instances: Array<Record<string, unknown> & { source: string; pixels: { min: number; max: number; mean: number } }> }> }>;
  failures: Array<{ source: string; code: string; message: string }>;
  skipped: Array<{ source: string; code: string }>;
  summary: { instances: number; failures: number; skipped: number };
}

// bin/medsr.js runs the compiled CLI: rebuilt first when any source is newer than dist/
beforeAll(ensureBuilt);

function medsr(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'medsr.js'), ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Modality-unit statistics computed from the native decode of a file, independently of `info`. */
async function expectedStats(file: string): Promise<{ min: number; max: number; mean: number }> {
  const { rescaleSlope, rescaleIntercept } = readFileInstance(file).pixel;
  const values = (await decodeAll(file)).flatMap((f) => Array.from(f, (v) => v * rescaleSlope + rescaleIntercept));
  return { min: Math.min(...values), max: Math.max(...values), mean: values.reduce((a, b) => a + b, 0) / values.length };
}

describe('medsr info --json', () => {
  it('prints every readable instance with pixel statistics, lists the bad ones, and exits non-zero', async () => {
    const zipDir = path.join(tmp, 'z');
    fs.mkdirSync(zipDir);
    fs.copyFileSync(pydicom('MR_small_jpeg_ls_lossless.dcm'), path.join(zipDir, 'mr-jls.dcm'));
    fs.copyFileSync(pydicom('JPEG2000.dcm'), path.join(zipDir, 'j2k.dcm'));
    const archive = path.join(tmp, 'study.zip');
    execFileSync('zip', ['-q', archive, 'mr-jls.dcm', 'j2k.dcm'], { cwd: zipDir });

    const inputs = [pydicom('CT_small.dcm'), pydicom('MR_truncated.dcm'), archive, pydicom('rtplan.dcm')];
    const r = medsr(['info', ...inputs, '--json']);
    expect(r.status).toBe(PARTIAL_FAILURE_EXIT_CODE);
    const report = JSON.parse(r.stdout) as InfoJson;
    expect(report.summary).toEqual({ instances: 3, failures: 1, skipped: 1 });
    expect(report.failures).toEqual([{ source: pydicom('MR_truncated.dcm'), code: 'dicom.truncated', kind: 'invalid_input', message: expect.stringContaining('truncated') }]);
    expect(report.skipped.map((s) => s.code)).toEqual(['dicom.not_an_image']);

    const instances = report.studies.flatMap((s) => s.series.flatMap((x) => x.instances));
    const bySource = new Map(instances.map((i) => [i.source, i]));
    const ct = bySource.get(pydicom('CT_small.dcm'))!;
    expect(ct).toMatchObject({ rows: 128, columns: 128, frames: 1, modality: 'CT', transferSyntaxUID: '1.2.840.10008.1.2.1' });
    expect(ct.sopInstanceUID).toBe(readFileInstance(pydicom('CT_small.dcm')).sopInstanceUID);
    expect(ct.seriesInstanceUID).toBe(readFileInstance(pydicom('CT_small.dcm')).seriesInstanceUID);
    const ctStats = await expectedStats(pydicom('CT_small.dcm'));
    expect(ct.pixels.min).toBe(ctStats.min);
    expect(ct.pixels.max).toBe(ctStats.max);
    expect(ct.pixels.mean).toBeCloseTo(ctStats.mean, 6);
    expect(ct.pixels.min).toBeLessThan(0); // CT in HU: the rescale intercept was applied

    // the compressed MR inside the zip has the statistics of the uncompressed original
    const mr = bySource.get(`${archive}!mr-jls.dcm`)!;
    expect(mr).toMatchObject({ transferSyntaxUID: '1.2.840.10008.1.2.4.80', rows: 64, columns: 64 });
    const mrStats = await expectedStats(pydicom('MR_small.dcm'));
    expect(mr.pixels).toEqual({ min: mrStats.min, max: mrStats.max, mean: expect.closeTo(mrStats.mean, 6) });
    expect(bySource.get(`${archive}!j2k.dcm`)).toMatchObject({ transferSyntaxUID: '1.2.840.10008.1.2.4.91' });
  });

  it('exits with the error exit code when nothing could be read', () => {
    const r = medsr(['info', pydicom('MR_truncated.dcm'), '--json']);
    expect(r.status).toBe(exitCodeOf('invalid_input'));
    expect((JSON.parse(r.stdout) as InfoJson).summary).toEqual({ instances: 0, failures: 1, skipped: 0 });
  });

  it('prints a readable tree without --json, exit 0 when all is well', () => {
    const r = medsr(['info', pydicom('MR_small.dcm'), pydicom('CT_small.dcm')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Study /m);
    expect(r.stdout).toContain('64x64x1');
    expect(r.stdout).toMatch(/2 instance\(s\) read, 0 failed, 0 skipped/);
  });

  it('refuses a missing argument with the usage exit code', () => {
    expect(medsr(['info']).status).toBe(64);
  });
});
