import { orientationLabels } from '../../src/viewer/orientation';

describe('orientation markers from ImageOrientationPatient', () => {
  it('labels axial, coronal and sagittal slices the radiological way', () => {
    expect(orientationLabels([1, 0, 0, 0, 1, 0])).toEqual({ left: 'R', right: 'L', top: 'A', bottom: 'P' });
    expect(orientationLabels([1, 0, 0, 0, 0, -1])).toEqual({ left: 'R', right: 'L', top: 'H', bottom: 'F' });
    expect(orientationLabels([0, 1, 0, 0, 0, -1])).toEqual({ left: 'A', right: 'P', top: 'H', bottom: 'F' });
  });

  it('gives oblique directions strongest first, and nothing without a usable orientation', () => {
    // MR700 of the pydicom corpus: rows run posterior-left, columns to the feet
    expect(orientationLabels([0.654, 0.757, 0.0038, -0.0013, 0.0061, -1])).toEqual({ left: 'AR', right: 'PL', top: 'H', bottom: 'F' });
    expect(orientationLabels(undefined)).toBeUndefined();
    expect(orientationLabels([1, 0, 0])).toBeUndefined();
    expect(orientationLabels([1, 0, 0, 0, NaN, 1])).toBeUndefined();
  });
});
