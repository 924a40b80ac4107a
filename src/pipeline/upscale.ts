import { MedsrError, throwIfCancelled } from '../shared/errors';
import { SeededRng } from '../shared/rng';
import type { Tensor } from '../shared/tensor';
import { describeLimit, optionConflict, UPSCALE_DEFAULTS, UPSCALE_LIMITS, withinLimit, type LimitedOption } from '../shared/upscale-options';
import { acquiredBand, bandLimitApplies, detectBandLimit, inputBand, keepBand, tighterBand } from './band-limit';
import { consistencyResidual, projectOntoInput } from './consistency';
import { conditionedPrompt, ctBlurSigma, defaultDegradationMode, degradationModes, floorDepth, uncertaintyGradientWeight, uncertaintyScale, type DegradationMode, type Manifest } from './manifest';
import type { LoadedModel } from './model';
import { planeOf, tensorOf, type Plane } from './plane';
import { conditionInput } from './resample/condition-input';
import { detectDegradation, detectorFor, probabilitySetting } from './degradation-detector';
import { gaussianShareFor } from './resampler-detector';
import { gaussianShareMix } from './resample/resamplers';
import { refine, refinerFor, refinerPasses } from './refine';
import { normaliseSchedulerName, SCHEDULER_NAMES } from './schedulers';
import { SrPipeline, type SamplingSettings } from './sr-pipeline';
import { crop, cropChannels, planTiles, reflectPad, TileBlender, tileSpec } from './tiling';
import { StageTimer } from './timings';
import type { UpscaleOptions, UpscaleResult } from './types';
import { SampleStatistics, uncertaintyMap } from './uncertainty';

/** Largest output we accept (pixels): a 2048 x 2048 slice at 2x needs 4096 x 4096. */
export const MAX_OUTPUT_PIXELS = 4096 * 4096;
/** The bound the API and CLI check too (shared/upscale-options): what they accept never fails here. */
export const MAX_SAMPLES = UPSCALE_LIMITS.samples[1];

export interface ResolvedOptions extends SamplingSettings {
  scale: number;
  prompt: string;
  samples: number;
  seed: number;
  degradation: DegradationMode;
}

export function resolveOptions(manifest: Manifest, options: UpscaleOptions): ResolvedOptions {
  const s = manifest.scheduler;
  const resolved: ResolvedOptions = {
    scale: options.scale,
    prompt: options.prompt,
    steps: options.steps ?? s.default_steps,
    samples: options.samples ?? UPSCALE_DEFAULTS.samples,
    seed: options.seed ?? UPSCALE_DEFAULTS.seed,
    guidance: options.guidance ?? s.default_guidance,
    scheduler: normaliseSchedulerName(options.scheduler ?? s.type),
    initStrength: s.init_strength,
    degradation: options.degradation ?? defaultDegradationMode(manifest, options.modality),
  };
  const bad = (code: string, message: string): never => {
    throw new MedsrError('invalid_input', code, message);
  };
  if (!manifest.scales.includes(resolved.scale)) bad('upscale.scale', `scale ${resolved.scale} is not supported by model ${manifest.id} (supports ${manifest.scales.join(', ')})`);
  // the same bounds as the API and CLI, so a manifest default out of them fails here too
  for (const option of Object.keys(UPSCALE_LIMITS) as LimitedOption[]) {
    if (!withinLimit(option, resolved[option])) bad(`upscale.${option}`, `${option} must be ${describeLimit(option)}, got ${resolved[option]}`);
  }
  const modes = degradationModes(manifest);
  if (!modes.includes(resolved.degradation)) bad('upscale.degradation', `degradation '${resolved.degradation}' is not supported by model ${manifest.id} (supports ${modes.join(', ')})`);
  if (!(SCHEDULER_NAMES as readonly string[]).includes(resolved.scheduler)) bad('upscale.scheduler', `unknown scheduler '${resolved.scheduler}' (have: ${SCHEDULER_NAMES.join(', ')})`);
  return resolved;
}

