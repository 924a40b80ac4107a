import { InvalidArgumentError } from 'commander';

/** Commander argument parsers shared by the serve, worker and batch commands. */
export function intOption(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected an integer in ${min}..${max}`);
    return n;
  };
}

export function scaleOption(value: string): 2 | 4 {
  if (value !== '2' && value !== '4') throw new InvalidArgumentError('scale must be 2 or 4');
  return Number(value) as 2 | 4;
}

export const DEVICES = ['auto', 'cpu', 'cuda', 'webgpu'] as const;
export type DeviceName = (typeof DEVICES)[number];

export function deviceOption(value: string): DeviceName {
  if (!(DEVICES as readonly string[]).includes(value)) throw new InvalidArgumentError(`device must be one of ${DEVICES.join(', ')}`);
  return value as DeviceName;
}
