import type { DegradationModeName } from '../shared/upscale-options';

/**
 * Slices of one series are made the same way, so in `auto` they should all take one path. When the detector sends some
 * down one path and some down another, it was unsure how the series was made (on the model card's validation every
 * series with mixed calls held wrong ones), and the derived slices sit on different pixel grids (the k-space and the
 * resampled grid differ by (scale - 1) / 2 output pixels). The slices keep their own calls (pooling them over the series
 * did worse on the card's validation: notes under Training); jobs and batch reports say so instead, so that whoever
 * knows how the series was made can tell the pipeline.
 */

/** How many slices (frames, mosaic tiles) ran down each path: the degradation told, or in `auto` the detector's pick. */
export type PathCounts = Partial<Record<DegradationModeName, number>>;

export interface MixedPathWarning {
  code: 'series.mixed_paths';
  seriesInstanceUID: string;
  /** Slices per path, most first. */
  paths: PathCounts;
  message: string;
}

/** `counts` with `n` more slices on `path` (in place; returned for chaining). */
export function countPath(counts: PathCounts, path: DegradationModeName, n = 1): PathCounts {
  counts[path] = (counts[path] ?? 0) + n;
  return counts;
}

/** "kspace 8, bicubic 4": most first. */
export function describePaths(counts: PathCounts): string {
  return ranked(counts).map(([path, n]) => `${path} ${n}`).join(', ');
}

function ranked(counts: PathCounts): Array<[DegradationModeName, number]> {
  return (Object.entries(counts) as Array<[DegradationModeName, number]>).sort((a, b) => b[1] - a[1]);
}

/** `into` with `more`'s counts added (in place; returned for chaining). */
export function mergePaths(into: PathCounts, more: PathCounts): PathCounts {
  for (const [path, n] of Object.entries(more) as Array<[DegradationModeName, number]>) countPath(into, path, n);
  return into;
}

/** One warning per series whose slices that ran (`paths` known) took more than one path, in first-seen order. */
export function mixedPathWarnings(items: Iterable<{ seriesInstanceUID?: string; paths?: PathCounts }>): MixedPathWarning[] {
  const bySeries = new Map<string, PathCounts>();
  for (const { seriesInstanceUID, paths } of items) {
    if (seriesInstanceUID === undefined || paths === undefined) continue;
    bySeries.set(seriesInstanceUID, mergePaths(bySeries.get(seriesInstanceUID) ?? {}, paths));
  }
  const warnings: MixedPathWarning[] = [];
  for (const [seriesInstanceUID, counts] of bySeries) {
    const order = ranked(counts);
    if (order.length < 2) continue;
    warnings.push({
      code: 'series.mixed_paths',
      seriesInstanceUID,
      paths: Object.fromEntries(order),
      message: `the slices of series ${seriesInstanceUID} took different paths (${describePaths(counts)}): `
        + 'the degradation detector was unsure how this series was made, and its derived slices sit on different pixel grids; '
        + 'if you know how it was made, run it again with the degradation told (kspace: a lower acquisition matrix; bicubic: '
        + 'resampled; area: larger CT detector pixels)',
    });
  }
  return warnings;
}
