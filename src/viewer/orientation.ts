/**
 * Orientation markers from ImageOrientationPatient: the patient directions the image's right
 * edge (increasing column) and bottom edge (increasing row) point to, strongest first, e.g. `L`,
 * `PL`. Patient axes (LPS): +x left, +y posterior, +z head.
 */
export interface OrientationLabels { left: string; right: string; top: string; bottom: string }

function letters(v: readonly number[]): string {
  const axes: Array<[number, string, string]> = [[v[0] ?? 0, 'L', 'R'], [v[1] ?? 0, 'P', 'A'], [v[2] ?? 0, 'H', 'F']];
  return axes
    .filter(([c]) => Math.abs(c) > 0.25)
    .sort((a, b) => Math.abs(b[0]) - Math.abs(a[0]))
    .map(([c, plus, minus]) => (c > 0 ? plus : minus))
    .join('');
}

const negate = (v: readonly number[]): number[] => v.map((c) => -c);

/** Undefined without a usable orientation (six finite numbers). */
export function orientationLabels(iop: readonly number[] | undefined): OrientationLabels | undefined {
  if (!iop || iop.length !== 6 || iop.some((c) => !Number.isFinite(c))) return undefined;
  const row = iop.slice(0, 3);
  const column = iop.slice(3, 6);
  return { right: letters(row), left: letters(negate(row)), bottom: letters(column), top: letters(negate(column)) };
}
