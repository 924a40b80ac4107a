/**
 * The chain from a decoded frame to the model's conditioning tensor and back. Forward: stored ->
 * modality LUT -> MONOCHROME1 mirror -> normalise, each step recorded. Back: the recorded steps
 * undone in reverse on a tensor of any size (every step acts per value), then rounded and clamped
 * into what BitsStored/PixelRepresentation can hold. A failure names the step it happened in.
 */
import { MedsrError } from '../../shared/errors';
import { heightOf, imageTensor, widthOf, type Tensor } from '../../shared/tensor';
import type { DecodedFrame, PixelDescription } from '../types';
import { modalityLutStep } from './modality-lut';
import { monochrome1Step } from './monochrome1';
import { normaliseStep } from './normalise';
import { roundAndClamp, storedRange } from './stored-range';
import type { AppliedStep, Conditioning, NormalisationSpec, StepContext, StepName, TransformStep } from './types';

const FORWARD_CHAIN: readonly TransformStep[] = [modalityLutStep, monochrome1Step, normaliseStep] as TransformStep[];

const STEPS_BY_NAME = new Map<StepName, TransformStep>(FORWARD_CHAIN.map((step) => [step.name, step]));

export function assertGreyscale(samplesPerPixel: number, photometricInterpretation: string): void {
  if (samplesPerPixel !== 1) {
    throw new MedsrError(
      'unsupported',
      'pixels.colour',
      `super-resolution handles greyscale only; this image has ${samplesPerPixel} samples per pixel (${photometricInterpretation.trim()})`,
    );
  }
}

export function toConditioning(frame: DecodedFrame, pixel: PixelDescription, spec: NormalisationSpec): Conditioning {
  assertGreyscale(frame.samplesPerPixel, frame.photometricInterpretation);
  assertGreyscale(pixel.samplesPerPixel, pixel.photometricInterpretation);
  if (frame.stored.length !== frame.rows * frame.columns) {
    throw new MedsrError('invalid_input', 'pixels.frame_size', `frame holds ${frame.stored.length} values, expected ${frame.rows} x ${frame.columns}`);
  }
  const values = Float64Array.from(frame.stored);
  const context: StepContext = { pixel, photometricInterpretation: frame.photometricInterpretation, spec };
  const steps: AppliedStep[] = [];
  for (const step of FORWARD_CHAIN) {
    inStep(step.name, 'forward', () => {
      const applied = step.plan(values, context);
      if (!applied) return;
      step.forward(values, applied);
      assertFinite(values);
      steps.push(applied);
    });
  }
  return { tensor: imageTensor(frame.rows, frame.columns, Float32Array.from(values)), steps };
}

/**
 * The conditioning value of the lowest value the source's pixels can store (an unsigned file's 0 through its modality
 * LUT), as toConditioning would give it, or undefined where the chain reverses the order of values (MONOCHROME1). An
 * input pixel there may stand for that value or less: an unsigned MR file clips a lower matrix's ringing below zero
 * (the k-space projection's storage floor, pipeline/consistency/kspace.ts).
 */
export function conditioningFloor(steps: readonly AppliedStep[], pixel: PixelDescription): number | undefined {
  const range = storedRange(pixel.bitsStored, pixel.pixelRepresentation === 1);
  const values = Float64Array.of(range.min, range.max);
  for (const applied of steps) stepNamed(applied.name).forward(values, applied);
  // the tensor holds float32: the same rounding, so a pixel stored at the floor compares equal to it
  return values[0]! < values[1]! ? Math.fround(values[0]!) : undefined;
}

/** Stored values (row-major, height x width of `tensor`) in the representation `pixel` describes. */
export function fromConditioning(tensor: Tensor, steps: readonly AppliedStep[], pixel: PixelDescription): Int32Array {
  const values = toModalityValues(tensor, steps);
  const range = storedRange(pixel.bitsStored, pixel.pixelRepresentation === 1);
  const stored = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) stored[i] = roundAndClamp(values[i]!, range);
  return stored;
}

/**
 * Undoes every recorded step in reverse, ending in the domain the first step started from (stored
 * values when the chain began with the modality LUT), before any rounding.
 */
export function toModalityValues(tensor: Tensor, steps: readonly AppliedStep[]): Float64Array {
  if (tensor.shape.length !== 4 || tensor.shape[0] !== 1 || tensor.shape[1] !== 1) {
    throw new MedsrError('internal', 'transforms.shape', `expected a [1, 1, H, W] tensor, got [${tensor.shape.join(', ')}]`);
  }
  const values = Float64Array.from(tensor.data.subarray(0, heightOf(tensor) * widthOf(tensor)));
  inStep('input', 'inverse', () => assertFinite(values));
  for (const applied of [...steps].reverse()) {
    const step = stepNamed(applied.name);
    inStep(applied.name, 'inverse', () => {
      step.inverse(values, applied);
      assertFinite(values);
    });
  }
  return values;
}

function stepNamed(name: StepName): TransformStep {
  const step = STEPS_BY_NAME.get(name);
  if (!step) throw new MedsrError('internal', 'transforms.unknown_step', `unknown transform step "${String(name)}"`);
  return step;
}

function assertFinite(values: Float64Array): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) throw new RangeError(`non-finite value ${values[i]} at index ${i}`);
  }
}

/** Runs `body`, naming the step in whatever it throws (MONAI-style: a failure says where it happened). */
function inStep(name: StepName | 'input', direction: 'forward' | 'inverse', body: () => void): void {
  try {
    body();
  } catch (err) {
    const where = `transform step "${name}" (${direction})`;
    if (err instanceof MedsrError) {
      throw new MedsrError(err.kind, err.code, `${where}: ${err.message}`, { ...err.details, step: name, direction }, { cause: err });
    }
    const message = err instanceof Error ? err.message : String(err);
    throw new MedsrError('internal', `transforms.${name}`, `${where}: ${message}`, { step: name, direction }, { cause: err });
  }
}
