import { heightOf, imageTensor, widthOf, type Tensor } from '../shared/tensor';
import { detectDegradation, detectorFor } from './degradation-detector';
import { disposeModel, loadModel, type LoadedModel } from './model';
import { type TileSpec, planTiles, tileSpec } from './tiling';
import { logFallback, type Device } from './runtime/onnx-session';
import { runUpscale } from './upscale';

export interface BenchCase {
  inputSize: number;
  scale: 2 | 4;
  samples: number;
  /** MR (default): told k-space; CT: told area (detector pixels) */
  modality?: 'MR' | 'CT';
  /** MR only: the resampled path instead (its resampler detector, the blended projection, the refiner) */
  resampled?: boolean;
}

/** One row per case: milliseconds per stage for one slice (median over repeats, after a warm-up). */
export interface BenchRow extends BenchCase {
  outputSize: number;
  steps: number;
  scheduler: string;
  provider: string;
  textEncoderMs: number;
  vaeEncoderMs: number;
  unetMs: number;
  unetPerCallMs: number;
  unetCalls: number;
  /** output pixels one U-Net call covers (the mean tile area): what its FLOPs scale with */
  unetOutputPixelsPerCall: number;
  vaeDecoderMs: number;
  consistencyMs: number;
  /** the model's refiner (0 for models without one) */
  refinerMs: number;
  /** the degradation detector that `auto` runs first (0 for models without one), and on the resampled path the resampler detector */
  detectorMs: number;
  /** what the default (`auto`) costs on this path: the detector, then the told pipeline */
  totalMs: number;
  dcResidual: number;
}

export const DEFAULT_BENCH_CASES: BenchCase[] = [
  { inputSize: 256, scale: 2, samples: 1 },
  { inputSize: 128, scale: 4, samples: 1 },
  { inputSize: 256, scale: 2, samples: 4 },
  { inputSize: 128, scale: 4, samples: 4 },
  // a clinical CT matrix at x2: the largest output the shipped model runs as one tile
  { inputSize: 512, scale: 2, samples: 1 },
  // MR's resampled path (model 2.10): the resampler detector and the projection onto its blend of two operators
  { inputSize: 256, scale: 2, samples: 1, resampled: true },
  // CT's slowest path (model 2.9): its detector, 2 steps, the area projection, the CT refiner at x2
  { inputSize: 256, scale: 2, samples: 1, modality: 'CT' },
];

/**
 * The told request a case times: the slowest path `auto` can route a slice of its modality to. MR as an unsigned file
 * gives it: the synthetic slice's background (-1) at the file's storage floor, which the k-space projection reads.
 */
const CASE_REQUESTS = {
  MR: { modality: 'MR', prompt: 'mr head t1 axial', degradation: 'kspace', storageFloor: -1 },
  CT: { modality: 'CT', prompt: 'ct head axial', degradation: 'area' },
} as const;

/** A synthetic head-like slice in the normalised domain: benchmarks never need patient data. */
export function syntheticSlice(size: number): Tensor {
  const data = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const r = Math.hypot((y - size / 2) / (size * 0.42), (x - size / 2) / (size * 0.36));
      data[y * size + x] = r < 1 ? 0.2 + 0.4 * Math.cos(x / 6) * Math.sin(y / 9) : -1;
    }
  }
  return imageTensor(size, size, data);
}

/**
 * Times each stage of the pipeline (text encoder, VAE encode, U-Net per call, VAE decode, data
 * consistency, refiner) in-process, at the path's default steps and the manifest's scheduler, MR told `kspace` (the
 * k-space projection, and the refiner where the model has one) or, for `resampled` cases, `bicubic` (the resampler
 * detector, its blended projection, the refiner); CT cases told `area` (CASE_REQUESTS). The detector that `auto` runs first is timed on the same slice and counted in
 * the total: told, the pipeline would skip it, and a synthetic slice might be routed to a faster path.
 */
