import type { Tensor } from '../shared/tensor';
import { classicalUpsample, regressionUpsample, type ClassicalBaseline } from './baselines';
import { applyConsistency } from './consistency';
import type { DegradationKind } from './degrade';
import { ctBlurSigma, defaultDegradationMode, floorDepth, type DegradationMode } from './manifest';
import { bodyMask, psnr, ssim } from './metrics';
import type { LoadedModel } from './model';
import { planeOf, type Plane } from './plane';
import type { KnownResampler } from './resample/resamplers';
import { runUpscale } from './upscale';

export interface EvalRow {
  method: string;
  psnr: number;
  psnrMask: number;
  ssim: number;
  ssimMask: number;
  /** ||A(out) - lr|| / ||lr|| where the method applies data consistency. */
  dcResidual?: number;
  ms: number;
}

export interface EvalOptions {
  scale: 2 | 4;
  /** The degradation that made the LR slice. */
  degradation: DegradationKind;
  /** What the pipeline is told (default: the model's default, `auto` for model 2.0); `diffusion+dc told` is added when it differs. */
  mode?: DegradationMode;
  modality: string;
  prompt: string;
  steps?: number;
  samples?: number;
  seed?: number;
  /** For `bicubic`: the downsampler that made the LR slice (default: the contract's bicubic); the told run is told it too. */
  resampler?: KnownResampler;
  /** The LR's storage floor in the normalised domain (UpscaleOptions.storageFloor), when its file has one. */
  storageFloor?: number;
  /** Body-mask threshold in the normalised domain (default: the recipe's MR rule on HR). */
  bodyThreshold?: number;
  /** Receives each method's output image, e.g. for a figure. */
  onOutput?: (method: string, image: Plane) => void;
}

/**
 * Scores every method on one slice against its HR original (both normalised with the LR's
 * parameters by the caller): the classical baselines, zero-filled Fourier for k-space data, the
 * regression network with and without data consistency, and the diffusion pipeline. PSNR/SSIM
 * over the whole frame and inside the body mask (peak 2, the normalised range).
 */
export async function evaluateSlice(model: LoadedModel, hrTensor: Tensor, lrTensor: Tensor, options: EvalOptions): Promise<EvalRow[]> {
  const hr = planeOf(hrTensor);
  const lr = planeOf(lrTensor);
  const mask = bodyMask(hr, options.bodyThreshold);
  const made = options.resampler ? { resampler: { [options.resampler]: 1 } } : {};
  const dcOptions = { blurSigma: ctBlurSigma(model.manifest), auto: model.manifest.consistency?.auto, modality: options.modality, storageFloor: options.storageFloor, floorDepth: floorDepth(model.manifest) };
  const truthOptions = { ...dcOptions, ...made };
  const mode = options.mode ?? defaultDegradationMode(model.manifest, options.modality);
  const rows: EvalRow[] = [];
  const score = (method: string, out: Plane, ms: number, dcResidual?: number): void => {
    options.onOutput?.(method, out);
    rows.push({ method, psnr: psnr(out, hr), psnrMask: psnr(out, hr, mask), ssim: ssim(out, hr), ssimMask: ssim(out, hr, mask), ms, ...(dcResidual === undefined ? {} : { dcResidual }) });
  };
  const timed = async <T>(work: () => Promise<T> | T): Promise<[T, number]> => {
    const start = performance.now();
    const value = await work();
    return [value, performance.now() - start];
  };

  const classical: ClassicalBaseline[] = ['bicubic', 'lanczos', ...(options.degradation === 'kspace' ? (['zero-fill'] as const) : [])];
  let bicubic: [Plane, number] | undefined;
  for (const kind of classical) {
    const [out, ms] = await timed(() => classicalUpsample(lr, options.scale, kind));
    score(kind, out, ms);
    if (kind === 'bicubic') bicubic = [out, ms];
  }
  // not a goal baseline: shows how much of a model's gain the projection alone gives
  const [bicubicOut, bicubicMs] = bicubic!;
  const [bicubicDc, dcMs] = await timed(() => applyConsistency(bicubicOut, lr, options.scale, options.degradation, truthOptions));
  score('bicubic+dc', bicubicDc.image, bicubicMs + dcMs, bicubicDc.residual);
  if (model.graphs.regression) {
    // the regression is blind (told nothing): it gets the projection of the pipeline's mode
    const [out, ms] = await timed(() => regressionUpsample(model, lr, options.scale, options.modality, mode));
    score('regression', out, ms);
    const [dc, dcMs] = await timed(() => applyConsistency(out, lr, options.scale, mode, dcOptions));
    score('regression+dc', dc.image, ms + dcMs, dc.residual);
  }
  const diffusion = (degradation: DegradationMode, told: { resampler?: KnownResampler } = {}) => timed(() =>
    runUpscale(model, lrTensor, {
      scale: options.scale, modality: options.modality, prompt: options.prompt, degradation, ...told,
      ...(options.steps === undefined ? {} : { steps: options.steps }),
      ...(options.samples === undefined ? {} : { samples: options.samples }),
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(options.storageFloor === undefined ? {} : { storageFloor: options.storageFloor }),
    }),
  );
  const [result, ms] = await diffusion(mode);
  score('diffusion+dc', planeOf(result.mean), ms, result.dcResidual);
  if (mode !== options.degradation || options.resampler) {
    // the same pipeline told what made the input (its words, its exact projection; the downsampler, when one is named)
    const [told, toldMs] = await diffusion(options.degradation, options.resampler ? { resampler: options.resampler } : {});
    score('diffusion+dc told', planeOf(told.mean), toldMs, told.dcResidual);
  }
  return rows;
}
