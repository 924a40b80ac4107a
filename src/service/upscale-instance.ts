/**
 * The upscale use case both api/ and cli/ call: one DICOM instance in, its derived instance (and
 * uncertainty instance) out. It joins ingest (decode -> toConditioning -> buildPrompt), the
 * pipeline (resolver.upscale) and ingest again (fromConditioning -> writeDerived), frame by frame.
 *
 * Ingest is imported directly: nothing ever substituted it. Only what varies is handed in: the
 * resolver (the model's worker pool, or a test's stand-in) and the version written into the files.
 */
import {
  buildPrompt,
  conditioningFloor,
  decodeFrame,
  fromConditioning,
  newUid,
  supportsRescale,
  toConditioning,
  uncertaintyToStored,
  writeDerived,
  type AppliedStep,
  type DicomInstance,
  type NormalisationSpec,
  type PixelDescription,
} from '../ingest';
import { describeResamplerMix, gaussianShareMix, type Manifest, type SuperResolver, type UpscaleResult } from '../pipeline';
import type { Tensor } from '../shared/tensor';
import { throwIfCancelled } from '../shared/errors';
import { countPath, describePaths, mergePaths, type PathCounts } from './mixed-paths';
import { upscaleMosaic } from './mosaic-tiles';
import type { SliceOutput, SliceRequest } from './ports';
import { UPSCALE_DEFAULTS } from '../shared/upscale-options';

/** The part of the pipeline's pool this use case needs. */
export type ResolverLike = Pick<SuperResolver, 'provider' | 'upscale'> & { manifest: Pick<Manifest, 'id' | 'version' | 'preprocessing'> };

export interface UpscaleInstanceDeps {
  resolver: ResolverLike;
  /** `medsr <version>`, written as SoftwareVersions and into ImplementationVersionName. */
  softwareVersion: string;
}

/** Normalisation for a modality: the manifest's entry, else per-frame percentiles (modality-agnostic). */
export function normalisationFor(manifest: ResolverLike['manifest'], modality: string): NormalisationSpec {
  return manifest.preprocessing[modality] ?? manifest.preprocessing.default ?? { kind: 'percentile', low: 0, high: 99.5 };
}

/** The frame's storage floor for the k-space projection (UpscaleOptions.storageFloor), where the chain keeps order. */
function storageFloorOf(steps: readonly AppliedStep[], pixel: PixelDescription): { storageFloor?: number } {
  const floor = conditioningFloor(steps, pixel);
  return floor === undefined ? {} : { storageFloor: floor };
}

/** Series numbers for derived series: the source's plus an offset, so they sort next to it. */
const SR_SERIES_OFFSET = 1000;
const STD_SERIES_OFFSET = 2000;

const MAX_IS = 2 ** 31 - 1;

type PipelineOptions = Parameters<ResolverLike['upscale']>[1];

/**
 * One frame through the model; a MOSAIC tile by tile, so no slice bleeds into its neighbours. With it, the paths its
 * slices ran down (a mosaic's tiles are slices of their own).
 */
async function upscaleFrame(resolver: ResolverLike, instance: DicomInstance, input: Tensor, options: PipelineOptions): Promise<UpscaleResult & { paths: PathCounts }> {
  const upscale = (tensor: Tensor, o: PipelineOptions) => resolver.upscale(tensor, o);
  if (instance.mosaic) return upscaleMosaic(upscale, input, instance.mosaic, options);
  const result = await upscale(input, options);
  return { ...result, paths: countPath({}, result.settings.degradation) };
}

/** The source's number plus the offset, or the offset alone when the sum would not be an IS. */
export function derivedSeriesNumber(source: number | undefined, offset: number): number {
  const sum = (source ?? 0) + offset;
  return Number.isInteger(sum) && Math.abs(sum) <= MAX_IS ? sum : offset;
}

