/**
 * The shapes that leave src/ingest. Readers produce DicomInstance; series assembly groups them;
 * pixel transforms turn a decoded frame into a conditioning tensor and back; write-back clones
 * an instance into a derived one. Other layers depend on these types, never on dicom-parser.
 */
import type { MedsrError } from '../shared/errors';

/** Where an instance came from: a file, or an entry inside a zip archive. */
export interface InputRef {
  /** File on disk (the archive itself for zip entries). */
  path: string;
  /** Entry name inside the archive, when the file is a zip. */
  entry?: string;
  /** What users see: `study.zip!DICOM/IM0001` or the file path. */
  label: string;
}

export interface ImageGeometry {
  imagePositionPatient: [number, number, number] | undefined;
  imageOrientationPatient: [number, number, number, number, number, number] | undefined;
  /** [row spacing (between rows), column spacing (between columns)] in mm, as DICOM orders them. */
  pixelSpacing: [number, number] | undefined;
  sliceThickness: number | undefined;
}

export interface PixelDescription {
  transferSyntaxUID: string;
  rows: number;
  columns: number;
  frames: number;
  samplesPerPixel: number;
  photometricInterpretation: string;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  /** 0 unsigned, 1 two's complement. */
  pixelRepresentation: 0 | 1;
  planarConfiguration: 0 | 1;
  rescaleSlope: number;
  rescaleIntercept: number;
}

/** DICOM attributes (by keyword) the prompt builder reads; see docs/model-contract.md. */
export interface PromptMetadata {
  Modality?: string;
  BodyPartExamined?: string;
  SeriesDescription?: string;
  StudyDescription?: string;
  ProtocolName?: string;
  SequenceName?: string;
  RepetitionTime?: number;
  EchoTime?: number;
  DiffusionBValue?: number;
  ImageOrientationPatient?: number[];
}

/** A MOSAIC frame: `images` slices in a `grid` x `grid` array of tileRows x tileColumns tiles. */
export interface MosaicLayout {
  images: number;
  grid: number;
  tileRows: number;
  tileColumns: number;
}

export interface DicomInstance {
  ref: InputRef;
  sopClassUID: string;
  sopInstanceUID: string;
  studyInstanceUID: string;
  seriesInstanceUID: string;
  frameOfReferenceUID: string | undefined;
  modality: string;
  instanceNumber: number | undefined;
  seriesNumber: number | undefined;
  seriesDescription: string | undefined;
  studyDescription: string | undefined;
  pixel: PixelDescription;
  geometry: ImageGeometry;
  promptMetadata: PromptMetadata;
  /**
   * The lines the scanner acquired along the image's rows and columns axes (AcquisitionMatrix and
   * InPlanePhaseEncodingDirection, MR). The pipeline keeps an input smaller than that from gaining detail beyond
   * the acquired band.
   */
  acquiredMatrix?: { rows: number; columns: number };
  /** Present for a Siemens MOSAIC: each frame is a grid of slices, upscaled tile by tile. */
  mosaic?: MosaicLayout;
  /** The Part 10 bytes, kept so write-back can clone the dataset. */
  bytes: Uint8Array;
}

/**
 * One decoded frame in the stored-value domain: sign-extended and masked to BitsStored, before
 * the modality LUT. Colour frames are interleaved (RGB RGB ...) whatever the planar configuration
 * of the source.
 */
export interface DecodedFrame {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  photometricInterpretation: string;
  stored: Int32Array;
}

export type ReadResult =
  | { ok: true; instance: DicomInstance }
  /**
   * `skipped` marks valid DICOM that is not an image (SR, RT plan, ...): reported with its
   * reason, but not a failure of the batch.
   */
  | { ok: false; ref: InputRef; error: MedsrError; skipped?: boolean };

/** Size limits that keep hostile or broken inputs (zip bombs, absurd headers) bounded. */
export interface ReadLimits {
  /** Largest single file or archive entry read into memory. */
  maxFileBytes: number;
  /** Largest rows * columns * samples of one frame. */
  maxFrameSamples: number;
  /** Largest rows * columns * samples * frames of one instance. */
  maxInstanceSamples: number;
  /**
   * Total bytes inflated from the archives of one read (one upload, one batch): judged from the
   * central directories before inflating, and counted again while streaming.
   */
  maxArchiveBytes: number;
  /** Entries (files and folders) in the archives of one read, counted before inflating. */
  maxArchiveEntries: number;
  /** Largest inflated/compressed ratio of one archive entry (past 1 MiB) and of a whole archive (past 256 MiB). */
  maxCompressionRatio: number;
}

export interface ReadOptions {
  limits?: Partial<ReadLimits>;
}

export interface Series {
  studyInstanceUID: string;
  seriesInstanceUID: string;
  modality: string;
  seriesNumber: number | undefined;
  description: string | undefined;
  /** Ordered along the slice normal, then by InstanceNumber. */
  instances: DicomInstance[];
  /** Human-readable notes: duplicate positions, gaps in spacing, mixed sizes. */
  warnings: string[];
}

export interface Study {
  studyInstanceUID: string;
  description: string | undefined;
  series: Series[];
}
