import { scaleGeometry } from '../../src/ingest/scale-geometry';
import type { ImageGeometry } from '../../src/ingest/types';

/** Patient position of pixel centre (row r, column c): IPP + c * colSpacing * rowDir + r * rowSpacing * colDir. */
function pixelCentre(g: ImageGeometry, r: number, c: number): number[] {
  const ipp = g.imagePositionPatient!;
  const iop = g.imageOrientationPatient!;
  const [rowSpacing, columnSpacing] = g.pixelSpacing!;
  return [0, 1, 2].map((i) => ipp[i]! + c * columnSpacing * iop[i]! + r * rowSpacing * iop[i + 3]!);
}

const oblique: ImageGeometry = {
  imagePositionPatient: [-120.5, 33.25, 17],
  // an oblique plane: rows and columns neither along the axes nor the same spacing
  imageOrientationPatient: [0.8, 0.6, 0, -0.36, 0.48, 0.8],
  pixelSpacing: [0.9, 0.7],
  sliceThickness: 3,
};

describe('scaleGeometry', () => {
  it.each([2, 4, 3])('keeps the field of view: the corners of the old and new grids coincide (x%d)', (scale) => {
    const scaled = scaleGeometry(oblique, scale);
    // Corner of the first pixel = its centre minus half a pixel along both axes.
    const oldCorner = pixelCentre(oblique, -0.5, -0.5);
    const newCorner = pixelCentre(scaled, -0.5, -0.5);
    newCorner.forEach((v, i) => expect(v).toBeCloseTo(oldCorner[i]!, 9));
    // The centre of old pixel (r, c) is the centre of the s x s block of new pixels it became.
    const oldCentre = pixelCentre(oblique, 5, 7);
    const blockCentre = pixelCentre(scaled, 5 * scale + (scale - 1) / 2, 7 * scale + (scale - 1) / 2);
    blockCentre.forEach((v, i) => expect(v).toBeCloseTo(oldCentre[i]!, 9));
  });

  it('divides spacing, keeps orientation and thickness, and follows the documented formula', () => {
    const scaled = scaleGeometry(oblique, 2);
    expect(scaled.pixelSpacing).toEqual([0.45, 0.35]);
    expect(scaled.imageOrientationPatient).toEqual(oblique.imageOrientationPatient);
    expect(scaled.sliceThickness).toBe(3);
    const k = (1 / 2 - 1) / 2;
    const iop = oblique.imageOrientationPatient!;
    const expected = [0, 1, 2].map((i) => oblique.imagePositionPatient![i]! + k * (0.7 * iop[i]! + 0.9 * iop[i + 3]!));
    scaled.imagePositionPatient!.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 12));
  });

  it('leaves position alone when spacing or orientation is unknown', () => {
    const g: ImageGeometry = { ...oblique, pixelSpacing: undefined };
    expect(scaleGeometry(g, 2).imagePositionPatient).toEqual(oblique.imagePositionPatient);
    expect(scaleGeometry(g, 2).pixelSpacing).toBeUndefined();
  });

  it('rejects a scale that is not positive', () => {
    expect(() => scaleGeometry(oblique, 0)).toThrow(RangeError);
    expect(() => scaleGeometry(oblique, Number.NaN)).toThrow(RangeError);
  });
});
