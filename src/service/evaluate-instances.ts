/**
 * The `medsr eval` use case: take high-resolution slices, degrade them the way the model was
 * trained for, super-resolve them and score every method against the original. It follows the
 * recipe's evaluation (training/evaluate.py) so that it reproduces the model card: degrade in
 * modality units, normalise LR and HR with the LR's parameters, score in the normalised domain
 * inside the HR body mask.
 */
import { buildPrompt, conditioningFloor, decodeFrame, fromConditioning, normalisationRange, toConditioning, type AppliedStep, type DecodedFrame, type DicomInstance, type NormalisationSpec, type PixelDescription } from '../ingest';
import { ctBlurSigma, degradationFor, degrade, evaluateSlice, type DegradationKind, type EvalRow, type KnownResampler, type LoadedModel } from '../pipeline';
import type { Plane } from '../pipeline/plane';
import { MedsrError } from '../shared/errors';
import { heightOf, imageTensor, widthOf } from '../shared/tensor';
import { cutTile } from './mosaic-tiles';
import { normalisationFor } from './upscale-instance';

export interface EvaluateOptions {
  scale: 2 | 4;
  /** Overrides the modality's degradation from the manifest. */
  degradation?: DegradationKind;
  /** For `bicubic`: the downsampler that makes the LR slice (default: the contract's bicubic). */
  resampler?: KnownResampler;
  steps?: number;
  samples?: number;
  seed?: number;
  prompt?: string;
  /** Receives each method's output (normalised domain) for figures. */
  onOutput?: (method: string, image: Plane) => void;
}

export interface SliceEvaluation {
  label: string;
  modality: string;
  degradation: DegradationKind;
  prompt: string;
  rows: EvalRow[];
  hr: Plane;
}

/** The recipe's CT body threshold: tissue is above -500 HU. */
const CT_BODY_HU = -500;
/** An identity normalisation: toConditioning then yields modality values (rescaled, MONOCHROME1 undone). */
export const IDENTITY: NormalisationSpec = { kind: 'fixed', min: -1, max: 1 };

export async function evaluateInstance(model: LoadedModel, instance: DicomInstance, options: EvaluateOptions): Promise<SliceEvaluation> {
  const { manifest } = model;
  const modality = instance.modality.toUpperCase();
  const spec = normalisationFor(manifest, modality);
  const degradation = options.degradation ?? degradationFor(manifest, modality);
  // The middle frame of a multi-frame image: one slice per instance keeps the average per-slice.
  const frame = await decodeFrame(instance, Math.floor(instance.pixel.frames / 2));
  const { tensor: values, steps } = toConditioning(frame, instance.pixel, IDENTITY);
  // A MOSAIC frame is a grid of slices that upscale runs tile by tile: scored whole, the tile borders and
  // the empty slots would be scored too. Its middle slice stands for it, as the middle frame does.
  const { mosaic } = instance;
  const middle = mosaic ? Math.floor(mosaic.images / 2) : 0;
  const slice = mosaic ? cutTile(values, mosaic, middle) : values;
  const hrRaw = cropToMultiple({ data: slice.data, height: heightOf(slice), width: widthOf(slice) }, options.scale);
  const made = options.resampler ? { resampler: { [options.resampler]: 1 } } : {};
  const lrRaw = storedAsSource(degrade(hrRaw, options.scale, degradation, { blurSigma: ctBlurSigma(manifest), ...made }), frame, steps, instance.pixel);

  const [low, high] = normalisationRange(Float64Array.from(lrRaw.data), spec);
  const offset = (low + high) / 2;
  const scale = high > low ? (high - low) / 2 : 1;
  const hr = affine(hrRaw, offset, scale);
  const lr = affine(lrRaw, offset, scale);
  // the LR is stored as the source stores it, so it has the source's floor (an unsigned MR file's 0), normalised alike
  const floor = conditioningFloor(steps, instance.pixel);
  const storageFloor = floor === undefined ? undefined : affine({ data: Float32Array.of(floor), height: 1, width: 1 }, offset, scale).data[0];
  const prompt = options.prompt ?? buildPrompt(instance.promptMetadata);
  const rows = await evaluateSlice(model, imageTensor(hr.height, hr.width, hr.data), imageTensor(lr.height, lr.width, lr.data), {
    scale: options.scale,
    degradation,
    modality,
    prompt,
    ...(options.steps === undefined ? {} : { steps: options.steps }),
    ...(options.samples === undefined ? {} : { samples: options.samples }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.resampler === undefined ? {} : { resampler: options.resampler }),
    ...(storageFloor === undefined ? {} : { storageFloor }),
    ...(modality === 'CT' ? { bodyThreshold: (CT_BODY_HU - offset) / scale } : {}),
    ...(options.onOutput ? { onOutput: options.onOutput } : {}),
  });
  const label = mosaic ? `${instance.ref.label} (MOSAIC slice ${middle + 1} of ${mosaic.images})` : instance.ref.label;
  return { label, modality, degradation, prompt, rows, hr };
}

/**
 * The LR slice as the source's DICOM format would store it (the recipe's `degrade.stored`): rounded to its stored
 * integers and clipped to what they can hold, then read back. Every input the product sees is a file, so an MR lower
 * matrix's ringing below zero is clipped, as an unsigned MR file clips it.
 */
export function storedAsSource(lr: Plane, frame: DecodedFrame, steps: readonly AppliedStep[], pixel: PixelDescription): Plane {
  const stored = fromConditioning(imageTensor(lr.height, lr.width, lr.data), steps, pixel);
  const back = toConditioning({ ...frame, rows: lr.height, columns: lr.width, stored }, pixel, IDENTITY).tensor;
  return { data: back.data, height: lr.height, width: lr.width };
}

function cropToMultiple(p: Plane, m: number): Plane {
  const height = p.height - (p.height % m);
  const width = p.width - (p.width % m);
  if (height === 0 || width === 0) throw new MedsrError('invalid_input', 'eval.too_small', `a ${p.height}x${p.width} slice is too small for x${m}`);
  const data = new Float32Array(height * width);
  for (let y = 0; y < height; y++) data.set(p.data.subarray(y * p.width, y * p.width + width), y * width);
  return { data, height, width };
}

function affine(p: Plane, offset: number, scale: number): Plane {
  const data = new Float32Array(p.data.length);
  for (let i = 0; i < data.length; i++) data[i] = (p.data[i]! - offset) / scale;
  return { data, height: p.height, width: p.width };
}
