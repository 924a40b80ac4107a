/** src/pipeline public API: Tensor -> Tensor super-resolution, no DICOM, no HTTP. */
export { loadManifest, parseManifest, degradationFor, ctBlurSigma, type Manifest, type SchedulerConfig } from './manifest';
export { createSuperResolver } from './worker/pool';
export type { PoolEvents, PoolState, SuperResolver, SuperResolverOptions, UpscaleOptions, UpscaleResult, AppliedSettings, Device } from './types';
export { loadModel, disposeModel, type LoadedModel } from './model';
export { logFallback } from './runtime/onnx-session';
export { runUpscale, resolveOptions } from './upscale';
export { WordTokenizer, loadTokenizer } from './tokenizer';
export { createScheduler, normaliseSchedulerName, SCHEDULER_NAMES, type Scheduler } from './schedulers';
export { degrade, type DegradationKind } from './degrade';
export { applyConsistency, consistencyResidual } from './consistency';
export { bicubicUpsample } from './resample/bicubic';
export { lanczosUpsample, lanczosResize } from './resample/lanczos';
export { zeroFillUpsample } from './resample/zero-fill';
export { classicalUpsample, regressionUpsample, type ClassicalBaseline } from './baselines';
export { psnr, ssim, bodyMask, defaultBodyThreshold } from './metrics';
export { planeOf, tensorOf, type Plane } from './plane';
export { benchmark, syntheticSlice, DEFAULT_BENCH_CASES, type BenchRow, type BenchCase } from './bench';
export { evaluateSlice, type EvalRow, type EvalOptions } from './evaluate';
