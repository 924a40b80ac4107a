/**
 * The narrow functions service/ needs from ingest and pipeline. The composition root passes the
 * real ones (src/service/runtime.ts); tests can pass small real implementations of their own.
 * Signatures match the module APIs of src/ingest and src/pipeline.
 */
import type { DecodedFrame, DicomInstance, InputRef, ReadResult } from '../ingest/types';

/** src/ingest readInputs: files, directories, zips, DICOMDIR; one result per instance or failure. */
export type ReadInputs = (paths: string[]) => AsyncIterable<ReadResult>;

/** src/ingest readDicomBytes: parse one Part 10 buffer; throws MedsrError. */
export type ReadDicomBytes = (bytes: Uint8Array, ref: InputRef) => DicomInstance;

/** src/ingest transcodeToNative: the instance with its pixels stored uncompressed. */
export type TranscodeToNative = (instance: DicomInstance) => Promise<Uint8Array>;

/** src/ingest decodeFrame. */
export type DecodeFrame = (instance: DicomInstance, frameIndex: number) => Promise<DecodedFrame>;

import type { UpscaleRequestOptions } from '../shared/upscale-options';
import type { PathCounts } from './mixed-paths';

/** What a caller may ask of one upscale (the one definition); validated by the API's and CLI's parsers. */
export type UpscaleOptions = UpscaleRequestOptions;

/** Identity of the derived series a slice is written into (one per source series per job). */
export interface DerivedTarget {
  seriesInstanceUID: string;
  uncertaintySeriesInstanceUID: string;
  /** Deterministic per (job, source instance) so a retried slice never makes a second instance. */
  sopInstanceUID: string;
  uncertaintySopInstanceUID: string;
}

/** A derived instance's pixels as written: stored values frame by frame, and how to read them. */
export interface DerivedPixels {
  frames: Int32Array[];
  rows: number;
  columns: number;
  bitsStored: number;
  pixelRepresentation: 0 | 1;
  rescaleSlope: number;
  rescaleIntercept: number;
  photometricInterpretation: string;
}

export interface SliceOutput {
  /** Part 10 bytes of the derived (super-resolved) instance. */
  derived: Uint8Array;
  /** The pixels in `derived`, kept from before they were written (the sync API's PNG is made from them). */
  derivedPixels: DerivedPixels;
  /** Part 10 bytes of the uncertainty instance, when more than one sample was drawn. */
  uncertainty?: Uint8Array;
  timings?: Record<string, number>;
  /** How the degradation was handled (asked for, run as, detector probability), as DerivationDescription records it. */
  degradation?: string;
  /** The paths its frames (and mosaic tiles) ran down: the degradation told, or in `auto` the detector's pick (`auto`: blind). */
  paths?: PathCounts;
}

export interface SliceRequest {
  options: UpscaleOptions;
  /** Absent for one-off synchronous requests: fresh UIDs are made. */
  target?: DerivedTarget;
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

/**
 * Upscales one instance into derived DICOM. The real one is `upscaleInstance` bound to its deps;
 * the job engine and API only ever see this.
 */
export type SliceProcessor = (instance: DicomInstance, request: SliceRequest) => Promise<SliceOutput>;

/** Whether the model is loaded and which execution provider runs it (for /readyz). */
export interface ModelStatus {
  ready: boolean;
  provider?: string;
  model?: string;
}
