/**
 * A derived Enhanced MR object that dciodvfy accepts: nibabel's philips_mprage (Enhanced MR Image
 * Storage, 176 frames, per-frame functional groups) through the real upscale use case and
 * write-back. Once 22 dciodvfy errors against the source's 2: three-valued ImageType with
 * SECONDARY, FrameType still ORIGINAL, MR pulse-sequence attributes a DERIVED image may not carry.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import * as dicomParser from 'dicom-parser';
import { readDicomBytes } from '../../src/ingest';
import { enhancedImageType } from '../../src/ingest/write-derived-enhanced';
import { createNearestProcessor } from '../service/helpers/nearest-processor';
import { tempDir } from '../service/helpers/service-fixture';
import { dciodvfy } from './helpers/dicom-tools';

jest.setTimeout(600_000); // 176 frames of 512 x 512 written and verified; minutes on a loaded 2-core machine

const MPRAGE_GZ = path.resolve(__dirname, '../../.cache/corpus/python3-nibabel/usr/lib/python3/dist-packages/nibabel/nicom/tests/data/philips_mprage.dcm.gz');
/** MR Pulse Sequence attributes only an ORIGINAL or MIXED image may carry (a few of them). */
const ORIGINAL_ONLY_TAGS = ['x00189005', 'x00180023', 'x00189008', 'x00189014', 'x00189094', 'x00189172'];

const strings = (ds: dicomParser.DataSet, tag: string): string[] => (ds.string(tag) ?? '').split('\\');

describe('derived Enhanced MR (nibabel philips_mprage)', () => {
  const dir = tempDir('medsr-enhanced-');
  const sourceFile = path.join(dir, 'philips_mprage.dcm');
  const derivedFile = path.join(dir, 'philips_mprage-x2.dcm');
  let source: dicomParser.DataSet;
  let derived: dicomParser.DataSet;
  beforeAll(async () => {
    fs.writeFileSync(sourceFile, zlib.gunzipSync(fs.readFileSync(MPRAGE_GZ)));
    const bytes = new Uint8Array(fs.readFileSync(sourceFile));
    const out = await createNearestProcessor()(readDicomBytes(bytes, { path: sourceFile, label: 'philips_mprage' }), { options: { scale: 2 } });
    fs.writeFileSync(derivedFile, out.derived);
    source = dicomParser.parseDicom(bytes, { untilTag: 'x7fe00010' });
    derived = dicomParser.parseDicom(out.derived, { untilTag: 'x7fe00010' });
  });

  it('has no dciodvfy errors its source does not have', () => {
    const before = new Set(dciodvfy(sourceFile).errors);
    expect(dciodvfy(derivedFile).errors.filter((e) => !before.has(e))).toEqual([]);
  });

  it('says DERIVED\\PRIMARY with four values in ImageType and in every FrameType', () => {
    expect(strings(source, 'x00080008')).toEqual(['ORIGINAL', 'PRIMARY', 'T1', 'NONE']);
    expect(strings(derived, 'x00080008')).toEqual(['DERIVED', 'PRIMARY', 'T1', 'RESAMPLED']);
    const frames = derived.elements.x52009230!.items!;
    expect(frames).toHaveLength(176);
    for (const frame of frames) {
      const frameType = frame.dataSet!.elements.x00189226!.items![0]!.dataSet!;
      expect(strings(frameType, 'x00089007')).toEqual(['DERIVED', 'PRIMARY', 'T1', 'RESAMPLED']);
    }
  });

  it('drops the pulse-sequence attributes a derived image may not carry, and names its source', () => {
    for (const tag of ORIGINAL_ONLY_TAGS) expect({ tag, present: source.elements[tag] !== undefined }).toEqual({ tag, present: true });
    for (const tag of ORIGINAL_ONLY_TAGS) expect({ tag, present: derived.elements[tag] !== undefined }).toEqual({ tag, present: false });
    const evidence = derived.elements.x00089154!.items![0]!.dataSet!;
    const sop = evidence.elements.x00081115!.items![0]!.dataSet!.elements.x00081199!.items![0]!.dataSet!;
    expect(sop.string('x00081155')).toBe(source.string('x00080018'));
    const shared = derived.elements.x52009229!.items![0]!.dataSet!;
    expect(shared.elements.x00089124!.items![0]!.dataSet!.elements.x00082112).toBeDefined();
  });

  it('keeps the per-frame geometry consistent with the new matrix', () => {
    expect([derived.uint16('x00280010'), derived.uint16('x00280011'), derived.intString('x00280008')]).toEqual([512, 512, 176]);
    const spacing = (ds: dicomParser.DataSet): number[] => {
      const groups = ds.elements.x52009230!.items![0]!.dataSet!.elements.x00289110 ? ds.elements.x52009230!.items![0]!.dataSet! : ds.elements.x52009229!.items![0]!.dataSet!;
      const measures = groups.elements.x00289110!.items![0]!.dataSet!;
      return [measures.floatString('x00280030', 0)!, measures.floatString('x00280030', 1)!];
    };
    const [r0, c0] = spacing(source);
    const [r1, c1] = spacing(derived);
    expect(r1).toBeCloseTo(r0! / 2, 6);
    expect(c1).toBeCloseTo(c0! / 2, 6);
  });

  it('enhancedImageType keeps flavor and a named pixel contrast', () => {
    expect(enhancedImageType(['ORIGINAL', 'PRIMARY', 'T1', 'NONE'])).toEqual(['DERIVED', 'PRIMARY', 'T1', 'RESAMPLED']);
    expect(enhancedImageType(['DERIVED', 'PRIMARY', 'DIFFUSION', 'ADDITION'])).toEqual(['DERIVED', 'PRIMARY', 'DIFFUSION', 'ADDITION']);
    expect(enhancedImageType(['ORIGINAL', 'PRIMARY'])).toEqual(['DERIVED', 'PRIMARY', 'NONE', 'RESAMPLED']);
  });
});
