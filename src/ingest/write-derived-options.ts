/** What the caller decides about a derived instance, and the checks made before anything is written. */
import { MedsrError } from '../shared/errors';
import type { DicomInstance } from './types';
import { isValidUid } from './uid';

export interface DerivedPixelRepresentation {
  bitsStored: number;
  signed: boolean;
  rescaleSlope: number;
  rescaleIntercept: number;
}

export interface DerivedOptions {
  scale: number;
  rows: number;
  columns: number;
  seriesInstanceUID: string;
  seriesNumber: number;
  /** Base text (e.g. the source's description); the writer adds the mandatory AI / NOT FOR DIAGNOSTIC USE label. */
  seriesDescription: string;
  /** Model id + version/hash, scale, steps, samples, seed. */
  derivationDescription: string;
  kind: 'super-resolution' | 'uncertainty';
  softwareVersion: string;
  sopInstanceUID?: string;
  /** for 'uncertainty': stored values are in its own representation */
  pixelRepresentation?: DerivedPixelRepresentation;
  /** The clock for creation dates (tests pin it); defaults to now. */
  now?: Date;
}

function fail(message: string, file: string): never {
  throw new MedsrError('internal', 'derived.options', message, { file });
}

export function checkDerivedOptions(source: DicomInstance, frames: readonly Int32Array[], options: DerivedOptions): void {
  const file = source.ref.label;
  const { scale, rows, columns } = options;
  if (!(scale > 0) || !Number.isFinite(scale)) fail(`scale ${scale} must be a positive number`, file);
  if (rows !== Math.round(source.pixel.rows * scale) || columns !== Math.round(source.pixel.columns * scale)) {
    fail(`${rows} x ${columns} is not the source's ${source.pixel.rows} x ${source.pixel.columns} times ${scale}`, file);
  }
  if (rows > 65535 || columns > 65535) throw new MedsrError('too_large', 'derived.size', `${rows} x ${columns} exceeds DICOM's 65535 limit`, { file });
  if (source.pixel.samplesPerPixel !== 1) {
    throw new MedsrError('unsupported', 'pixels.colour', 'super-resolution handles greyscale only; cannot write a colour derived image', { file });
  }
  if (frames.length !== source.pixel.frames) fail(`${frames.length} frames given, the source has ${source.pixel.frames}`, file);
  frames.forEach((frame, i) => {
    if (frame.length !== rows * columns) fail(`frame ${i} holds ${frame.length} values, expected ${rows} x ${columns}`, file);
  });
  for (const [name, uid] of [['seriesInstanceUID', options.seriesInstanceUID], ['sopInstanceUID', options.sopInstanceUID]] as const) {
    if (uid !== undefined && !isValidUid(uid)) fail(`${name} "${uid}" is not a valid UID`, file);
  }
  if (!Number.isInteger(options.seriesNumber) || Math.abs(options.seriesNumber) > 2 ** 31 - 1) fail(`seriesNumber ${options.seriesNumber} is not an IS`, file);
  if (options.kind === 'uncertainty') {
    const rep = options.pixelRepresentation;
    if (!rep) fail('an uncertainty map needs options.pixelRepresentation', file);
    if (!Number.isInteger(rep.bitsStored) || rep.bitsStored < 1 || rep.bitsStored > 16) fail(`bitsStored ${rep.bitsStored} is outside 1..16`, file);
    if (!(rep.rescaleSlope > 0) || !Number.isFinite(rep.rescaleIntercept)) fail(`rescale ${rep.rescaleSlope}/${rep.rescaleIntercept} is not usable`, file);
  } else if (options.pixelRepresentation) {
    fail('super-resolution output keeps the source representation; pixelRepresentation is for uncertainty maps', file);
  }
}
