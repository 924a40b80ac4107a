/**
 * Write-back: a derived Part 10 instance made from a deep copy of the source dataset with exactly
 * the changes /work/shared/DICOM-DERIVED.md lists: new SOP instance in a new series of the same
 * study and frame of reference, DERIVED\SECONDARY, how and from what it was derived, scaled
 * geometry, the new pixels in a stated representation, labels saying AI and NOT FOR DIAGNOSTIC USE.
 * Always uncompressed Explicit VR Little Endian, whatever the source's transfer syntax.
 */
import { MedsrError } from '../shared/errors';
import { parsedOf } from './read-dicom';
import type { DicomInstance } from './types';
import { MEDSR_IMPLEMENTATION_CLASS_UID, newUid } from './uid';
import { type DicomDataset, get, getString, put, readDataset, remove, tagOf, writePart10 } from './write-derived-dataset';
import { dicomNow, parseTimezoneOffset } from './write-derived-datetime';
import { applyEnhanced, isEnhanced } from './write-derived-enhanced';
import { applyScaledGeometry } from './write-derived-geometry';
import { applyLabels } from './write-derived-labels';
import { checkDerivedOptions, type DerivedOptions } from './write-derived-options';
import { applyPixelModule, outputRepresentation } from './write-derived-pixels';

export type { DerivedOptions, DerivedPixelRepresentation } from './write-derived-options';
export { supportsRescale } from './write-derived-pixels';

export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';

/** Transfer syntaxes whose compression may be lossy, with the method name PS3.3 C.7.6.1.1.5 gives it. */
const LOSSY_CAPABLE: Record<string, string> = {
  '1.2.840.10008.1.2.4.50': 'ISO_10918_1',
  '1.2.840.10008.1.2.4.51': 'ISO_10918_1',
  '1.2.840.10008.1.2.4.81': 'ISO_14495_1',
  '1.2.840.10008.1.2.4.91': 'ISO_15444_1',
  '1.2.840.10008.1.2.4.93': 'ISO_15444_2',
  '1.2.840.10008.1.2.4.203': 'ISO_15444_15',
};

/**
 * LossyImageCompression is about the pixels' whole history: "01" stays "01", and a source whose
 * transfer syntax may be lossy and that does not say otherwise is taken as lossy (we cannot prove
 * it was not, and our uncompressed copy must not launder it).
 */
export function keepLossyHistory(ds: DicomDataset, source: DicomInstance): void {
  const flag = getString(ds, 'LossyImageCompression');
  const method = LOSSY_CAPABLE[source.pixel.transferSyntaxUID];
  if (flag === '01' || flag === '00' || !method) return;
  put(ds, 'LossyImageCompression', ['01']);
  if (!getString(ds, 'LossyImageCompressionMethod')) put(ds, 'LossyImageCompressionMethod', [method]);
}

/**
 * Attributes about the source SOP instance itself rather than the image: who created it, the
 * signatures over its bytes (void once we change them), the concatenation it belonged to.
 */
const SOURCE_INSTANCE_ONLY = [
  'InstanceCreatorUID',
  'DigitalSignaturesSequence',
  'MACParametersSequence',
  'ConcatenationUID',
  'SOPInstanceUIDOfConcatenationSource',
  'InConcatenationNumber',
  'InConcatenationTotalNumber',
  'ConcatenationFrameOffsetNumber',
];

function fileMeta(sopClassUID: string, sopInstanceUID: string, softwareVersion: string): DicomDataset {
  const meta: DicomDataset = {};
  put(meta, 'FileMetaInformationVersion', [new Uint8Array([0, 1]).buffer]);
  put(meta, 'MediaStorageSOPClassUID', [sopClassUID]);
  put(meta, 'MediaStorageSOPInstanceUID', [sopInstanceUID]);
  put(meta, 'TransferSyntaxUID', [EXPLICIT_VR_LITTLE_ENDIAN]);
  put(meta, 'ImplementationClassUID', [MEDSR_IMPLEMENTATION_CLASS_UID]);
  put(meta, 'ImplementationVersionName', [`MEDSR_${softwareVersion}`.slice(0, 16)]);
  return meta;
}

/**
 * Type 2 attributes of the Patient and General Study modules: required, but allowed empty. Old or
 * anonymised sources often lack them; the derived object must still be valid, so they are
 * added empty (never invented).
 */
const TYPE2_PATIENT_STUDY = ['PatientName', 'PatientID', 'PatientBirthDate', 'PatientSex', 'StudyDate', 'StudyTime', 'ReferringPhysicianName', 'StudyID', 'AccessionNumber'];

function addMissingType2(ds: DicomDataset): void {
  for (const keyword of TYPE2_PATIENT_STUDY) if (get(ds, keyword) === undefined && !(tagOf(keyword) in ds)) put(ds, keyword, []);
}

export function writeDerived(source: DicomInstance, frames: Int32Array[], options: DerivedOptions): Uint8Array {
  checkDerivedOptions(source, frames, options);
  const representation = outputRepresentation(source, options);
  const { dict: ds } = readDataset(source.bytes, source.ref.label, parsedOf(source).dataSet);
  const sopInstanceUID = options.sopInstanceUID ?? newUid();
  const offset = parseTimezoneOffset(getString(ds, 'TimezoneOffsetFromUTC'));
  const now = dicomNow(options.now ?? new Date(), offset ?? 0);

  // StudyInstanceUID, FrameOfReferenceUID and InstanceNumber stay as cloned; an InstanceNumber
  // that is no IS ("NaN") is emptied (Type 2), not copied into an invalid file.
  if (source.instanceNumber === undefined && (get(ds, 'InstanceNumber')?.length ?? 0) > 0) put(ds, 'InstanceNumber', []);
  remove(ds, ...SOURCE_INSTANCE_ONLY);
  put(ds, 'SOPInstanceUID', [sopInstanceUID]);
  put(ds, 'SeriesInstanceUID', [options.seriesInstanceUID]);
  put(ds, 'SeriesNumber', [options.seriesNumber]);
  applyLabels(ds, source, options, now);
  if (isEnhanced(ds)) applyEnhanced(ds, source);
  applyScaledGeometry(ds, options.scale);
  applyPixelModule(ds, frames, options, representation);
  keepLossyHistory(ds, source);
  addMissingType2(ds);

  const written = writePart10(fileMeta(source.sopClassUID, sopInstanceUID, options.softwareVersion), ds, source.ref.label);
  assertBoundedOutput(written.byteLength, source, frames, options);
  return written;
}

/** Headroom for what write-back adds to the source's header (labels, references, equipment). */
const ADDED_HEADER_BYTES = 1024 * 1024;

/**
 * The derived file is the source's header plus the new pixels: never more. A bigger file means
 * something in the header was amplified, and it must not reach a client or a disk.
 */
function assertBoundedOutput(written: number, source: DicomInstance, frames: readonly Int32Array[], options: DerivedOptions): void {
  const pixelBytes = frames.length * options.rows * options.columns * 4;
  const bound = source.bytes.byteLength + pixelBytes + ADDED_HEADER_BYTES;
  if (written > bound) {
    throw new MedsrError('invalid_input', 'derived.amplified', `the derived file would be ${written} bytes, more than the source header and new pixels allow (${bound})`, { file: source.ref.label });
  }
}
