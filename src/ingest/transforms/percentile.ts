/**
 * Percentiles with numpy's default ("linear") definition, which the Python recipe uses: for p in
 * [0, 100] over n values sorted ascending, rank = p/100 * (n - 1) and the result interpolates
 * between the values at floor(rank) and ceil(rank). Found by selection (average O(n)), not a full sort.
 */

/** Percentiles of `values` (not modified) for each p in `ps`. */
export function percentiles(values: ArrayLike<number>, ps: readonly number[]): number[] {
  if (values.length === 0) throw new RangeError('percentile of no values');
  const work = Float64Array.from(values);
  return ps.map((p) => {
    if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside [0, 100]`);
    const rank = (p / 100) * (work.length - 1);
    const lowIndex = Math.floor(rank);
    const below = select(work, lowIndex);
    if (rank === lowIndex) return below;
    // After selecting lowIndex everything to its right is >= it; the next order statistic is their minimum.
    let above = Infinity;
    for (let i = lowIndex + 1; i < work.length; i++) if (work[i]! < above) above = work[i]!;
    return below + (above - below) * (rank - lowIndex);
  });
}

/** Hoare-style quickselect: reorders `a` so that a[k] is the k-th smallest, and returns it. */
function select(a: Float64Array, k: number): number {
  let left = 0;
  let right = a.length - 1;
  while (right > left) {
    const pivot = medianOfThree(a[left]!, a[(left + right) >> 1]!, a[right]!);
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break;
  }
  return a[k]!;
}

function medianOfThree(x: number, y: number, z: number): number {
  return Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
}
