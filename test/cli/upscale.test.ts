import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as dicomParser from 'dicom-parser';
import { PARTIAL_FAILURE_EXIT_CODE } from '../../src/shared/errors';
import { makeTempDir, pydicom, readFileInstance } from '../ingest/helpers';
import { ensureBuilt, medsr } from './helpers/run-medsr';

const tmp = makeTempDir('medsr-upscale-cli-');
beforeAll(ensureBuilt);

interface Report {
  totals: { done: number; failed: number; resumed: number };
  items: Array<{ input: string; status: string; code?: string; output?: string; uncertaintyOutput?: string }>;
}

const readReport = (out: string): Report => JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as Report;
const dataset = (file: string) => dicomParser.parseDicom(new Uint8Array(fs.readFileSync(file)));

describe('medsr upscale', () => {
  const out = path.join(tmp, 'out');
  const notDicom = path.join(tmp, 'notes.txt');
  let first: ReturnType<typeof medsr>;

  beforeAll(() => {
    fs.writeFileSync(notDicom, 'not a DICOM file\n');
    first = medsr(['upscale', pydicom('MR_small.dcm'), pydicom('MR_truncated.dcm'), notDicom, pydicom('CT_small.dcm'), '--scale', '2', '--samples', '2', '--seed', '7', '--out', out]);
  });

  it('writes every good image, lists each failure with its reason, and exits 1', () => {
    expect(first.status).toBe(PARTIAL_FAILURE_EXIT_CODE);
    expect(first.stderr).toContain(`failed: ${pydicom('MR_truncated.dcm')}: dicom.truncated`);
    expect(first.stderr).toContain(`failed: ${notDicom}: dicom.not_dicom`);
    const report = readReport(out);
    expect(report.totals).toMatchObject({ done: 2, failed: 2 });
    expect(fs.readdirSync(out, { recursive: true }).filter((f) => String(f).endsWith('.tmp'))).toEqual([]);
  });

  it('writes derived DICOM that references its source, doubles the matrix, passes dciodvfy, and records the settings', () => {
    const report = readReport(out);
    for (const name of ['MR_small.dcm', 'CT_small.dcm']) {
      const source = readFileInstance(pydicom(name));
      const item = report.items.find((i) => i.input === pydicom(name))!;
      const file = path.join(out, item.output!);
      const ds = dataset(file);
      expect(ds.uint16('x00280010')).toBe(source.pixel.rows * 2);
      expect(ds.uint16('x00280011')).toBe(source.pixel.columns * 2);
      expect(ds.string('x0020000d')).toBe(source.studyInstanceUID);
      expect(ds.string('x0020000e')).not.toBe(source.seriesInstanceUID);
      const ref = ds.elements.x00082112!.items![0]!.dataSet!;
      expect(ref.string('x00081155')).toBe(source.sopInstanceUID);
      expect(ds.string('x00082111')).toMatch(/seed=7\b.*samples=2|samples=2.*seed=7\b/);
      const check = spawnSync('dciodvfy', [file], { encoding: 'utf8' });
      const sourceErrors = new Set(`${spawnSync('dciodvfy', [pydicom(name)], { encoding: 'utf8' }).stderr}`.split('\n').filter((l) => l.startsWith('Error')));
      expect(`${check.stderr}${check.stdout}`.split('\n').filter((l) => l.startsWith('Error') && !sourceErrors.has(l))).toEqual([]);
      // --samples 2: an uncertainty instance in its own series
      const std = dataset(path.join(out, item.uncertaintyOutput!));
      expect(std.string('x0008103e')).toMatch(/uncertainty|SD/i);
      expect(std.string('x0020000e')).not.toBe(ds.string('x0020000e'));
    }
  });

  it('resumes: a second run keeps finished outputs untouched', () => {
    const report = readReport(out);
    const file = path.join(out, report.items.find((i) => i.status === 'done')!.output!);
    const before = fs.statSync(file);
    const again = medsr(['upscale', pydicom('MR_small.dcm'), pydicom('CT_small.dcm'), '--scale', '2', '--samples', '2', '--seed', '7', '--out', out]);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/kept .*\.dcm/);
    const after = fs.statSync(file);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  });

  it('is reproducible: the same seed gives the same pixels in a fresh output', () => {
    const other = path.join(tmp, 'again');
    expect(medsr(['upscale', pydicom('MR_small.dcm'), '--scale', '2', '--samples', '2', '--seed', '7', '--out', other]).status).toBe(0);
    const pixels = (dir: string) => {
      const item = readReport(dir).items.find((i) => i.input === pydicom('MR_small.dcm'))!;
      const ds = dataset(path.join(dir, item.output!));
      const el = ds.elements.x7fe00010!;
      return Buffer.from(ds.byteArray.subarray(el.dataOffset, el.dataOffset + el.length));
    };
    expect(pixels(other).equals(pixels(out))).toBe(true);
  });

  it('refuses --resampler beside --degradation kspace before reading anything, saying why', () => {
    const r = medsr(['upscale', pydicom('MR_small.dcm'), '--degradation', 'kspace', '--resampler', 'lanczos', '--out', path.join(tmp, 'conflict')]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("resampler 'lanczos' says the input was resampled, but degradation 'kspace' says it was not");
    expect(fs.existsSync(path.join(tmp, 'conflict', 'report.json'))).toBe(false);
  });

    it('rejects a bad scale with a usage error', () => {
    const r = medsr(['upscale', pydicom('MR_small.dcm'), '--scale', '3', '--out', path.join(tmp, 'x')]);
    expect(r.status).toBe(64);
    expect(r.stderr).toContain('scale must be 2 or 4');
  });
});
