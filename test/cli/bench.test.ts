import { ensureBuilt, medsr } from './helpers/run-medsr';

beforeAll(ensureBuilt);

interface BenchReport {
  machine: string;
  model: string;
  rows: Array<{ inputSize: number; scale: number; samples: number; modality: string; resampled?: boolean; outputSize: number; unetCalls: number; detectorMs: number; totalMs: number; dcResidual: number; provider: string }>;
  batch: { slices: number; slicesPerSecond: number };
  peakRssMiB: number;
}

// Checks that the benchmark runs the real model over every case and reports what it measured;
// the numbers themselves are for people to read (speed is never asserted).
describe('medsr bench', () => {
  it('times 256->512 and 128->512 at K=1 and K=4, 512->1024, MR resampled and CT 256->512, on the shipped model and names the machine', () => {
    const r = medsr(['bench', '--repeats', '1', '--batch', '1', '--device', 'cpu', '--json']);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as BenchReport;
    expect(report.machine).toMatch(/cores.*Node/);
    expect(report.rows.map((row) => [row.modality, row.resampled ?? false, row.inputSize, row.scale, row.samples, row.outputSize])).toEqual([
      ['MR', false, 256, 2, 1, 512], ['MR', false, 128, 4, 1, 512], ['MR', false, 256, 2, 4, 512], ['MR', false, 128, 4, 4, 512], ['MR', false, 512, 2, 1, 1024],
      ['MR', true, 256, 2, 1, 512], ['CT', false, 256, 2, 1, 512],
    ]);
    for (const row of report.rows) {
      expect(row.provider).toBe('cpu');
      expect(row.unetCalls).toBeGreaterThan(0);
      // the default (auto) runs the shipped model's detector first (on the resampled path, then its resampler detector): it
      // is timed and counted in the total
      expect(row.detectorMs).toBeGreaterThan(0);
      expect(row.totalMs).toBeGreaterThan(row.detectorMs);
      expect(row.dcResidual).toBeLessThanOrEqual(1e-3);
    }
    expect(report.rows[2]!.unetCalls).toBe(report.rows[0]!.unetCalls * 4);
    // the shipped model's tiles are 1024 output pixels: a 512 x 512 CT at x2 is one tile, not nine
    expect(report.rows[4]!.unetCalls).toBe(report.rows[0]!.unetCalls);
    expect(report.batch.slices).toBe(1);
    expect(report.peakRssMiB).toBeGreaterThan(0);
  });
});