function checkInput(input: Tensor, scale: number): Plane {
  const lr = planeOf(input);
  if (lr.height < 2 || lr.width < 2) throw new MedsrError('invalid_input', 'upscale.size', `input ${lr.height}x${lr.width} is too small`);
  if (lr.height * lr.width * scale * scale > MAX_OUTPUT_PIXELS) throw new MedsrError('too_large', 'upscale.size', `output ${lr.height * scale}x${lr.width * scale} exceeds ${MAX_OUTPUT_PIXELS} pixels`);
  for (let i = 0; i < lr.data.length; i++) {
    if (!Number.isFinite(lr.data[i]!)) throw new MedsrError('invalid_input', 'upscale.nan', 'input contains NaN or infinite values');
  }
  return lr;
}

/**
 * The whole upscale of one slice: x_up (bicubic, or zero-filled Fourier for k-space data), tiles over the (padded) canvas, for each of K
 * samples the seeded noise field, every tile denoised and blended, data consistency; then the
 * mean over samples and the uncertainty map (their std, with the mean's local gradient where the model weights it, calibrated).
 */
export async function runUpscale(model: LoadedModel, input: Tensor, options: UpscaleOptions): Promise<UpscaleResult> {
  throwIfCancelled(options.signal);
  const timer = new StageTimer();
  const started = performance.now();
  const { manifest } = model;
  const o = resolveOptions(manifest, options);
  const lr = checkInput(input, o.scale);
  // an input a scanner zero-filled: nothing beyond its band along the axes where its own spectrum ends, and in `auto`
  // the model's path for it (the detector reads the band near Nyquist that such an input lacks)
  const applies = bandLimitApplies(manifest.band_limit, options.modality);
  const bandLimit = applies ? detectBandLimit(lr, manifest.band_limit!) : {};
  const limited = Object.keys(bandLimit).length > 0;
  // an input smaller than the matrix its scanner acquired, on an output grid larger than it: nothing beyond that band
  const acquired = applies ? acquiredBand(lr, o.scale, options.acquiredMatrix) : {};
  const kept = tighterBand(inputBand(lr, bandLimit), acquired);
  // `auto`: MR slices go to the path the detector picks (the two grids differ), CT slices to the path the CT detector
  // picks (model 2.9; before it, the detector's route: resampled); the rest stay blind
  const judge = detectorFor(manifest, model.graphs, options.modality);
  // naming the downsampler says the input was resampled
  const named = options.resampler && options.resampler !== 'auto' ? options.resampler : undefined;
  const conflict = optionConflict({ degradation: options.degradation, resampler: options.resampler });
  if (conflict) throw new MedsrError('invalid_input', 'upscale.resampler', conflict);
  const detected = o.degradation !== 'auto' ? undefined
    : named ? { degradation: 'bicubic' as const, probability: undefined, reason: `its downsampler named: ${named}` }
    : limited ? { degradation: manifest.band_limit!.route, probability: undefined, reason: "the model's path for a band-limited input" }
    : judge ? await timer.time('detector', () => detectDegradation(judge.spec, judge.graph, lr, o.scale, options.modality))
    : undefined;
  const mode: DegradationMode = detected?.degradation ?? o.degradation;
  // a resampled slice's operator: the downsampler the caller named, else (MR) how much of scikit-image's Gaussian +
  // spline the resampler detector reads in it, else the contract's bicubic
  const told = mode === 'bicubic' ? named : undefined;
  const gaussianShare = manifest.resampler_detector && !told
    ? await timer.time('detector', () => gaussianShareFor(manifest, model.graphs, lr, o.scale, options.modality, mode)) : undefined;
  const resampler = told ? { [told]: 1 } : gaussianShare === undefined ? undefined : gaussianShareMix(gaussianShare);
  const pipeline = new SrPipeline(model, timer);
  const H = lr.height * o.scale;
  const W = lr.width * o.scale;

  const xUp = await timer.time('upsample', () => conditionInput(manifest, lr, o.scale, options.modality, mode));
  const plan = planTiles(H, W, tileSpec(manifest.tile));
  const canvas = reflectPad(xUp, plan.height, plan.width);
  const f = manifest.latent.downsample;
  const C = manifest.latent.channels;
  const lh = plan.height / f;
  const lw = plan.width / f;
  const textEmbeds = await pipeline.encodePrompt(conditionedPrompt(manifest, o.prompt, o.scale, mode), o.guidance);

  // Noise is a field over the whole canvas's latent grid (seed + k for sample k), so tiling does
  // not change which noise a latent pixel gets. Samples run one after another and are folded
  // into running statistics: memory holds one sample, the conditions and the statistics.
  const conditions = new Map<number, Tensor>();
  const stats = new SampleStatistics(H, W);
  const dcOptions = { blurSigma: ctBlurSigma(manifest), auto: manifest.consistency?.auto, modality: options.modality, storageFloor: options.storageFloor, floorDepth: floorDepth(manifest), resampler };
  const chosen = refinerFor(manifest, model.graphs, mode, options.modality);
  const refinerRuns = chosen ? refinerPasses(chosen.spec, mode, o.scale) : 0;
  const refiner = refinerRuns > 0 ? chosen : undefined;
  // where the refiner follows, the diffusion takes the refiner's default steps unless the request names some
  const sampling = { ...o, steps: options.steps ?? refiner?.spec.steps ?? o.steps };
  const totalSteps = plan.tiles.length * o.samples * Math.max(1, sampling.steps);
  let done = 0;
  for (let k = 0; k < o.samples; k++) {
    const rng = new SeededRng((o.seed + k) >>> 0);
    const noise = rng.fillGaussian(new Float32Array(C * lh * lw));
    const blender = new TileBlender(plan);
    for (const [index, tile] of plan.tiles.entries()) {
      let condition = conditions.get(index);
      if (!condition) {
        condition = await pipeline.encodeCondition(crop(canvas, tile.y, tile.x, tile.height, tile.width));
        conditions.set(index, condition);
      }
      const tileNoise = cropChannels(noise, C, lh, lw, tile.y / f, tile.x / f, tile.height / f, tile.width / f);
      const z = await pipeline.denoise(condition, textEmbeds, tileNoise, sampling, rng, () => {
        done++;
        options.onProgress?.(Math.min(done / totalSteps, 1));
        throwIfCancelled(options.signal); // between steps: a cancelled upscale stops within one U-Net call
      });
      blender.add(tile, await pipeline.decode(z));
    }
    const sample = blender.result(H, W);
    let projected = await timer.time('consistency', () => projectOntoInput(sample, lr, o.scale, mode, dcOptions));
    for (let pass = 0; refiner && pass < refinerRuns; pass++) {
      // the refiner was trained on projected samples, with its loss after the projection: project it again
      const refined = await timer.time('refiner', () => refine(refiner.graph, projected, o.scale));
      projected = await timer.time('consistency', () => projectOntoInput(refined, lr, o.scale, mode, dcOptions));
      throwIfCancelled(options.signal);
    }
    if (Object.keys(kept).length) projected = await timer.time('consistency', () => keepBand(projected, kept));
    stats.add(projected);
  }
  timer.count('tiles', plan.tiles.length);
  const { mean, std: rawStd } = stats.result();
  // the raw spread of K samples is far narrower than the error and follows it weakly: the map adds the mean's own edges
  // (where errors gather), and the model's conformal scale makes a band of `band_sd` SDs hold about
  // `coverage_target` of the errors on validation
  const sdScale = uncertaintyScale(manifest, options.modality, o.scale, mode);
  const gradientWeight = uncertaintyGradientWeight(manifest);
  const std = rawStd && uncertaintyMap(mean, rawStd, gradientWeight, sdScale);
  // the mean of projected samples is itself consistent (the projections, and the band limit, are affine): measure it
  const dcResidual = await timer.time('consistency', () => consistencyResidual(mean, lr, o.scale, mode, dcOptions));
  timer.add('total', performance.now() - started);
  options.onProgress?.(1);
  const settings = { steps: sampling.steps, samples: o.samples, seed: o.seed, guidance: o.guidance, scheduler: o.scheduler, initStrength: o.initStrength, degradation: mode, requestedDegradation: o.degradation,
    ...probabilitySetting(detected?.probability),
    ...(detected?.reason === undefined ? {} : { degradationReason: detected.reason }), ...(gaussianShare === undefined ? {} : { gaussianSplineShare: gaussianShare }), ...(told ? { resampler: told } : {}), ...(refiner ? { refined: true, refinerPasses: refinerRuns } : {}), ...(limited ? { bandLimit } : {}),
    ...(Object.keys(acquired).length ? { acquiredMatrix: options.acquiredMatrix! } : {}), uncertaintyScale: sdScale,
    ...(gradientWeight > 0 ? { uncertaintyGradientWeight: gradientWeight } : {}) };
  return { mean: tensorOf(mean), std: std ? tensorOf(std) : undefined, dcResidual, timings: timer.totals, settings };
}
