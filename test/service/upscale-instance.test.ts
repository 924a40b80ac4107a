import fs from 'node:fs';
import path from 'node:path';
import dicomParser from 'dicom-parser';
import { readDicomBytes } from '../../src/ingest';
import type { Runtime } from '../../src/service/runtime';
import { CT_SMALL, MR_SMALL } from './helpers/replicating-processor';
import { newIodErrors, startRealRuntime } from './helpers/real-runtime';
import { tempDir } from './helpers/service-fixture';

jest.setTimeout(180_000);

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
    expect(sr.string('x0020000e')).not.toBe(source.seriesInstanceUID);
    expect(fractions.length).toBeGreaterThan(0);
    expect(fractions.at(-1)).toBeCloseTo(1, 5);
  });

  it('uses the UIDs a job asks for, so a retried slice rewrites the same instance', async () => {
    const source = readDicomBytes(new Uint8Array(fs.readFileSync(MR_SMALL)), { path: MR_SMALL, label: MR_SMALL });
    const target = { seriesInstanceUID: '2.25.1001', uncertaintySeriesInstanceUID: '2.25.1002', sopInstanceUID: '2.25.1003', uncertaintySopInstanceUID: '2.25.1004' };
    const out = await runtime.processor(source, { options: { scale: 2, seed: 1, steps: 1 }, target });
    const ds = dicomParser.parseDicom(out.derived);
    expect([ds.string('x0020000e'), ds.string('x00080018')]).toEqual(['2.25.1001', '2.25.1003']);
    expect(out.uncertainty).toBeUndefined();
  });
});
