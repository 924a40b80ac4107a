import { InvalidArgumentError, Option } from 'commander';
import {
  DEGRADATION_MODES,
  DEVICES,
  describeLimit,
  MAX_PROMPT_LENGTH,
  RESAMPLERS,
  SCALES,
  SCHEDULER_NAMES,
  UPSCALE_DEFAULTS,
  withinLimit,
  type DeviceName,
  type LimitedOption,
  type Scale,
} from '../shared/upscale-options';

export { DEVICES, type DeviceName };

/** Commander argument parsers shared by the subcommands. */
export function intOption(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected an integer in ${min}..${max}`);
    return n;
  };
}

/**
 * A parser for an upscale option bounded by shared/upscale-options' UPSCALE_LIMITS: the CLI refuses
 * exactly what the API and the pipeline refuse (`eval --samples 40` fails here, not after loading
 * the model), with the option's name and bounds in the message.
 */
export function limitedOption(option: LimitedOption): (value: string) => number {
  return (value) => {
    const n = value.trim() === '' ? NaN : Number(value);
    if (!withinLimit(option, n)) throw new InvalidArgumentError(`${option} must be ${describeLimit(option)}`);
    return n;
  };
}

export function scaleOption(value: string): Scale {
  const scale = SCALES.find((s) => String(s) === value);
  if (scale === undefined) throw new InvalidArgumentError(`scale must be ${SCALES.join(' or ')}`);
  return scale;
}

export function deviceOption(value: string): DeviceName {
  if (!(DEVICES as readonly string[]).includes(value)) throw new InvalidArgumentError(`device must be one of ${DEVICES.join(', ')}`);
  return value as DeviceName;
}

export function promptOption(value: string): string {
  if (value.length > MAX_PROMPT_LENGTH) throw new InvalidArgumentError(`prompt must be at most ${MAX_PROMPT_LENGTH} characters`);
  return value;
}

/** `--device`, the same choices for every subcommand that loads the model. */
export function deviceFlag(description = `${DEVICES.join(' | ')} (MEDSR_DEVICE)`): Option {
  return new Option('--device <device>', description).argParser(deviceOption);
}

/**
 * The upscale option flags, built from the one definition (shared/upscale-options): upscale and
 * batch take all of them, eval the sampling ones. Absent flags mean "the default": the shared
 * one for samples/seed, the model's own for steps, guidance, scheduler and degradation.
 */
export const upscaleFlags = {
  scale: () => new Option('--scale <n>', SCALES.join(' or ')).argParser(scaleOption).default(UPSCALE_DEFAULTS.scale),
  steps: () => new Option('--steps <n>', `denoising steps, ${describeLimit('steps')} (model default when absent)`).argParser(limitedOption('steps')),
  samples: () => new Option('--samples <k>', `samples per slice, ${describeLimit('samples')} (default ${UPSCALE_DEFAULTS.samples}); more than 1 also gives the uncertainty (std) map`).argParser(limitedOption('samples')),
  seed: () => new Option('--seed <n>', `seed for reproducible output, ${describeLimit('seed')} (default ${UPSCALE_DEFAULTS.seed})`).argParser(limitedOption('seed')),
  guidance: () => new Option('--guidance <g>', `classifier-free guidance scale, ${describeLimit('guidance')} (model default when absent; 1 = none)`).argParser(limitedOption('guidance')),
  degradation: () =>
    new Option('--degradation <kind>', 'what made the input, if known: kspace (lower acquisition matrix), area (detector pixels), bicubic (resampled); auto = unknown (default of the shipped model)').choices(DEGRADATION_MODES),
  resampler: () =>
    new Option('--resampler <name>', "which downsampler made a resampled input, if known: bicubic (PyTorch's antialiased, PIL's), gaussian-spline (scikit-image resize/rescale), lanczos (PIL), bilinear (PIL, PyTorch's antialiased); the resampled path projects onto it. auto (default): the model's resampler detector").choices(RESAMPLERS),
  scheduler: () => new Option('--scheduler <name>', "sampler (the model's scheduler when absent)").choices(SCHEDULER_NAMES),
  prompt: () => new Option('--prompt <text>', 'override the prompt built from the metadata').argParser(promptOption),
};