export async function benchmark(options: { modelDir: string; device: Device; intraOpThreads?: number; repeats?: number; cases?: BenchCase[] }): Promise<BenchRow[]> {
  const model = await loadModel(options.modelDir, { device: options.device, ...(options.intraOpThreads ? { intraOpThreads: options.intraOpThreads } : {}) });
  logFallback(model.provider, model.fallbacks);
  const repeats = Math.max(1, options.repeats ?? 1);
  const rows: BenchRow[] = [];
  try {
    for (const c of options.cases ?? DEFAULT_BENCH_CASES) {
      if (!model.manifest.scales.includes(c.scale)) continue;
      const input = syntheticSlice(c.inputSize);
      const modality = c.modality ?? 'MR';
      const request = { ...CASE_REQUESTS[modality], ...(c.resampled ? { degradation: 'bicubic' as const } : {}), scale: c.scale, samples: c.samples, seed: 0 };
      await runUpscale(model, input, request); // warm-up: first runs allocate and optimise
      const runs: Array<Record<string, number>> = [];
      let residual = 0;
      let steps = 0;
      for (let i = 0; i < repeats; i++) {
        const r = await runUpscale(model, input, request);
        // told, the pipeline skips the routing detector that `auto` runs first: time it on the same slice and add it (the
        // resampler detector runs told too, so it is already in the pipeline's own timings and total)
        const routing = await timeDetector(model, input, c.scale, modality);
        runs.push({ ...r.timings, routing, detector: (r.timings.detector ?? 0) + routing });
        residual = r.dcResidual;
        steps = r.settings.steps;
      }
      const med = medianOf(runs);
      const calls = med.unet_calls ?? 0;
      rows.push({
        ...c,
        modality,
        outputSize: c.inputSize * c.scale,
        steps,
        scheduler: model.manifest.scheduler.type,
        provider: model.provider,
        textEncoderMs: med.text_encoder ?? 0,
        vaeEncoderMs: med.vae_encoder ?? 0,
        unetMs: med.unet ?? 0,
        unetPerCallMs: calls > 0 ? (med.unet ?? 0) / calls : 0,
        unetCalls: calls,
        unetOutputPixelsPerCall: meanTileArea(c.inputSize * c.scale, tileSpec(model.manifest.tile)),
        vaeDecoderMs: med.vae_decoder ?? 0,
        consistencyMs: med.consistency ?? 0,
        refinerMs: med.refiner ?? 0,
        detectorMs: med.detector ?? 0,
        totalMs: (med.total ?? 0) + (med.routing ?? 0),
        dcResidual: residual,
      });
    }
  } finally {
    await disposeModel(model);
  }
  return rows;
}

/** Milliseconds of one decision of the modality's detector on the LR slice (0 when the model has none). */
async function timeDetector(model: LoadedModel, lr: Tensor, scale: number, modality: string): Promise<number> {
  const judge = detectorFor(model.manifest, model.graphs, modality);
  if (!judge) return 0;
  const start = performance.now();
  await detectDegradation(judge.spec, judge.graph, { data: lr.data, height: heightOf(lr), width: widthOf(lr) }, scale, modality);
  return performance.now() - start;
}

function meanTileArea(size: number, spec: TileSpec): number {
  const { tiles } = planTiles(size, size, spec);
  return tiles.reduce((sum, t) => sum + t.height * t.width, 0) / tiles.length;
}

/** Per-key medians: robust to the odd slow run on a shared machine. */
function medianOf(runs: Array<Record<string, number>>): Record<string, number> {
  const keys = new Set(runs.flatMap((r) => Object.keys(r)));
  const out: Record<string, number> = {};
  for (const k of keys) {
    const xs = runs.map((r) => r[k] ?? 0).sort((a, b) => a - b);
    const mid = xs.length >> 1;
    out[k] = xs.length % 2 ? xs[mid]! : (xs[mid - 1]! + xs[mid]!) / 2;
  }
  return out;
}
