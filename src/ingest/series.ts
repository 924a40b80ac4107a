import type { DicomInstance, Series, Study } from './types';

/** Positions closer than this (mm) along the normal count as the same slice. */
const SAME_POSITION_MM = 1e-3;
/** A step this many times the typical spacing is reported as a gap (a missing slice). */
const GAP_FACTOR = 1.5;

/**
 * Groups instances into studies and series and orders each series along its slice normal
 * (row x column direction of the first slice), then by InstanceNumber. Duplicates, gaps and
 * mixed sizes or orientations do not stop assembly: they become warnings on the series.
 */
export function assembleSeries(instances: DicomInstance[]): Study[] {
  const studies = new Map<string, Study>();
  const seriesByKey = new Map<string, Series>();
  for (const instance of instances) {
    let study = studies.get(instance.studyInstanceUID);
    if (!study) {
      study = { studyInstanceUID: instance.studyInstanceUID, description: instance.studyDescription, series: [] };
      studies.set(instance.studyInstanceUID, study);
    }
    const key = `${instance.studyInstanceUID}\u0000${instance.seriesInstanceUID}`;
    let series = seriesByKey.get(key);
    if (!series) {
      series = {
        studyInstanceUID: instance.studyInstanceUID,
        seriesInstanceUID: instance.seriesInstanceUID,
        modality: instance.modality,
        seriesNumber: instance.seriesNumber,
        description: instance.seriesDescription,
        instances: [],
        warnings: [],
      };
      seriesByKey.set(key, series);
      study.series.push(series);
    }
    series.instances.push(instance);
  }
  for (const study of studies.values()) {
    study.series.sort((a, b) => (a.seriesNumber ?? Infinity) - (b.seriesNumber ?? Infinity) || compare(a.seriesInstanceUID, b.seriesInstanceUID));
    for (const series of study.series) orderSeries(series);
  }
  return [...studies.values()];
}

function orderSeries(series: Series): void {
  const first = series.instances[0];
  const normal = first ? sliceNormal(first) : undefined;
  const positionOf = (i: DicomInstance): number | undefined => {
    const p = i.geometry.imagePositionPatient;
    return normal && p ? p[0] * normal[0] + p[1] * normal[1] + p[2] * normal[2] : undefined;
  };
  const keyed = series.instances.map((instance) => ({ instance, position: positionOf(instance) }));
  keyed.sort(
    (a, b) =>
      (a.position ?? Infinity) - (b.position ?? Infinity) ||
      (a.instance.instanceNumber ?? Infinity) - (b.instance.instanceNumber ?? Infinity) ||
      compare(a.instance.ref.label, b.instance.ref.label),
  );
  series.instances = keyed.map((k) => k.instance);
  series.warnings.push(...duplicateWarnings(series.instances), ...sizeWarnings(series.instances));
  series.warnings.push(...spacingWarnings(keyed.map((k) => k.position).filter((p): p is number => p !== undefined)));
}

function sliceNormal(instance: DicomInstance): [number, number, number] | undefined {
  const o = instance.geometry.imageOrientationPatient;
  if (!o) return undefined;
  const n: [number, number, number] = [o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3]];
  const length = Math.hypot(...n);
  return length > 1e-6 ? [n[0] / length, n[1] / length, n[2] / length] : undefined;
}

function duplicateWarnings(instances: DicomInstance[]): string[] {
  const byUid = new Map<string, string[]>();
  for (const i of instances) byUid.set(i.sopInstanceUID, [...(byUid.get(i.sopInstanceUID) ?? []), i.ref.label]);
  return [...byUid.entries()].filter(([, labels]) => labels.length > 1).map(([uid, labels]) => `duplicate SOPInstanceUID ${uid} in ${labels.join(', ')}`);
}

function sizeWarnings(instances: DicomInstance[]): string[] {
  const warnings: string[] = [];
  const sizes = new Set(instances.map((i) => `${i.pixel.rows}x${i.pixel.columns}`));
  if (sizes.size > 1) warnings.push(`mixed image sizes: ${[...sizes].join(', ')}`);
  const orientations = new Set(instances.map((i) => i.geometry.imageOrientationPatient?.map((v) => v.toFixed(3)).join('\\') ?? 'none'));
  if (orientations.size > 1) warnings.push(`mixed orientations: ${orientations.size} different ImageOrientationPatient values`);
  return warnings;
}

/** Positions are sorted; reports slices at the same position and steps much larger than usual. */
function spacingWarnings(positions: number[]): string[] {
  const warnings: string[] = [];
  const steps: number[] = [];
  let shared = 0;
  for (let k = 1; k < positions.length; k++) {
    const step = positions[k]! - positions[k - 1]!;
    if (step < SAME_POSITION_MM) shared += 1;
    else steps.push(step);
  }
  if (shared > 0) warnings.push(`${shared} slice(s) share a position with another slice (duplicates or several acquisitions)`);
  if (steps.length >= 2) {
    const typical = median(steps);
    const gaps = steps.filter((s) => s > GAP_FACTOR * typical);
    if (gaps.length > 0) {
      warnings.push(`${gaps.length} gap(s) in slice spacing: steps of ${gaps.map((g) => g.toFixed(2)).join(', ')} mm where ${typical.toFixed(2)} mm is typical`);
    }
  }
  return warnings;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
