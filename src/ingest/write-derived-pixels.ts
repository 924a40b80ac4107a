/**
 * The pixel module of a derived instance. Super-resolution output keeps the source's stored
 * representation (bits, sign, rescale, photometric); an uncertainty map gets its own (options).
 * Pixel data is always written uncompressed, little endian, with statistics recomputed and stale
 * values (padding, windows that no longer fit) dropped.
 */
import { MedsrError } from '../shared/errors';
import { storedRange } from './transforms/stored-range';
import type { DicomInstance } from './types';
import { type DicomDataset, get, put, remove } from './write-derived-dataset';
import type { DerivedOptions } from './write-derived-options';
import { keepSensibleWindows, setWindow } from './write-derived-window';

export interface StoredRepresentation {
  bitsAllocated: 8 | 16 | 32;
  bitsStored: number;
  signed: boolean;
  rescaleSlope: number;
  rescaleIntercept: number;
  photometricInterpretation: string;
  /** Whether RescaleSlope/Intercept are written (uncertainty maps of IODs without a Modality LUT omit them). */
  rescale: boolean;
}

/** Encapsulation and pixel-level attributes that describe the source's bytes, not ours. */
const SOURCE_PIXEL_ONLY = [
  'ExtendedOffsetTable',
  'ExtendedOffsetTableLengths',
  'FloatPixelData',
  'DoubleFloatPixelData',
  'PixelDataProviderURL',
  'PlanarConfiguration',
  'IconImageSequence',
  'SmallestPixelValueInSeries',
  'LargestPixelValueInSeries',
  'DataSetTrailingPadding',
];

/** What an uncertainty map cannot inherit: the source's value meaning and display. */
const SOURCE_VALUE_MEANING = [
  'PixelPaddingValue',
  'PixelPaddingRangeLimit',
  'ModalityLUTSequence',
  'RealWorldValueMappingSequence',
  'PresentationLUTShape',
];

/** Legacy MR Image has no Modality LUT module: a rescale there is non-standard (dciodvfy warns). */
const WITHOUT_MODALITY_LUT = new Set(['1.2.840.10008.5.1.4.1.1.4']);

/** Whether a derived image of `source` may carry RescaleSlope/Intercept of its own (see uncertaintyToStored). */
export function supportsRescale(source: DicomInstance): boolean {
  return !WITHOUT_MODALITY_LUT.has(source.sopClassUID);
}

export function outputRepresentation(source: DicomInstance, options: DerivedOptions): StoredRepresentation {
  const rep = options.pixelRepresentation;
  if (options.kind === 'uncertainty' && rep) {
    if (!supportsRescale(source) && (rep.rescaleSlope !== 1 || rep.rescaleIntercept !== 0)) {
      throw new MedsrError('internal', 'derived.options', `${source.sopClassUID} has no Modality LUT: store the uncertainty map with slope 1 (uncertaintyToStored allowRescale: false)`, { file: source.ref.label });
    }
    return {
      rescale: supportsRescale(source),
      bitsAllocated: rep.bitsStored <= 8 ? 8 : 16,
      bitsStored: rep.bitsStored,
      signed: rep.signed,
      rescaleSlope: rep.rescaleSlope,
      rescaleIntercept: rep.rescaleIntercept,
      photometricInterpretation: 'MONOCHROME2',
    };
  }
  const { bitsAllocated, bitsStored, pixelRepresentation, rescaleSlope, rescaleIntercept, photometricInterpretation } = source.pixel;
  if (bitsAllocated !== 8 && bitsAllocated !== 16 && bitsAllocated !== 32) {
    throw new MedsrError('unsupported', 'derived.bits_allocated', `cannot write BitsAllocated ${bitsAllocated}`, { file: source.ref.label });
  }
  return { bitsAllocated, bitsStored, signed: pixelRepresentation === 1, rescaleSlope, rescaleIntercept, photometricInterpretation, rescale: true };
}

