/**
 * Derived Enhanced (multi-frame, functional group) objects: Enhanced MR and CT define their own
 * Image Type (PS3.3 C.8.13.1.1.1, C.8.15.2.1.1.1, C.8.16.1) with four values, Value 2 PRIMARY
 * only (SECONDARY is not allowed there), and each frame repeats it as FrameType (C.8.13.5.1,
 * C.8.15.3.1). The MR Pulse Sequence and Bulk Motion attributes are Type 1C "required if Image
 * Type Value 1 is ORIGINAL or MIXED" and may not appear on a DERIVED image (dciodvfy flags each).
 * Geometry of the functional groups is scaled in write-derived-geometry.
 */
import type { DicomInstance } from './types';
import { type DicomDataset, get, getString, items, put, remove } from './write-derived-dataset';

/** Frame type sequences of the functional groups, by the IOD that defines them. */
const FRAME_TYPE_SEQUENCES = ['MRImageFrameTypeSequence', 'CTImageFrameTypeSequence'];

const ENHANCED_MR_SOP_CLASSES = new Set([
  '1.2.840.10008.5.1.4.1.1.4.1', // Enhanced MR Image Storage
  '1.2.840.10008.5.1.4.1.1.4.3', // Enhanced MR Color Image Storage
]);

/** MR Pulse Sequence (C.8.13.4) and Bulk Motion Synchronization attributes: only for ORIGINAL/MIXED images. */
const MR_ORIGINAL_ONLY = [
  'PulseSequenceName',
  'MRAcquisitionType',
  'EchoPulseSequence',
  'MultipleSpinEcho',
  'MultiPlanarExcitation',
  'PhaseContrast',
  'VelocityEncodingAcquisitionSequence',
  'TimeOfFlightContrast',
  'ArterialSpinLabelingContrast',
  'SteadyStatePulseSequence',
  'EchoPlanarPulseSequence',
  'SaturationRecovery',
  'SpectrallySelectedSuppression',
  'OversamplingPhase',
  'GeometryOfKSpaceTraversal',
  'RectilinearPhaseEncodeReordering',
  'SegmentedKSpaceTraversal',
  'CoverageOfKSpace',
  'NumberOfKSpaceTrajectories',
  'BulkMotionCompensationTechnique',
  'BulkMotionSignalSource',
];

/** Whether the dataset is an enhanced multi-frame object (it has functional groups). */
export function isEnhanced(ds: DicomDataset): boolean {
  return get(ds, 'SharedFunctionalGroupsSequence') !== undefined || get(ds, 'PerFrameFunctionalGroupsSequence') !== undefined;
}

/**
 * DERIVED\PRIMARY\<image flavor>\<derived pixel contrast>: flavor kept from the source, and the
 * pixel contrast kept when the source names one, NONE being reserved for ORIGINAL images.
 */
export function enhancedImageType(source: readonly (string | undefined)[]): string[] {
  const flavor = source[2]?.trim() || 'NONE';
  const contrast = source[3]?.trim();
  return ['DERIVED', 'PRIMARY', flavor, contrast && contrast !== 'NONE' ? contrast : 'RESAMPLED'];
}

function imageTypeOf(ds: DicomDataset, keyword: string): string[] {
  return [0, 1, 2, 3].map((i) => getString(ds, keyword, i) ?? '');
}

/** ImageType, every FrameType, and the attributes a derived Enhanced MR image may not carry. */
export function applyEnhanced(ds: DicomDataset, source: Pick<DicomInstance, 'sopClassUID' | 'sopInstanceUID' | 'studyInstanceUID' | 'seriesInstanceUID'>): void {
  const { sopClassUID } = source;
  put(ds, 'ImageType', enhancedImageType(imageTypeOf(ds, 'ImageType')));
  for (const group of [...items(ds, 'SharedFunctionalGroupsSequence'), ...items(ds, 'PerFrameFunctionalGroupsSequence')]) {
    for (const sequence of FRAME_TYPE_SEQUENCES) {
      for (const frameType of items(group, sequence)) {
        if (get(frameType, 'FrameType') !== undefined) put(frameType, 'FrameType', enhancedImageType(imageTypeOf(frameType, 'FrameType')));
      }
    }
  }
  if (ENHANCED_MR_SOP_CLASSES.has(sopClassUID)) remove(ds, ...MR_ORIGINAL_ONLY);
  addDerivationImage(ds);
  addSourceImageEvidence(ds, source);
}

/**
 * The source as Hierarchical SOP Instance Reference (C.17.2.1): required once a functional
 * group names source images (C.8.13.2's Type 1C SourceImageEvidenceSequence).
 */
function addSourceImageEvidence(ds: DicomDataset, source: Pick<DicomInstance, 'sopClassUID' | 'sopInstanceUID' | 'studyInstanceUID' | 'seriesInstanceUID'>): void {
  const sop: DicomDataset = {};
  put(sop, 'ReferencedSOPClassUID', [source.sopClassUID]);
  put(sop, 'ReferencedSOPInstanceUID', [source.sopInstanceUID]);
  const series: DicomDataset = {};
  put(series, 'SeriesInstanceUID', [source.seriesInstanceUID]);
  put(series, 'ReferencedSOPSequence', [sop]);
  const study: DicomDataset = {};
  put(study, 'StudyInstanceUID', [source.studyInstanceUID]);
  put(study, 'ReferencedSeriesSequence', [series]);
  put(ds, 'SourceImageEvidenceSequence', [study]);
}

/**
 * Enhanced IODs say how frames were derived in the Derivation Image functional group (C.7.6.16.2.6):
 * the same description, codes and source reference as the top level, shared by every frame. The
 * top-level copies stay for readers that look there.
 */
function addDerivationImage(ds: DicomDataset): void {
  const shared = items(ds, 'SharedFunctionalGroupsSequence')[0] ?? {};
  const derivation: DicomDataset = {};
  for (const keyword of ['DerivationDescription', 'DerivationCodeSequence', 'SourceImageSequence']) {
    const values = get(ds, keyword);
    if (values !== undefined) put(derivation, keyword, values);
  }
  put(shared, 'DerivationImageSequence', [derivation]);
  put(ds, 'SharedFunctionalGroupsSequence', [shared]);
}
