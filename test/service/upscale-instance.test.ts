import fs from 'node:fs';
import path from 'node:path';
import dicomParser from 'dicom-parser';
import { readDicomBytes, type DicomInstance } from '../../src/ingest';
import { fft2Real, ifft2Real } from '../../src/pipeline/fft/fft2';
import { createRuntime, type Runtime } from '../../src/service/runtime';
import { variantModelDir } from '../pipeline/helpers/model-dirs';
import { CT_SMALL, MR_SMALL } from './helpers/replicating-processor';
import { newIodErrors, startRealRuntime, testModelDir } from './helpers/real-runtime';
import { tempDir } from './helpers/service-fixture';
import { writeTwoWayFrames } from './helpers/two-way-series';

jest.setTimeout(180_000);

// dcmjs ships no type declarations
// eslint-disable-next-line @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any
const dcmjs = require('dcmjs') as any;

describe('upscaleInstance with the real ingest, pipeline and model', () => {
  let runtime: Runtime;
  beforeAll(async () => {
    runtime = await startRealRuntime();
  });
  afterAll(() => runtime?.dispose());

  it.each([['MR', MR_SMALL], ['CT', CT_SMALL]])('%s: derived and uncertainty instances that reference the source and pass dciodvfy', async (_m, file) => {
    const bytes = new Uint8Array(fs.readFileSync(file));
    const source = readDicomBytes(bytes, { path: file, label: file });
    const fractions: number[] = [];
    const out = await runtime.processor(source, { options: { scale: 2, samples: 2, seed: 3, steps: 2 }, onProgress: (f) => fractions.push(f) });
    expect(out.uncertainty).toBeDefined();
    const dir = tempDir();
    for (const [name, data] of [['sr.dcm', out.derived], ['std.dcm', out.uncertainty!]] as const) {
      const written = path.join(dir, name);
      fs.writeFileSync(written, data);
      expect(newIodErrors(written, file)).toEqual([]);
      const ds = dicomParser.parseDicom(data);
      expect(ds.uint16('x00280010')).toBe(source.pixel.rows * 2);
      expect(ds.uint16('x00280011')).toBe(source.pixel.columns * 2);
      expect(ds.elements.x00082112!.items![0]!.dataSet!.string('x00081155')).toBe(source.sopInstanceUID);
    }
    const sr = dicomParser.parseDicom(out.derived);
    const std = dicomParser.parseDicom(out.uncertainty!);
    expect(sr.string('x0020000e')).not.toBe(std.string('x0020000e'));
    // the shipped model's map adds the output's local gradient to the samples' spread, and says so
    expect(std.string('x00082111')).toMatch(/^calibrated per-pixel SD: std over 2 samples and the output's local gradient, in quadrature, .* sd_scale=\S+ sd_gradient=0\.1/);
    expect(sr.string('x0020000e')).not.toBe(source.seriesInstanceUID);
    expect(fractions.length).toBeGreaterThan(0);
    expect(fractions.at(-1)).toBeCloseTo(1, 5);
  });

  it('records how the degradation was handled: auto routed by the detector (MR) or the CT detector (CT), or told', async () => {
    const description = (bytes: Uint8Array) => dicomParser.parseDicom(bytes).string('x00082111') ?? '';
    const read = (file: string) => readDicomBytes(new Uint8Array(fs.readFileSync(file)), { path: file, label: file });
    const mrAuto = await runtime.processor(read(MR_SMALL), { options: { scale: 2, seed: 1 } });
    // both MR paths run the model's refiner after the projection, and project again
    expect(mrAuto.degradation).toMatch(/^auto->(kspace \((detector P\(kspace\)=[01]\.\d\d|too small for the detector: its fallback); exact projection; pixel refiner, projected again\)|bicubic \(detector P\(kspace\)=[01]\.\d\d; exact projection onto [01]\.\d\d bicubic \+ [01]\.\d\d Gaussian-spline; pixel refiner, projected again\))$/);
    expect(description(mrAuto.derived)).toContain(`degradation=${mrAuto.degradation}`);
    // the path it ran down, counted (one frame: one slice)
    expect(mrAuto.paths).toEqual({ [mrAuto.degradation!.startsWith('auto->kspace') ? 'kspace' : 'bicubic']: 1 });
    const ctAuto = await runtime.processor(read(CT_SMALL), { options: { scale: 2, seed: 1 } });
    // the path the CT detector picks for the GE slice as stored, with its P(area)
    expect(ctAuto.degradation).toMatch(/^auto->(bicubic|area) \(CT detector P\(area\)=[01]\.\d\d; exact projection; pixel refiner, projected again\)$/);
    expect(description(ctAuto.derived)).toContain(`degradation=${ctAuto.degradation}`);
    const told = await runtime.processor(read(MR_SMALL), { options: { scale: 2, seed: 1, degradation: 'kspace' } });
    // the shipped refiner runs once at x2 (its manifest's `passes`; more passes are counted, as the refiner test shows)
    expect(told.degradation).toBe('kspace (told; exact projection; pixel refiner, projected again)');
    expect(told.paths).toEqual({ kspace: 1 });
    expect(description(told.derived)).toContain('degradation=kspace (told; exact projection; pixel refiner, projected again)');
    // told the downsampler too, the resampled path projects onto it alone and says so
    const lanczos = await runtime.processor(read(MR_SMALL), { options: { scale: 2, seed: 1, degradation: 'bicubic', resampler: 'lanczos' } });
    expect(lanczos.degradation).toBe('bicubic (told; exact projection onto Lanczos (told); pixel refiner, projected again)');
    // told what the detector picked, the output is the same slice bit for bit
    const picked = mrAuto.degradation!.startsWith('auto->kspace') ? 'kspace' : 'bicubic';
    const same = await runtime.processor(read(MR_SMALL), { options: { scale: 2, seed: 1, degradation: picked } });
    const pixels = (b: Uint8Array) => { const ds = dicomParser.parseDicom(b); const e = ds.elements.x7fe00010!; return Buffer.from(b.subarray(e.dataOffset, e.dataOffset + e.length)); };
    expect(pixels(same.derived).equals(pixels(mrAuto.derived))).toBe(true);
  });

  it('counts the paths of a multi-frame instance\'s frames, and says in DerivationDescription when they differ', async () => {
    // frame 1 a lower matrix, frame 2 a resampled copy of the same phantom: the real detector calls them apart
    const file = path.join(tempDir(), 'two-way-frames.dcm');
    writeTwoWayFrames(file);
    const out = await runtime.processor(readDicomBytes(new Uint8Array(fs.readFileSync(file)), { path: file, label: file }), { options: { scale: 2, seed: 1, steps: 1 } });
    expect(out.paths).toEqual({ kspace: 1, bicubic: 1 });
    // the account is the last frame's (resampled); the counts say the frames differ
    expect(out.degradation).toMatch(/^auto->bicubic \(detector P\(kspace\)=0\.\d\d; /);
    expect(dicomParser.parseDicom(out.derived).string('x00082111')).toContain(' paths=(kspace 1, bicubic 1; the account is the last slice\'s)');
    const derived = path.join(tempDir(), 'derived.dcm');
    fs.writeFileSync(derived, out.derived);
    expect(newIodErrors(derived, file)).toEqual([]); // the longer DerivationDescription is still a valid ST
  });

  it('keeps nothing beyond the band of an MR slice a scanner zero-filled, and says so', async () => {
    // MR_small with its spectrum cut to 0.6 of Nyquist on both axes, as a scanner that zero-fills would make it
    const msg = dcmjs.data.DicomMessage.readFile(fs.readFileSync(MR_SMALL).buffer.slice(0));
    const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(msg.dict);
    const [rows, columns] = [ds.Rows as number, ds.Columns as number];
    const stored = new Int16Array((ds.PixelData as ArrayBuffer[])[0]!);
    const spectrum = fft2Real(Float32Array.from(stored), rows, columns);
    for (let y = 0; y < rows; y++) {
      for (let x = 0; x < columns; x++) {
        if (Math.min(y, rows - y) < 0.6 * (rows / 2) && Math.min(x, columns - x) < 0.6 * (columns / 2)) continue;
        spectrum.re[y * columns + x] = 0;
        spectrum.im[y * columns + x] = 0;
      }
    }
    ds.PixelData = [Int16Array.from(ifft2Real(spectrum), (v) => Math.round(v)).buffer];
    msg.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(ds);
    const file = path.join(tempDir(), 'zero-filled.dcm');
    fs.writeFileSync(file, new Uint8Array(msg.write()));
    const source = readDicomBytes(new Uint8Array(fs.readFileSync(file)), { path: file, label: file });
    const limit = 'input band ends at 0\\.(59|6\\d) \\(rows\\), 0\\.(59|6\\d) \\(columns\\) of Nyquist: nothing added beyond it';
    const told = await runtime.processor(source, { options: { scale: 2, seed: 1, degradation: 'bicubic' } });
    expect(told.degradation).toMatch(new RegExp(`^bicubic \\(told; exact projection onto [01]\\.\\d\\d bicubic \\+ [01]\\.\\d\\d Gaussian-spline; pixel refiner, projected again; ${limit}\\)$`));
    // not told, such a slice takes the k-space path: a scanner's zero-filled reconstruction sits on that grid
    const out = await runtime.processor(source, { options: { scale: 2, seed: 1 } });
    expect(out.degradation).toMatch(new RegExp(`^auto->kspace \\(the model's path for a band-limited input; exact projection; pixel refiner, projected again; ${limit}\\)$`));
    expect(dicomParser.parseDicom(out.derived).string('x00082111')).toContain('input band ends at');
    const written = path.join(tempDir(), 'sr.dcm');
    fs.writeFileSync(written, out.derived);
    expect(newIodErrors(written, file)).toEqual([]);
  });

  it('keeps an MR slice smaller than the matrix its scanner acquired to that band, and says so', async () => {
    const withMatrix = (matrix: number[], direction: string): DicomInstance => {
      const msg = dcmjs.data.DicomMessage.readFile(fs.readFileSync(MR_SMALL).buffer.slice(0));
      const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(msg.dict);
      Object.assign(ds, { AcquisitionMatrix: matrix, InPlanePhaseEncodingDirection: direction });
      msg.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(ds);
      const file = path.join(tempDir(), `acquired-${matrix.join('-')}.dcm`);
      fs.writeFileSync(file, new Uint8Array(msg.write()));
      return readDicomBytes(new Uint8Array(fs.readFileSync(file)), { path: file, label: file });
    };
    // MR_small is 64 x 64: as if reduced from a 96-line acquisition (frequency 96, phase 80 along each row)
    const reduced = withMatrix([0, 96, 80, 0], 'ROW');
    expect(reduced.acquiredMatrix).toEqual({ rows: 96, columns: 80 });
    const out = await runtime.processor(reduced, { options: { scale: 2, seed: 1, steps: 1 } });
    expect(out.degradation).toContain('; acquired matrix 96 x 80: nothing added beyond its band)');
    // the 128 x 128 output keeps |f| <= 48 down the rows and <= 40 along them
    const { frames, rows, columns } = out.derivedPixels!;
    const spectrum = fft2Real(Float32Array.from(frames[0]!), rows, columns);
    let inside = 0;
    let outside = 0;
    for (let y = 0; y < rows; y++) {
      for (let x = 0; x < columns; x++) {
        const power = spectrum.re[y * columns + x]! ** 2 + spectrum.im[y * columns + x]! ** 2;
        if (Math.min(y, rows - y) <= 48 && Math.min(x, columns - x) <= 40) inside += power;
        else outside += power;
      }
    }
    expect(outside).toBeLessThan(1e-6 * inside);      // what is left beyond: the rounding to stored integers
    // at its acquired matrix the slice is left alone: adding detail beyond an acquisition is the point
    const native = await runtime.processor(withMatrix([64, 0, 0, 64], 'COL'), { options: { scale: 2, seed: 1, steps: 1 } });
    expect(native.degradation).not.toContain('acquired matrix');
  });

  it('uses the UIDs a job asks for, so a retried slice rewrites the same instance', async () => {
    const source = readDicomBytes(new Uint8Array(fs.readFileSync(MR_SMALL)), { path: MR_SMALL, label: MR_SMALL });
    const target = { seriesInstanceUID: '2.25.1001', uncertaintySeriesInstanceUID: '2.25.1002', sopInstanceUID: '2.25.1003', uncertaintySopInstanceUID: '2.25.1004' };
    const out = await runtime.processor(source, { options: { scale: 2, seed: 1, steps: 1 }, target });
    const ds = dicomParser.parseDicom(out.derived);
    expect([ds.string('x0020000e'), ds.string('x00080018')]).toEqual(['2.25.1001', '2.25.1003']);
    expect(out.uncertainty).toBeUndefined();
  });

  it('counts the refiner passes in the description when a model runs more than one', async () => {
    const base = testModelDir();
    const manifest = JSON.parse(fs.readFileSync(path.join(base, 'model_index.json'), 'utf8')) as { refiner?: unknown };
    if (!manifest.refiner) return; // the tiny fixture model has no refiner
    const twice = createRuntime({ modelDir: variantModelDir(base, (m) => { m.refiner.passes = { kspace: { '2': 2 } }; }), device: 'cpu', workers: 1, intraOpThreads: 2 });
    try {
      await twice.ready;
      const source = readDicomBytes(new Uint8Array(fs.readFileSync(MR_SMALL)), { path: MR_SMALL, label: MR_SMALL });
      const out = await twice.processor(source, { options: { scale: 2, seed: 1, degradation: 'kspace' } });
      expect(out.degradation).toBe('kspace (told; exact projection; pixel refiner, projected again (2 passes))');
    } finally {
      await twice.dispose();
    }
  });
});