/** Frames concatenated as little-endian words of BitsAllocated bits (even length, as DICOM requires). */
export function encodePixelData(frames: readonly Int32Array[], rep: StoredRepresentation): ArrayBuffer {
  const bytesPerValue = rep.bitsAllocated / 8;
  const count = frames.reduce((n, f) => n + f.length, 0);
  const buffer = new ArrayBuffer((count * bytesPerValue + 1) & ~1);
  const view = new DataView(buffer);
  const range = storedRange(rep.bitsStored, rep.signed);
  let offset = 0;
  frames.forEach((frame, f) => {
    for (let i = 0; i < frame.length; i++, offset += bytesPerValue) {
      const v = frame[i]!;
      if (v < range.min || v > range.max) {
        throw new MedsrError('internal', 'derived.pixel_range', `frame ${f} value ${v} at ${i} is outside the stored range [${range.min}, ${range.max}]`);
      }
      if (bytesPerValue === 1) view.setUint8(offset, v & 0xff);
      else if (bytesPerValue === 2) view.setUint16(offset, v & 0xffff, true);
      else view.setUint32(offset, v >>> 0, true);
    }
  });
  return buffer;
}

function extremes(frames: readonly Int32Array[]): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const frame of frames) for (const v of frame) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/**
 * Attributes whose VR is US or SS by PixelRepresentation. From an Implicit VR source dcmjs cannot
 * tell and reads them as US; we write explicit VR, so a signed image's values are re-read as SS.
 */
const PIXEL_VALUED = ['PixelPaddingValue', 'PixelPaddingRangeLimit'];

function fixPixelValuedVrs(ds: DicomDataset, signed: boolean): void {
  for (const keyword of PIXEL_VALUED) {
    const values = get(ds, keyword);
    if (!values) continue;
    const numbers = values.map(Number);
    put(ds, keyword, signed ? numbers.map((v) => (v > 0x7fff ? v - 0x10000 : v)) : numbers, signed ? 'SS' : 'US');
  }
}

/** Sets the Image Pixel module (and the representation's rescale/window) for `frames`. */
export function applyPixelModule(ds: DicomDataset, frames: readonly Int32Array[], options: DerivedOptions, rep: StoredRepresentation): void {
  remove(ds, ...SOURCE_PIXEL_ONLY);
  put(ds, 'Rows', [options.rows]);
  put(ds, 'Columns', [options.columns]);
  put(ds, 'SamplesPerPixel', [1]);
  put(ds, 'PhotometricInterpretation', [rep.photometricInterpretation]);
  put(ds, 'BitsAllocated', [rep.bitsAllocated]);
  put(ds, 'BitsStored', [rep.bitsStored]);
  put(ds, 'HighBit', [rep.bitsStored - 1]);
  put(ds, 'PixelRepresentation', [rep.signed ? 1 : 0]);

  const stored = extremes(frames);
  const pixelVr = rep.signed ? 'SS' : 'US';
  if (rep.bitsAllocated <= 16 && Number.isFinite(stored.min)) {
    put(ds, 'SmallestImagePixelValue', [stored.min], pixelVr);
    put(ds, 'LargestImagePixelValue', [stored.max], pixelVr);
  } else {
    remove(ds, 'SmallestImagePixelValue', 'LargestImagePixelValue');
  }

  const toModality = (v: number) => v * rep.rescaleSlope + rep.rescaleIntercept;
  const modality = { min: Math.min(toModality(stored.min), toModality(stored.max)), max: Math.max(toModality(stored.min), toModality(stored.max)) };
  if (options.kind === 'uncertainty') {
    remove(ds, ...SOURCE_VALUE_MEANING, 'RescaleSlope', 'RescaleIntercept', 'RescaleType');
    if (rep.rescale) {
      put(ds, 'RescaleSlope', [rep.rescaleSlope]);
      put(ds, 'RescaleIntercept', [rep.rescaleIntercept]);
    }
    // A window of our own over the map's range: nothing about the source's display applies.
    setWindow(ds, { center: (modality.min + modality.max) / 2, width: Math.max(modality.max - modality.min, 1) }, 'UNCERTAINTY');
  } else {
    fixPixelValuedVrs(ds, rep.signed);
    keepSensibleWindows(ds, modality);
  }
  put(ds, 'PixelData', [encodePixelData(frames, rep)], rep.bitsAllocated === 8 ? 'OB' : 'OW');
}
