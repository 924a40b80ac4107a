import type { Degradation, DegradationDetector } from './manifest';
import type { Plane } from './plane';
import type { GraphSession } from './runtime/onnx-session';
import { createTensor } from '../shared/tensor';

/**
 * The degradation detector of `auto` mode (training/detector.py): was this slice made by a lower
 * acquisition matrix (k-space truncation) or by resampling? The two put the HR grid in different
 * places (LR pixel i at HR pixel s i, or at s i + (s - 1) / 2), so one output cannot suit both; the
 * pipeline runs the told path the detector picks. The detector is a small convolutional graph that
 * normalises the slice itself and returns one logit per scale. Modalities in `routes` are not judged:
 * they run the told path the model names (CT: the resampled path, whose projection suits both CT
 * inputs better than the blind one on validation and the external CT slices).
 */
export interface DetectorDecision {
  /** The degradation to run as (the detector's `fallback` for slices too small to judge), or undefined for other modalities and scales. */
  degradation: Degradation | undefined;
  /** P(k-space truncation), when judged. */
  probabilityKspace: number | undefined;
  /** Why this path, for DerivationDescription (undefined when nothing was decided). */
  reason: string | undefined;
}

export async function detectDegradation(detector: DegradationDetector, graph: GraphSession, lr: Plane, scale: number, modality: string): Promise<DetectorDecision> {
  const mod = modality.toUpperCase();
  const route = detector.routes[mod];
  if (route) return { degradation: route, probabilityKspace: undefined, reason: `the model's path for ${mod}` };
  const head = detector.scales.indexOf(String(scale));
  if (head < 0 || !detector.modalities.includes(mod)) return { degradation: undefined, probabilityKspace: undefined, reason: undefined };
  // too little texture to judge: the cheaper mistake (training/detector.py FALLBACK)
  if (Math.min(lr.height, lr.width) < detector.min_side) return { degradation: detector.fallback, probabilityKspace: undefined, reason: 'too small for the detector: its fallback' };
  const { logits } = await graph.run({ image: createTensor([1, 1, lr.height, lr.width], lr.data) });
  const p = 1 / (1 + Math.exp(-logits!.data[head]!));
  return { degradation: p >= detector.threshold ? 'kspace' : 'bicubic', probabilityKspace: p, reason: `detector P(kspace)=${p.toFixed(2)}` };
}
