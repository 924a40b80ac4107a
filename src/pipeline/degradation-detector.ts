import type { Degradation, DegradationDetector, Manifest } from './manifest';
import type { ModelGraphs } from './graphs';
import type { Plane } from './plane';
import type { GraphSession } from './runtime/onnx-session';
import { createTensor } from '../shared/tensor';

/**
 * The degradation detectors of `auto` mode. MR (training/detector.py): was this slice made by a lower acquisition
 * matrix (k-space truncation) or by resampling? The two put the HR grid in different places (LR pixel i at HR pixel
 * s i, or at s i + (s - 1) / 2), so one output cannot suit both; the pipeline runs the told path the detector picks.
 * CT (training/ct_detector.py, model 2.9): larger detector pixels (blur + block means) or resampling? Each is a small
 * convolutional graph that normalises the slice itself and returns one logit per scale, of P(its first class).
 * Modalities no detector judges but one names in `routes` run the told path the model names (before model 2.9, CT:
 * the resampled path, whose projection suits both CT inputs better than the blind one).
 */
export interface DetectorDecision {
  /** The degradation to run as (the detector's `fallback` for slices too small to judge), or undefined for other modalities and scales. */
  degradation: Degradation | undefined;
  /** P(the detector's first class: k-space for MR, area for CT), when judged. */
  probability: { of: Degradation; value: number } | undefined;
  /** Why this path, for DerivationDescription (undefined when nothing was decided). */
  reason: string | undefined;
}

/** The detector that judges this modality (a modality-specific one first), with its graph; undefined when the model has none. */
export function detectorFor(manifest: Manifest, graphs: ModelGraphs, modality: string): { spec: DegradationDetector; graph: GraphSession } | undefined {
  const mod = modality.toUpperCase();
  for (const name of ['ct_detector', 'detector'] as const) {
    const spec = manifest[name];
    const graph = graphs[name];
    if (spec && graph && (name === 'detector' || spec.modalities.includes(mod))) return { spec, graph };
  }
  return undefined;
}

export async function detectDegradation(detector: DegradationDetector, graph: GraphSession, lr: Plane, scale: number, modality: string): Promise<DetectorDecision> {
  const mod = modality.toUpperCase();
  const route = detector.routes[mod];
  if (route) return { degradation: route, probability: undefined, reason: `the model's path for ${mod}` };
  const head = detector.scales.indexOf(String(scale));
  if (head < 0 || !detector.modalities.includes(mod)) return { degradation: undefined, probability: undefined, reason: undefined };
  // too little texture to judge: the cheaper mistake (training/detector.py FALLBACK)
  if (Math.min(lr.height, lr.width) < detector.min_side) return { degradation: detector.fallback, probability: undefined, reason: 'too small for the detector: its fallback' };
  const p = await readerProbability(graph, lr, head);
  const [first, second] = detector.classes;
  return { degradation: p >= detector.threshold ? first : second, probability: { of: first, value: p }, reason: `${detector.graph === 'detector' ? 'detector' : `${mod} detector`} P(${first})=${p.toFixed(2)}` };
}

/** P(a reader's first class) for one slice from its logit for one scale (`head`): the graph normalises the slice itself. */
export async function readerProbability(graph: GraphSession, lr: Plane, head: number): Promise<number> {
  const { logits } = await graph.run({ image: createTensor([1, 1, lr.height, lr.width], lr.data) });
  return 1 / (1 + Math.exp(-logits!.data[head]!));
}

/** The decision's probability as UpscaleResult settings name it (detectorProbabilityKspace, detectorProbabilityArea). */
export function probabilitySetting(probability: DetectorDecision['probability']): { detectorProbabilityKspace?: number; detectorProbabilityArea?: number } {
  if (probability?.of === 'kspace') return { detectorProbabilityKspace: probability.value };
  if (probability?.of === 'area') return { detectorProbabilityArea: probability.value };
  return {};
}
