import type { DataSet } from 'dicom-parser';
import { MedsrError } from '../shared/errors';
import { checkElements } from './check-elements';
import { DEFAULT_READ_LIMITS, resolveLimits } from './limits';
import { parsePart10, type ParsedDicom } from './parse-part10';
import { describePixels } from './pixel-description';
import { readMosaic } from './mosaic';
import type { DicomInstance, ImageGeometry, InputRef, MosaicLayout, PromptMetadata, ReadOptions } from './types';

/** SOP class of a DICOMDIR (Media Storage Directory Storage). */
export const MEDIA_STORAGE_DIRECTORY = '1.2.840.10008.1.3.10';

/**
 * Parsed data sets, keyed by the instance's bytes, so that decoding the frames of one instance
 * parses it once. A WeakMap: an instance that is dropped takes its parse with it, and an
 * instance rebuilt elsewhere (same shape, new bytes) is simply parsed again.
 */
const parsedByBytes = new WeakMap<Uint8Array, ParsedDicom>();

/** Parses one Part 10 buffer (or a bare data set) into a DicomInstance; throws MedsrError. */
export function readDicomBytes(bytes: Uint8Array, ref: InputRef, options?: ReadOptions): DicomInstance {
  const read = readDicomOrDirectory(bytes, ref, options);
  if ('dicomdir' in read) {
    throw new MedsrError('unsupported', 'dicom.dicomdir', 'a DICOMDIR is an index of files, not an image', { file: ref.label });
  }
  return read.instance;
}

/** Like readDicomBytes, but hands back a DICOMDIR's data set instead of refusing it. */
export function readDicomOrDirectory(bytes: Uint8Array, ref: InputRef, options?: ReadOptions): { instance: DicomInstance } | { dicomdir: DataSet } {
  const limits = resolveLimits(options);
  const parsed = parsePart10(bytes, ref.label, limits.maxFileBytes);
  checkElements(parsed.dataSet, ref.label);
  try {
    if (isDicomdir(parsed.dataSet)) return { dicomdir: parsed.dataSet };
    const instance = instanceFromDataSet(parsed, bytes, ref, options);
    parsedByBytes.set(bytes, parsed);
    return { instance };
  } catch (err) {
    // dicom-parser reads values lazily: a value that runs past the end throws only now
    if (err instanceof MedsrError) throw err;
    throw new MedsrError('invalid_input', 'dicom.malformed', `malformed DICOM data set: ${err instanceof Error ? err.message : String(err)}`, { file: ref.label }, { cause: err });
  }
}

export function isDicomdir(dataSet: DataSet): boolean {
  const sopClass = clean(dataSet.string('x00020002') ?? dataSet.string('x00080016'));
  return sopClass === MEDIA_STORAGE_DIRECTORY || dataSet.elements['x00041220'] !== undefined;
}

/** The parsed data set of an instance, parsing its bytes again when it is not cached. */
export function parsedOf(instance: DicomInstance): ParsedDicom {
  let parsed = parsedByBytes.get(instance.bytes);
  if (!parsed) {
    parsed = parsePart10(instance.bytes, instance.ref.label, DEFAULT_READ_LIMITS.maxFileBytes);
    parsedByBytes.set(instance.bytes, parsed);
  }
  return parsed;
}

function instanceFromDataSet(parsed: ParsedDicom, bytes: Uint8Array, ref: InputRef, options?: ReadOptions): DicomInstance {
  const ds = parsed.dataSet;
  const file = ref.label;
  const sopInstanceUID = clean(ds.string('x00080018'));
  const studyInstanceUID = clean(ds.string('x0020000d'));
  const seriesInstanceUID = clean(ds.string('x0020000e'));
  const sopClassUID = clean(ds.string('x00080016') ?? ds.string('x00020002'));
  const pixel = describePixels(ds, parsed.transferSyntaxUID, file, resolveLimits(options));
  if (!sopInstanceUID) {
    throw new MedsrError('invalid_input', 'dicom.missing_uid', 'SOPInstanceUID (0008,0018) is missing', { file });
  }
  return {
    ref,
    sopClassUID: sopClassUID ?? '',
    sopInstanceUID,
    // a missing study/series UID still groups: by file, so it cannot merge with other studies
    studyInstanceUID: studyInstanceUID ?? `unknown-study:${file}`,
    seriesInstanceUID: seriesInstanceUID ?? `unknown-series:${file}`,
    frameOfReferenceUID: clean(ds.string('x00200052')),
    modality: clean(ds.string('x00080060')) ?? 'OT',
    instanceNumber: integerString(ds, 'x00200013'),
    seriesNumber: integerString(ds, 'x00200011'),
    seriesDescription: text(ds, 'x0008103e'),
    studyDescription: text(ds, 'x00081030'),
    pixel,
    geometry: readGeometry(ds),
    promptMetadata: readPromptMetadata(ds),
    ...acquiredMatrixOf(ds),
    ...mosaicOf(ds, pixel.rows, pixel.columns),
    bytes,
  };
}

