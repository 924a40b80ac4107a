import type { DataSet } from 'dicom-parser';
import { MedsrError } from '../shared/errors';
import type { PixelDescription, ReadLimits } from './types';
import { lookupTransferSyntax } from './transfer-syntax';

export const PIXEL_DATA_TAG = 'x7fe00010';
/** Largest modality value (stored * slope + intercept) accepted: float32 holds 3.4e38. */
const MAX_MODALITY_MAGNITUDE = 1e30;
const FLOAT_PIXEL_TAGS = ['x7fe00008', 'x7fe00009'];

/**
 * Storage SOP classes of images (PS3.4 B.5), each with its sub-classes: an instance of one of
 * these without pixel data is broken, while an SR or RT plan without pixel data is simply not
 * an image.
 */
const IMAGE_SOP_CLASS_ROOTS = ['1', '2', '3', '4', '6', '7', '12', '13', '20', '30', '77', '128', '130', '481.1', '481.2'].map(
  (suffix) => `1.2.840.10008.5.1.4.1.1.${suffix}`,
);

function isImageSopClass(uid: string | undefined): boolean {
  return uid !== undefined && IMAGE_SOP_CLASS_ROOTS.some((root) => uid === root || uid.startsWith(`${root}.`));
}

/**
 * Reads the Image Pixel module and checks it is self-consistent and within limits, so that
 * decoding never allocates from a hostile header and never reads past the pixel data.
 */
