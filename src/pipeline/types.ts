import type { EventEmitter } from 'node:events';
import type { Tensor } from '../shared/tensor';
import type { AcquiredMatrix, BandLimit } from './band-limit';
import type { DegradationMode, Manifest } from './manifest';
import type { ResamplerName } from '../shared/upscale-options';
import type { KnownResampler } from './resample/resamplers';
import type { Device } from './runtime/onnx-session';

export type { Device };

export interface UpscaleOptions {
  scale: 2 | 4;
  /** DICOM modality (MR, CT, ...): picks the default degradation for data consistency. */
  modality: string;
  prompt: string;
  /** Sampling steps (default: manifest refiner.steps on the refiner's paths, else scheduler.default_steps). */
  steps?: number;
  /** K samples with seeds seed..seed+K-1; K > 1 gives the std map (default 1). */
  samples?: number;
  seed?: number;
  /** Classifier-free guidance (default: manifest scheduler.default_guidance; 1 = no uncond pass). */
  guidance?: number;
  /**
   * What made the LR input, if known: kspace (lower acquisition matrix), area (detector pixels),
   * bicubic (resampled), or auto (unknown; the default of models that support it).
   */
  degradation?: DegradationMode;
  /**
   * The lines the scanner acquired along each axis (the source's DICOM AcquisitionMatrix), when known: an MR input
   * smaller than that along an axis gets nothing beyond the acquired band there on an output grid larger than it.
   */
  acquiredMatrix?: AcquiredMatrix;
  /** Which downsampler made a resampled input, if known (default `auto`: the resampler detector's blend, or the contract's bicubic). */
  resampler?: ResamplerName;
  /**
   * The normalised value of the lowest value the source's pixels can store (an unsigned MR file's 0), when the
   * conditioning chain keeps the order of values: the k-space projection reads an input pixel there as that value or
   * less, since a lower matrix's ringing below it was clipped (pipeline/consistency/kspace.ts).
   */
  storageFloor?: number;
  /** ddim | ddpm | dpmsolver++ (default: manifest scheduler.type). */
  scheduler?: string;
  onProgress?: (fraction: number) => void;
  /**
   * Aborting it drops a queued upscale and stops a running one at its next denoising step (the
   * worker pool; runUpscale in-thread checks it per step too). Rejects with kind `cancelled`.
   */
  signal?: AbortSignal;
}

export interface UpscaleResult {
  /** [1, 1, h*s, w*s], normalised domain. */
  mean: Tensor;
  /** The uncertainty map: the samples' per-pixel std (with the mean's local gradient where the model weights it), calibrated; only when samples > 1. */
  std: Tensor | undefined;
  /** ||A(mean) - lr|| / ||lr|| after data consistency. */
  dcResidual: number;
  /** Milliseconds per stage (summed over tiles, samples, steps), plus counters. */
  timings: Record<string, number>;
  /** The settings that ran, defaults filled in from the manifest: what a derived image records. */
  settings: AppliedSettings;
}

export interface AppliedSettings {
  steps: number;
  samples: number;
  seed: number;
  guidance: number;
  scheduler: string;
  initStrength: number;
  /** The degradation mode that ran: the one asked for, or for `auto` the detector's pick (auto itself when it did not judge: the blind path, low-band projection). */
  degradation: DegradationMode;
  /** What the caller asked for (default: the model's default, `auto` for model 2.0). */
  requestedDegradation: DegradationMode;
  /** The detector's P(k-space truncation), when it routed an `auto` MR slice. */
  detectorProbabilityKspace?: number;
  /** The CT detector's P(larger detector pixels: the area path), when it routed an `auto` CT slice (model 2.9). */
  detectorProbabilityArea?: number;
  /** Why `auto` ran the path it did (the detector's P, its fallback, or the model's route for the modality). */
  degradationReason?: string;
  /** On the resampled path, the share of scikit-image's Gaussian + spline in the operator it projected onto (the rest: the contract's bicubic): the resampler detector's P (model 2.10, MR at x2). */
  gaussianSplineShare?: number;
  /** On the resampled path, the downsampler the caller named, which its projection's operator is. */
  resampler?: KnownResampler;
  /** The model's refiner ran after the projection (then the projection again): model 2.2 on the MR k-space path, 2.4 on both MR paths. */
  refined?: boolean;
  /** How many times the refiner ran, each time projected again (the manifest's `refiner.passes` for the path and scale). */
  refinerPasses?: number;
  /** Where the input's own spectrum ended inside its band (a scanner zero-filled it), per axis: the output keeps nothing beyond the input's band there (model 2.4.1, MR). */
  bandLimit?: BandLimit;
  /** The acquired matrix whose band limited the output, when the input was smaller than it and the output larger (MR). */
  acquiredMatrix?: AcquiredMatrix;
  /** The factor the uncertainty map was multiplied by (the model's calibration; 1 when it has none). */
  uncertaintyScale: number;
  /** The weight of the mean's local gradient, added to the samples' SD in quadrature in the uncertainty map (model 2.12.0 on). */
  uncertaintyGradientWeight?: number;
}

/** What the worker pool reports, so callers (and tests) wait on events rather than sleeps. */
export interface PoolEvents {
  /** A job went to a worker. */
  started: [{ id: number }];
  /** A job's signal aborted: `queued` ones are dropped, `running` ones told to stop. */
  cancelled: [{ id: number; stage: 'queued' | 'running' }];
  /** A cancelled running job left its worker: it stopped at a step (`answered`) or its worker was ended. */
  stopped: [{ id: number; how: 'answered' | 'terminated' }];
  /** An exited worker was replaced; the pool has `workers` again. */
  replaced: [{ workers: number }];
}

export interface PoolState {
  workers: number;
  running: number;
  /** Cancelled jobs whose workers have not yet reached their next step. */
  stopping: number;
  queued: number;
}

export interface SuperResolver {
  manifest: Manifest;
  provider: string;
  /** The file the inference workers run (the .ts source under jest, dist/ otherwise). */
  workerEntry: string;
  events: EventEmitter<PoolEvents>;
  state(): PoolState;
  upscale(input: Tensor, options: UpscaleOptions): Promise<UpscaleResult>;
  dispose(): Promise<void>;
}

export interface SuperResolverOptions {
  modelDir: string;
  device: Device;
  /** Inference worker threads, one set of sessions each (default 1). */
  workers?: number;
  /** onnxruntime intra-op threads per worker (0/undefined: runtime default). */
  intraOpThreads?: number;
}