function mosaicOf(ds: DataSet, rows: number, columns: number): { mosaic?: MosaicLayout } {
  const mosaic = readMosaic(ds, rows, columns);
  return mosaic ? { mosaic } : {};
}

/**
 * The acquired lines along the image's axes. AcquisitionMatrix (0018,1310: US x 4, frequency rows\frequency
 * columns\phase rows\phase columns, one of each pair 0) names the counts, not the axes: the phase-encoding count lies
 * along InPlanePhaseEncodingDirection (0018,1312; COL: down the columns, the rows axis), the frequency count across
 * it (a Siemens 96 x 128 slice, COL, has 128\0\0\96). Absent when either count or, for a rectangular matrix, the
 * direction is missing.
 */
function acquiredMatrixOf(ds: DataSet): { acquiredMatrix?: { rows: number; columns: number } } {
  if (ds.elements['x00181310']?.length !== 8) return {};
  const m = [0, 1, 2, 3].map((i) => ds.uint16('x00181310', i) ?? 0);
  const frequency = m[0] || m[1];
  const phase = m[2] || m[3];
  if (!frequency || !phase) return {};
  const direction = text(ds, 'x00181312')?.toUpperCase();
  if (direction === 'COL') return { acquiredMatrix: { rows: phase, columns: frequency } };
  if (direction === 'ROW') return { acquiredMatrix: { rows: frequency, columns: phase } };
  return frequency === phase ? { acquiredMatrix: { rows: phase, columns: phase } } : {};
}

function readGeometry(ds: DataSet): ImageGeometry {
  const position = numbers(ds, 'x00200032', 3);
  const orientation = numbers(ds, 'x00200037', 6);
  const spacing = numbers(ds, 'x00280030', 2) ?? numbers(ds, 'x00181164', 2);
  return {
    imagePositionPatient: position as ImageGeometry['imagePositionPatient'],
    imageOrientationPatient: orientation as ImageGeometry['imageOrientationPatient'],
    pixelSpacing: spacing as ImageGeometry['pixelSpacing'],
    sliceThickness: finite(ds.floatString('x00180050')),
  };
}

function readPromptMetadata(ds: DataSet): PromptMetadata {
  const meta: PromptMetadata = {};
  const set = <K extends keyof PromptMetadata>(key: K, value: PromptMetadata[K] | undefined): void => {
    if (value !== undefined && value !== '') meta[key] = value;
  };
  set('Modality', clean(ds.string('x00080060')));
  set('BodyPartExamined', text(ds, 'x00180015'));
  set('SeriesDescription', text(ds, 'x0008103e'));
  set('StudyDescription', text(ds, 'x00081030'));
  set('ProtocolName', text(ds, 'x00181030'));
  set('SequenceName', text(ds, 'x00180024'));
  set('RepetitionTime', finite(ds.floatString('x00180080')));
  set('EchoTime', finite(ds.floatString('x00180081')));
  set('DiffusionBValue', finite(ds.double('x00189087')) ?? finite(ds.floatString('x00189087')));
  set('ImageOrientationPatient', numbers(ds, 'x00200037', 6));
  return meta;
}

/** All `count` values of a multi-valued DS element, or undefined when any is missing. */
function numbers(ds: DataSet, tag: string, count: number): number[] | undefined {
  if (!ds.elements[tag]) return undefined;
  const values: number[] = [];
  for (let i = 0; i < count; i++) {
    const v = finite(ds.floatString(tag, i));
    if (v === undefined) return undefined;
    values.push(v);
  }
  return values;
}

/** An IS value, or undefined when it is absent or not an integer DICOM's IS can hold ("NaN", 1e12). */
function integerString(ds: DataSet, tag: string): number | undefined {
  const value = ds.intString(tag);
  return value !== undefined && Number.isInteger(value) && Math.abs(value) <= 2 ** 31 - 1 ? value : undefined;
}

function finite(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}

function text(ds: DataSet, tag: string): string | undefined {
  try {
    const value = ds.string(tag);
    return value ? value.trim() || undefined : undefined;
  } catch {
    return undefined;
  }
}

function clean(value: string | undefined): string | undefined {
  const v = value?.replace(/\0/g, '').trim();
  return v ? v : undefined;
}
