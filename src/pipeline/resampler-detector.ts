import { readerProbability } from './degradation-detector';
import type { ModelGraphs } from './graphs';
import type { DegradationMode, Manifest } from './manifest';
import type { Plane } from './plane';

/**
 * The resampled path's operator for one slice (training/resampler_detector.py, model 2.10): the reader's P(scikit-
 * image's Gaussian + spline made the slice) is that operator's share in the blend the path projects onto
 * (resample/resamplers.ts), the contract's bicubic the rest. Undefined where it does not judge (another path,
 * modality or scale, no reader in the model, a slice too small to read): the contract's bicubic alone.
 */
export async function gaussianShareFor(manifest: Manifest, graphs: ModelGraphs, lr: Plane, scale: number, modality: string, mode: DegradationMode): Promise<number | undefined> {
  const spec = manifest.resampler_detector;
  const graph = graphs.resampler_detector;
  if (!spec || !graph || mode !== 'bicubic' || !spec.modalities.includes(modality.toUpperCase())) return undefined;
  const head = spec.scales.indexOf(String(scale));
  if (head < 0 || Math.min(lr.height, lr.width) < spec.min_side) return undefined;
  return readerProbability(graph, lr, head);
}
