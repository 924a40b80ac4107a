import type { ReadLimits, ReadOptions } from './types';

/**
 * Defaults sized for real studies: a 5 GB archive of CT slices passes, a 10 MB file claiming
 * 60000 x 60000 x 1000 pixels or a 42 kB zip inflating to petabytes does not.
 */
export const DEFAULT_READ_LIMITS: Readonly<ReadLimits> = Object.freeze({
  maxFileBytes: 2 * 1024 ** 3 - 1,
  maxFrameSamples: 16384 * 16384,
  maxInstanceSamples: 2 ** 31 - 1,
  maxArchiveBytes: 64 * 1024 ** 3,
  maxArchiveEntries: 200_000,
  maxCompressionRatio: 200,
});

export function resolveLimits(options: ReadOptions | undefined): ReadLimits {
  return { ...DEFAULT_READ_LIMITS, ...(options?.limits ?? {}) };
}
