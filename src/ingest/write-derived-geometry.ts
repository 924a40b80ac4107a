/**
 * Writes the scaled plane geometry into the cloned dataset: the top-level Image Plane module and,
 * for enhanced multi-frame objects, the Pixel Measures / Plane Position functional groups (shared
 * and per frame), so every place a viewer may read geometry from agrees.
 */
import { scaleGeometry } from './scale-geometry';
import type { ImageGeometry } from './types';
import { type DicomDataset, getNumbers, items, put } from './write-derived-dataset';

type Orientation = NonNullable<ImageGeometry['imageOrientationPatient']>;

function readGeometry(ds: DicomDataset, orientation: Orientation | undefined): ImageGeometry {
  const ipp = getNumbers(ds, 'ImagePositionPatient');
  const iop = getNumbers(ds, 'ImageOrientationPatient');
  const spacing = getNumbers(ds, 'PixelSpacing');
  return {
    imagePositionPatient: ipp?.length === 3 ? (ipp as [number, number, number]) : undefined,
    imageOrientationPatient: iop?.length === 6 ? (iop as Orientation) : orientation,
    pixelSpacing: spacing?.length === 2 ? (spacing as [number, number]) : undefined,
    sliceThickness: undefined,
  };
}

/** Rescales the geometry found in `ds` (IPP needs spacing and orientation, from `ds` or given). */
function scaleIn(ds: DicomDataset, scale: number, spacing: [number, number] | undefined, orientation: Orientation | undefined): void {
  const own = readGeometry(ds, orientation);
  const geometry = { ...own, pixelSpacing: own.pixelSpacing ?? spacing };
  const scaled = scaleGeometry(geometry, scale);
  if (own.pixelSpacing && scaled.pixelSpacing) put(ds, 'PixelSpacing', scaled.pixelSpacing);
  if (own.imagePositionPatient && scaled.imagePositionPatient) put(ds, 'ImagePositionPatient', scaled.imagePositionPatient);
}

function firstItem(group: DicomDataset | undefined, keyword: string): DicomDataset | undefined {
  return group ? items(group, keyword)[0] : undefined;
}

function orientationIn(group: DicomDataset | undefined): Orientation | undefined {
  const iop = getNumbers(firstItem(group, 'PlaneOrientationSequence') ?? {}, 'ImageOrientationPatient');
  return iop?.length === 6 ? (iop as Orientation) : undefined;
}

function spacingIn(group: DicomDataset | undefined): [number, number] | undefined {
  const spacing = getNumbers(firstItem(group, 'PixelMeasuresSequence') ?? {}, 'PixelSpacing');
  return spacing?.length === 2 ? (spacing as [number, number]) : undefined;
}

export function applyScaledGeometry(ds: DicomDataset, scale: number): void {
  scaleIn(ds, scale, undefined, undefined);

  const shared = items(ds, 'SharedFunctionalGroupsSequence')[0];
  const sharedSpacing = spacingIn(shared);
  const sharedOrientation = orientationIn(shared);
  for (const frame of [shared, ...items(ds, 'PerFrameFunctionalGroupsSequence')]) {
    if (!frame) continue;
    const spacing = spacingIn(frame) ?? sharedSpacing;
    const orientation = orientationIn(frame) ?? sharedOrientation;
    const measures = firstItem(frame, 'PixelMeasuresSequence');
    if (measures) scaleIn(measures, scale, undefined, undefined);
    const position = firstItem(frame, 'PlanePositionSequence');
    if (position) scaleIn(position, scale, spacing, orientation);
  }
}
