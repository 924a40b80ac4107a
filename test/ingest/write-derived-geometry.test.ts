import { applyScaledGeometry } from '../../src/ingest/write-derived-geometry';
import { type DicomDataset, getNumbers, items, put } from '../../src/ingest/write-derived-dataset';
import { keepSensibleWindows } from '../../src/ingest/write-derived-window';

function group(entries: Array<[string, DicomDataset]>): DicomDataset {
  const ds: DicomDataset = {};
  for (const [keyword, item] of entries) put(ds, keyword, [item]);
  return ds;
}
function attrs(values: Record<string, unknown[]>): DicomDataset {
  const ds: DicomDataset = {};
  for (const [keyword, v] of Object.entries(values)) put(ds, keyword, v);
  return ds;
}

describe('applyScaledGeometry', () => {
  it('scales the top-level image plane', () => {
    const ds = attrs({ ImagePositionPatient: [10, 20, 30], ImageOrientationPatient: [1, 0, 0, 0, 1, 0], PixelSpacing: [0.8, 0.6] });
    applyScaledGeometry(ds, 2);
    expect(getNumbers(ds, 'PixelSpacing')).toEqual([0.4, 0.3]);
    // shift (1/2 - 1)/2 = -1/4 pixel: x by 0.6 * -0.25, y by 0.8 * -0.25
    getNumbers(ds, 'ImagePositionPatient')!.forEach((v, i) => expect(v).toBeCloseTo([9.85, 19.8, 30][i]!, 12));
  });

  it('scales enhanced multi-frame functional groups, shared spacing and orientation applying per frame', () => {
    const shared = group([
      ['PixelMeasuresSequence', attrs({ PixelSpacing: [1, 2], SliceThickness: [3] })],
      ['PlaneOrientationSequence', attrs({ ImageOrientationPatient: [0, 1, 0, 0, 0, -1] })],
    ]);
    const frames = [0, 5].map((x) => group([['PlanePositionSequence', attrs({ ImagePositionPatient: [x, 0, 0] })]]));
    const ds: DicomDataset = {};
    put(ds, 'SharedFunctionalGroupsSequence', [shared]);
    put(ds, 'PerFrameFunctionalGroupsSequence', frames);
    applyScaledGeometry(ds, 4);
    expect(getNumbers(items(items(ds, 'SharedFunctionalGroupsSequence')[0]!, 'PixelMeasuresSequence')[0]!, 'PixelSpacing')).toEqual([0.25, 0.5]);
    const k = (1 / 4 - 1) / 2;
    items(ds, 'PerFrameFunctionalGroupsSequence').forEach((frame, f) => {
      const ipp = getNumbers(items(frame, 'PlanePositionSequence')[0]!, 'ImagePositionPatient')!;
      // rowDir (0,1,0) times column spacing 2; colDir (0,0,-1) times row spacing 1
      [f * 5, k * 2, -k * 1].forEach((v, i) => expect(ipp[i]).toBeCloseTo(v, 12));
    });
  });
});

describe('keepSensibleWindows', () => {
  it('keeps overlapping windows with their explanations and drops the rest', () => {
    const ds = attrs({ WindowCenter: [40, 3000], WindowWidth: [400, 10], WindowCenterWidthExplanation: ['SOFT', 'FAR'] });
    keepSensibleWindows(ds, { min: -1000, max: 1500 });
    expect(getNumbers(ds, 'WindowCenter')).toEqual([40]);
    expect(getNumbers(ds, 'WindowWidth')).toEqual([400]);
    expect(items(ds, 'WindowCenterWidthExplanation')).toEqual(['SOFT']);
    keepSensibleWindows(ds, { min: 5000, max: 6000 });
    expect(ds).toEqual({});
  });
});