export function describePixels(dataSet: DataSet, transferSyntaxUID: string, file: string, limits: ReadLimits): PixelDescription {
  const fail = (code: string, message: string, kind: 'invalid_input' | 'unsupported' | 'too_large' = 'invalid_input'): never => {
    throw new MedsrError(kind, code, message, { file });
  };
  const pixelElement = dataSet.elements[PIXEL_DATA_TAG];
  if (!pixelElement) {
    if (FLOAT_PIXEL_TAGS.some((t) => dataSet.elements[t])) fail('pixel.float_unsupported', 'float pixel data is not supported', 'unsupported');
    const sopClass = dataSet.string('x00080016')?.replace(/\0/g, '').trim();
    if (isImageSopClass(sopClass) || dataSet.elements['x00280010']) fail('dicom.no_pixel_data', `image (SOP class ${sopClass ?? 'unknown'}) has no pixel data`);
    fail('dicom.not_an_image', `no pixel data: not an image (SOP class ${sopClass ?? 'unknown'})`, 'unsupported');
  }
  const syntax = lookupTransferSyntax(transferSyntaxUID);
  if (!syntax) fail('dicom.unsupported_transfer_syntax', `transfer syntax ${transferSyntaxUID} is not supported`, 'unsupported');

  const rows = dataSet.uint16('x00280010') ?? 0;
  const columns = dataSet.uint16('x00280011') ?? 0;
  const frames = Math.max(1, dataSet.intString('x00280008') ?? 1);
  const samplesPerPixel = dataSet.uint16('x00280002') ?? 1;
  const bitsAllocated = dataSet.uint16('x00280100') ?? 0;
  const bitsStored = dataSet.uint16('x00280101') ?? bitsAllocated;
  const highBit = dataSet.uint16('x00280102') ?? bitsStored - 1;
  const pixelRepresentation = dataSet.uint16('x00280103') ?? 0;
  const planarConfiguration = dataSet.uint16('x00280006') ?? 0;
  const photometricInterpretation = (dataSet.string('x00280004') ?? (samplesPerPixel === 3 ? 'RGB' : 'MONOCHROME2')).toUpperCase();
  const rescaleSlope = dataSet.floatString('x00281053') ?? 1;
  const rescaleIntercept = dataSet.floatString('x00281052') ?? 0;

  if (rows < 1 || columns < 1) fail('pixel.bad_dimensions', `Rows ${rows} x Columns ${columns} is not an image`);
  if (!Number.isFinite(frames) || frames > 1_000_000) fail('pixel.bad_dimensions', `NumberOfFrames ${frames} is absurd`, 'too_large');
  if (samplesPerPixel !== 1 && samplesPerPixel !== 3) fail('pixel.bad_samples', `SamplesPerPixel ${samplesPerPixel} is not 1 or 3`);
  if (![1, 8, 16, 32].includes(bitsAllocated)) fail('pixel.bad_bits', `BitsAllocated ${bitsAllocated} is not 1, 8, 16 or 32`, 'unsupported');
  if (bitsStored < 1 || bitsStored > bitsAllocated) fail('pixel.bad_bits', `BitsStored ${bitsStored} does not fit BitsAllocated ${bitsAllocated}`);
  if (highBit < bitsStored - 1 || highBit >= bitsAllocated) fail('pixel.bad_bits', `HighBit ${highBit} does not fit BitsStored ${bitsStored}`);
  if (pixelRepresentation !== 0 && pixelRepresentation !== 1) fail('pixel.bad_representation', `PixelRepresentation ${pixelRepresentation}`);
  if (!Number.isFinite(rescaleSlope) || rescaleSlope === 0 || !Number.isFinite(rescaleIntercept)) {
    fail('pixel.bad_rescale', `RescaleSlope ${rescaleSlope} / RescaleIntercept ${rescaleIntercept} cannot map stored values`);
  }
  // the pipeline computes in float32: modality values must stay far from its overflow
  const largestStored = 2 ** Math.min(bitsStored, 32);
  if (Math.abs(rescaleSlope) * largestStored + Math.abs(rescaleIntercept) > MAX_MODALITY_MAGNITUDE) {
    fail('pixel.bad_rescale', `RescaleSlope ${rescaleSlope} / RescaleIntercept ${rescaleIntercept} map stored values beyond ±${MAX_MODALITY_MAGNITUDE}`);
  }
  const frameSamples = rows * columns * samplesPerPixel;
  if (frameSamples > limits.maxFrameSamples) {
    fail('pixel.too_large', `a ${rows} x ${columns} x ${samplesPerPixel} frame exceeds the limit of ${limits.maxFrameSamples} samples`, 'too_large');
  }
  if (frameSamples * frames > limits.maxInstanceSamples) {
    fail('pixel.too_large', `${frames} frames of ${rows} x ${columns} x ${samplesPerPixel} exceed the limit of ${limits.maxInstanceSamples} samples`, 'too_large');
  }

  const description: PixelDescription = {
    transferSyntaxUID: syntax!.uid,
    rows,
    columns,
    frames,
    samplesPerPixel,
    photometricInterpretation,
    bitsAllocated,
    bitsStored,
    highBit,
    pixelRepresentation: pixelRepresentation as 0 | 1,
    planarConfiguration: planarConfiguration === 1 ? 1 : 0,
    rescaleSlope,
    rescaleIntercept,
  };
  if (pixelElement!.dataOffset + (pixelElement!.encapsulatedPixelData ? 0 : pixelElement!.length) > dataSet.byteArray.length) {
    fail('dicom.truncated', `pixel data runs past the end of the file (${pixelElement!.length} bytes declared)`);
  }
  if (syntax!.codec === 'native') checkNativeLength(description, pixelElement!.length, file);
  else if (!pixelElement!.encapsulatedPixelData) fail('pixel.not_encapsulated', `transfer syntax ${syntax!.name} needs encapsulated pixel data`);
  return description;
}

/** Bytes one native frame occupies (bit-packed for BitsAllocated 1, 4:2:2 subsampled for YBR_FULL_422). */
export function nativeFrameBits(pixel: PixelDescription): number {
  const pixels = pixel.rows * pixel.columns;
  if (pixel.photometricInterpretation === 'YBR_FULL_422' && pixel.samplesPerPixel === 3) return pixels * 2 * pixel.bitsAllocated;
  return pixels * pixel.samplesPerPixel * pixel.bitsAllocated;
}

function checkNativeLength(pixel: PixelDescription, length: number, file: string): void {
  const needed = Math.ceil((nativeFrameBits(pixel) * pixel.frames) / 8);
  if (length < needed) {
    throw new MedsrError(
      'invalid_input',
      'pixel.too_short',
      `pixel data holds ${length} bytes but ${pixel.frames} frame(s) of ${pixel.rows} x ${pixel.columns} need ${needed}`,
      { file },
    );
  }
}
