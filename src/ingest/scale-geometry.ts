/**
 * Plane geometry of an image upscaled in-plane by `scale` (DICOM-DERIVED.md): the same field of
 * view cut into s x s times more pixels. Pixel spacing shrinks by s; ImagePositionPatient (the
 * centre of the first pixel) moves from the old first centre to the new one, which lies
 * (1/s - 1)/2 old pixels back along both in-plane axes; orientation and thickness stay.
 */
import type { ImageGeometry } from './types';

type Vec3 = [number, number, number];

export function scaleGeometry(geometry: ImageGeometry, scale: number): ImageGeometry {
  if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`scale must be a positive number, got ${scale}`);
  const { imagePositionPatient: ipp, imageOrientationPatient: iop, pixelSpacing } = geometry;
  return {
    imagePositionPatient: ipp && iop && pixelSpacing ? shiftedPosition(ipp, iop, pixelSpacing, scale) : ipp,
    imageOrientationPatient: iop,
    pixelSpacing: pixelSpacing ? [pixelSpacing[0] / scale, pixelSpacing[1] / scale] : undefined,
    sliceThickness: geometry.sliceThickness,
  };
}

/** IPP + ((1/s - 1)/2) * (PixelSpacing[1] * rowDir + PixelSpacing[0] * colDir). */
function shiftedPosition(
  ipp: Vec3,
  iop: [number, number, number, number, number, number],
  [rowSpacing, columnSpacing]: [number, number],
  scale: number,
): Vec3 {
  const k = (1 / scale - 1) / 2;
  const rowDir: Vec3 = [iop[0], iop[1], iop[2]];
  const colDir: Vec3 = [iop[3], iop[4], iop[5]];
  return [0, 1, 2].map((i) => ipp[i]! + k * (columnSpacing * rowDir[i]! + rowSpacing * colDir[i]!)) as Vec3;
}