export async function upscaleInstance(instance: DicomInstance, request: SliceRequest, deps: UpscaleInstanceDeps): Promise<SliceOutput> {
  const { options } = request;
  const { resolver } = deps;
  const frames = instance.pixel.frames;
  const spec = normalisationFor(resolver.manifest, instance.modality);
  const prompt = options.prompt?.trim() || buildPrompt(instance.promptMetadata);
  const samples = options.samples ?? UPSCALE_DEFAULTS.samples;

  const outFrames: Int32Array[] = [];
  const stdFrames: Array<{ std: Tensor; steps: AppliedStep[] }> = [];
  const timings: Record<string, number> = {};
  let worstResidual = 0;
  let applied: UpscaleResult['settings'] | undefined;
  const paths: PathCounts = {};
  for (let f = 0; f < frames; f++) {
    throwIfCancelled(request.signal);
    const frame = await decodeFrame(instance, f);
    const conditioning = toConditioning(frame, instance.pixel, spec);
    const result = await upscaleFrame(resolver, instance, conditioning.tensor, {
      scale: options.scale,
      modality: instance.modality,
      prompt,
      ...(options.steps !== undefined ? { steps: options.steps } : {}),
      ...(options.samples !== undefined ? { samples: options.samples } : {}),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.guidance !== undefined ? { guidance: options.guidance } : {}),
      ...(options.degradation !== undefined ? { degradation: options.degradation } : {}),
      ...(options.scheduler !== undefined ? { scheduler: options.scheduler } : {}),
      ...(options.resampler !== undefined ? { resampler: options.resampler } : {}),
      ...(instance.acquiredMatrix !== undefined ? { acquiredMatrix: instance.acquiredMatrix } : {}),
      ...storageFloorOf(conditioning.steps, instance.pixel),
      ...(request.signal ? { signal: request.signal } : {}),
      onProgress: (fraction) => request.onProgress?.((f + fraction) / frames),
    });
    outFrames.push(fromConditioning(result.mean, conditioning.steps, instance.pixel));
    if (result.std) stdFrames.push({ std: result.std, steps: conditioning.steps });
    worstResidual = Math.max(worstResidual, result.dcResidual);
    applied = result.settings;
    mergePaths(paths, result.paths);
    for (const [k, v] of Object.entries(result.timings)) timings[k] = (timings[k] ?? 0) + v;
  }
  timings.dcResidual = worstResidual;

  const rows = instance.pixel.rows * options.scale;
  const columns = instance.pixel.columns * options.scale;
  const model = `${resolver.manifest.id} ${resolver.manifest.version}`;
  // what actually ran (defaults filled in by the pipeline), so the output can be reproduced
  const settings = applied
    ? `x${options.scale} steps=${applied.steps} samples=${applied.samples} seed=${applied.seed} guidance=${applied.guidance} scheduler=${applied.scheduler} strength=${applied.initStrength} degradation=${describeDegradation(applied)}${describeMixedPaths(paths)}${applied.samples > 1 ? ` sd_scale=${applied.uncertaintyScale.toPrecision(3)}${applied.uncertaintyGradientWeight ? ` sd_gradient=${applied.uncertaintyGradientWeight}` : ''}` : ''}`
    : `x${options.scale}`;
  const base = {
    scale: options.scale,
    rows,
    columns,
    softwareVersion: deps.softwareVersion,
  };
  const target = request.target;
  const derived = writeDerived(instance, outFrames, {
    ...base,
    kind: 'super-resolution',
    seriesInstanceUID: target?.seriesInstanceUID ?? newUid(),
    seriesNumber: derivedSeriesNumber(instance.seriesNumber, SR_SERIES_OFFSET),
    seriesDescription: instance.seriesDescription ?? instance.modality,
    derivationDescription: `super-resolution ${model} ${settings} dc-residual=${worstResidual.toPrecision(3)}`,
    ...(target ? { sopInstanceUID: target.sopInstanceUID } : {}),
  });
  const degradation = applied ? { degradation: describeDegradation(applied), paths } : {};
  // the stored values just written, in the source's representation (write-back keeps it for the
  // super-resolved series), so a PNG answer needs no parse of `derived`
  const { bitsStored, pixelRepresentation, rescaleSlope, rescaleIntercept, photometricInterpretation } = instance.pixel;
  const derivedPixels = { frames: outFrames, rows, columns, bitsStored, pixelRepresentation, rescaleSlope, rescaleIntercept, photometricInterpretation };
  if (stdFrames.length !== frames) return { derived, derivedPixels, timings, ...degradation };

  const stored = uncertaintyToStored(stdFrames, { allowRescale: supportsRescale(instance) });
  const uncertainty = writeDerived(instance, stored.frames, {
    ...base,
    kind: 'uncertainty',
    seriesInstanceUID: target?.uncertaintySeriesInstanceUID ?? newUid(),
    seriesNumber: derivedSeriesNumber(instance.seriesNumber, STD_SERIES_OFFSET),
    seriesDescription: `${instance.seriesDescription ?? instance.modality} uncertainty`,
    derivationDescription: `${applied?.uncertaintyGradientWeight ? `calibrated per-pixel SD: std over ${samples} samples and the output's local gradient, in quadrature` : `per-pixel std over ${samples} samples`}, ${model} ${settings}`,
    pixelRepresentation: stored.pixelRepresentation,
    ...(target ? { sopInstanceUID: target.uncertaintySopInstanceUID } : {}),
  });
  return { derived, derivedPixels, uncertainty, timings, ...degradation };
}

/**
 * When the frames (or mosaic tiles) of one instance took different paths, the account above is the last one's: say how
 * many took each (mixed-paths.ts).
 */
function describeMixedPaths(paths: PathCounts): string {
  return Object.keys(paths).length > 1 ? ` paths=(${describePaths(paths)}; the account is the last slice's)` : '';
}

/** DerivationDescription's account of the degradation: what was asked, what ran, and why. */
function describeDegradation(applied: UpscaleResult['settings']): string {
  const passes = (applied.refinerPasses ?? 1) > 1 ? ` (${applied.refinerPasses} passes)` : '';
  const limit = (applied.bandLimit ? `; ${describeBandLimit(applied.bandLimit)}` : '')
    + (applied.acquiredMatrix ? `; acquired matrix ${applied.acquiredMatrix.rows} x ${applied.acquiredMatrix.columns}: nothing added beyond its band` : '');
  const share = applied.gaussianSplineShare;
  const onto = applied.resampler ? ` onto ${describeResamplerMix({ [applied.resampler]: 1 })} (told)`
    : share === undefined ? '' : ` onto ${describeResamplerMix(gaussianShareMix(share))}`;
  const projection = (applied.refined ? `exact projection${onto}; pixel refiner, projected again${passes}` : `exact projection${onto}`) + limit;
  if (applied.requestedDegradation !== 'auto') return `${applied.degradation} (told; ${projection})`;
  if (applied.degradation === 'auto') return 'auto (blind; low-band projection)';
  return `auto->${applied.degradation} (${applied.degradationReason ?? 'detector'}; ${projection})`;
}

/** "input band ends at 0.75 (rows), 0.75 (columns) of Nyquist: nothing added beyond it". */
function describeBandLimit(limit: NonNullable<UpscaleResult['settings']['bandLimit']>): string {
  const axes = (Object.entries(limit) as [string, number][]).map(([axis, where]) => `${where.toFixed(2)} (${axis})`);
  return `input band ends at ${axes.join(', ')} of Nyquist: nothing added beyond it`;
}
