import fs from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { PARTIAL_FAILURE_EXIT_CODE } from '../../src/shared/errors';
import { CORPUS, corpusFile, makeTempDir, pydicom } from '../ingest/helpers';
import { ensureBuilt, medsr } from './helpers/run-medsr';

const tmp = makeTempDir('medsr-eval-cli-');
beforeAll(ensureBuilt);

interface Method { method: string; psnrMask: number; psnr: number; ssimMask: number; dcResidual?: number; slices: number }
interface EvalReport {
  groups: Array<{ modality: string; degradation: string; methods: Method[] }>;
  slices: Array<{ label: string }>;
  failures: Array<{ file: string; code: string }>;
}

describe('medsr eval', () => {
  const out = path.join(tmp, 'eval');
  let run: ReturnType<typeof medsr>;
  let report: EvalReport;

  beforeAll(() => {
    run = medsr(['eval', pydicom('MR_small.dcm'), pydicom('CT_small.dcm'), pydicom('MR_truncated.dcm'), '--scale', '2', '--out', out]);
    report = JSON.parse(fs.readFileSync(path.join(out, 'eval.json'), 'utf8')) as EvalReport;
  });

  it('scores every method against every baseline, by modality and degradation, and lists the bad input', () => {
    expect(run.status).toBe(PARTIAL_FAILURE_EXIT_CODE);
    expect(run.stdout).toContain('vs best classical');
    expect(report.failures.map((f) => f.code)).toEqual(['dicom.truncated']);
    const mr = report.groups.find((g) => g.modality === 'MR')!;
    const ct = report.groups.find((g) => g.modality === 'CT')!;
    expect(mr.degradation).toBe('kspace');
    expect(ct.degradation).toBe('area');
    // the default pipeline is not told the degradation (auto); the told run is scored beside it
    expect(mr.methods.map((m) => m.method)).toEqual(['bicubic', 'lanczos', 'zero-fill', 'bicubic+dc', 'regression', 'regression+dc', 'diffusion+dc', 'diffusion+dc told']);
    expect(ct.methods.map((m) => m.method)).toEqual(['bicubic', 'lanczos', 'bicubic+dc', 'regression', 'regression+dc', 'diffusion+dc', 'diffusion+dc told']);
    for (const m of [...mr.methods, ...ct.methods]) {
      expect(Number.isFinite(m.psnrMask)).toBe(true);
      expect(m.ssimMask).toBeGreaterThan(0);
      expect(m.ssimMask).toBeLessThanOrEqual(1);
    }
  });

  it('makes the diffusion output consistent with its input and better than bicubic on a real MR slice', () => {
    for (const g of report.groups) {
      for (const name of ['diffusion+dc', 'diffusion+dc told']) {
        expect(g.methods.find((m) => m.method === name)!.dcResidual).toBeLessThanOrEqual(1e-3);
      }
    }
    const mr = report.groups.find((g) => g.modality === 'MR')!.methods;
    const psnrOf = (name: string) => mr.find((m) => m.method === name)!.psnrMask;
    expect(psnrOf('diffusion+dc')).toBeGreaterThan(psnrOf('bicubic'));
  });

  it('writes a figure of the outputs and their errors', () => {
    const png = PNG.sync.read(fs.readFileSync(path.join(out, 'eval.png')));
    expect(png.width).toBeGreaterThan(png.height);
    expect(new Set(png.data).size).toBeGreaterThan(16);
  });
});

describe('medsr eval on a Siemens MOSAIC', () => {
  it('scores the middle slice of the grid (as upscale runs it, tile by tile), not the whole frame', () => {
    const out = path.join(tmp, 'mosaic');
    // dicom3tools' 0051.dcm: 20 ASL slices of 72 x 72 in a 5 x 5 grid
    const run = medsr(['eval', corpusFile(CORPUS, 'dicom3tools/usr/share/doc/dicom3tools/examples/0051.dcm'), '--scale', '2', '--out', out]);
    expect(run.status).toBe(0);
    const report = JSON.parse(fs.readFileSync(path.join(out, 'eval.json'), 'utf8')) as EvalReport;
    expect(report.slices.map((s) => s.label)).toEqual([expect.stringMatching(/0051\.dcm \(MOSAIC slice 11 of 20\)$/)]);
    // the figure's first panel is the HR slice: one 72 x 72 tile, not the 360 x 360 frame
    const png = PNG.sync.read(fs.readFileSync(path.join(out, 'eval.png')));
    expect(png.height).toBeLessThan(360);
  });
});

describe('medsr eval --resampler', () => {
  it('makes the LR with the named downsampler and tells the told run; the told run gains on it', () => {
    const out = path.join(tmp, 'lanczos');
    const run = medsr(['eval', pydicom('MR_small.dcm'), '--scale', '2', '--resampler', 'lanczos', '--out', out]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('bicubic (made by lanczos) degradation');
    const report = JSON.parse(fs.readFileSync(path.join(out, 'eval.json'), 'utf8')) as EvalReport & { resampler: string };
    expect(report.resampler).toBe('lanczos');
    const mr = report.groups.find((g) => g.modality === 'MR')!;
    expect(mr.degradation).toBe('bicubic');
    const told = mr.methods.find((m) => m.method === 'diffusion+dc told')!;
    // consistent with the Lanczos operator that made the input (eval's residual is against the true operator)
    expect(told.dcResidual).toBeLessThanOrEqual(1e-5);
    expect(told.psnrMask).toBeGreaterThan(mr.methods.find((m) => m.method === 'lanczos')!.psnrMask);
  });

  it('refuses a named downsampler beside a simulated lower matrix', () => {
    const run = medsr(['eval', pydicom('MR_small.dcm'), '--scale', '2', '--degradation', 'kspace', '--resampler', 'lanczos', '--out', path.join(tmp, 'no')]);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("resampler 'lanczos' says the input was resampled");
  });
});
