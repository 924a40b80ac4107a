/**
 * What a derived instance says about itself: the AI / NOT FOR DIAGNOSTIC USE labels, how it was
 * derived (codes and text), from what (SourceImageSequence), by what (ContributingEquipment), when.
 */
import type { DicomInstance } from './types';
import { codeItem, type CodedConcept, type DicomDataset, get, items, put } from './write-derived-dataset';
import type { DicomNow } from './write-derived-datetime';
import type { DerivedOptions } from './write-derived-options';

export const NOT_FOR_DIAGNOSTIC_USE = 'NOT FOR DIAGNOSTIC USE';
const LO_MAX = 64;
const ST_MAX = 1024;

/** PS3.16 codes (DCM scheme). */
export const CODES = {
  spatialResampling: { value: '113085', scheme: 'DCM', meaning: 'Spatial resampling' },
  sourceImage: { value: '121322', scheme: 'DCM', meaning: 'Source image for image processing operation' },
  // CID 7005 (Contributing Equipment Purpose of Reference): the equipment that processed the image.
  processingEquipment: { value: '109102', scheme: 'DCM', meaning: 'Processing Equipment' },
} satisfies Record<string, CodedConcept>;

const LABELS: Record<DerivedOptions['kind'], { short: string; long: string; mentions: RegExp }> = {
  'super-resolution': {
    short: `AI super-resolution, ${NOT_FOR_DIAGNOSTIC_USE}`,
    long: 'Derived image: in-plane AI super-resolution (latent diffusion) of the source image',
    mentions: /super-?resolution/i,
  },
  uncertainty: {
    short: `AI SR uncertainty (per-pixel SD), ${NOT_FOR_DIAGNOSTIC_USE}`,
    long: 'Derived image: uncertainty (per-pixel standard deviation of the error as calibrated on validation, in modality units) of an AI super-resolution of the source image',
    mentions: /uncertainty/i,
  },
};

/** Base text plus the kind's label, cut to LO's 64 characters by shortening the base, never the label. */
export function seriesDescriptionFor(base: string, kind: DerivedOptions['kind']): string {
  const label = LABELS[kind];
  const trimmed = base.trim();
  if (trimmed.length <= LO_MAX && trimmed.toUpperCase().includes(NOT_FOR_DIAGNOSTIC_USE) && label.mentions.test(trimmed)) return trimmed;
  const room = LO_MAX - label.short.length - 3;
  const head = trimmed.slice(0, Math.max(room, 0)).trim();
  return head ? `${head} [${label.short}]` : label.short;
}

export function applyLabels(ds: DicomDataset, source: DicomInstance, options: DerivedOptions, now: DicomNow): void {
  // values 3 and on say what the image is (AXIAL, the vendor's M\ND\MOSAIC): kept, so readers
  // such as dcm2niix still see a MOSAIC as one
  const rest = (get(ds, 'ImageType') ?? []).slice(2).map((v) => (typeof v === 'string' ? v.trim() : '')).filter(Boolean);
  put(ds, 'ImageType', ['DERIVED', 'SECONDARY', ...rest]);
  put(ds, 'SeriesDescription', [seriesDescriptionFor(options.seriesDescription, options.kind)]);
  const derivation = options.derivationDescription.trim().slice(0, ST_MAX);
  put(ds, 'DerivationDescription', [derivation]);
  put(ds, 'ImageComments', [`${LABELS[options.kind].long} (medsr ${options.softwareVersion}, x${options.scale}). ${NOT_FOR_DIAGNOSTIC_USE}. ${derivation}`.trim()]);
  put(ds, 'DerivationCodeSequence', [codeItem(CODES.spatialResampling)]);

  const reference: DicomDataset = {};
  put(reference, 'ReferencedSOPClassUID', [source.sopClassUID]);
  put(reference, 'ReferencedSOPInstanceUID', [source.sopInstanceUID]);
  put(reference, 'PurposeOfReferenceCodeSequence', [codeItem(CODES.sourceImage)]);
  put(ds, 'SourceImageSequence', [reference]);

  const equipment: DicomDataset = {};
  put(equipment, 'Manufacturer', ['medsr']);
  put(equipment, 'ManufacturerModelName', ['medsr']);
  put(equipment, 'SoftwareVersions', [options.softwareVersion.slice(0, LO_MAX)]);
  put(equipment, 'ContributionDateTime', [now.dateTime]);
  put(equipment, 'ContributionDescription', [`AI super-resolution x${options.scale}`.slice(0, ST_MAX)]);
  put(equipment, 'PurposeOfReferenceCodeSequence', [codeItem(CODES.processingEquipment)]);
  // Earlier contributors (e.g. a de-identifier) stay on record; we add ourselves.
  put(ds, 'ContributingEquipmentSequence', [...items(ds, 'ContributingEquipmentSequence'), equipment]);

  put(ds, 'InstanceCreationDate', [now.date]);
  put(ds, 'InstanceCreationTime', [now.time]);
  put(ds, 'ContentDate', [now.date]);
  put(ds, 'ContentTime', [now.time]);
}
