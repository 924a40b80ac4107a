/**
 * Window (VOI) attributes of a derived image. The source's windows are in modality units, which
 * super-resolution keeps, so a window stays while it still overlaps the new pixels' range; one
 * that no longer does would show a blank image and is dropped (with its explanation).
 */
import { type DicomDataset, getNumbers, get, put, remove } from './write-derived-dataset';

const WINDOW_ATTRIBUTES = ['WindowCenter', 'WindowWidth', 'WindowCenterWidthExplanation', 'VOILUTFunction', 'VOILUTSequence'];

export interface Window {
  center: number;
  width: number;
}

export function setWindow(ds: DicomDataset, window: Window, explanation: string): void {
  remove(ds, ...WINDOW_ATTRIBUTES);
  put(ds, 'WindowCenter', [window.center]);
  put(ds, 'WindowWidth', [window.width]);
  put(ds, 'WindowCenterWidthExplanation', [explanation]);
}

/** Keeps the windows that overlap [range.min, range.max] (modality units); drops all when none does. */
export function keepSensibleWindows(ds: DicomDataset, range: { min: number; max: number }): void {
  const centers = getNumbers(ds, 'WindowCenter');
  const widths = getNumbers(ds, 'WindowWidth');
  if (!centers || !widths || centers.length !== widths.length) {
    remove(ds, 'WindowCenter', 'WindowWidth', 'WindowCenterWidthExplanation');
    return;
  }
  const explanations = get(ds, 'WindowCenterWidthExplanation');
  const kept = centers
    .map((center, i) => ({ center, width: widths[i]!, explanation: explanations?.[i] }))
    .filter(({ center, width }) => width >= 1 && center - width / 2 <= range.max && center + width / 2 >= range.min);
  if (kept.length === 0) {
    remove(ds, ...WINDOW_ATTRIBUTES);
    return;
  }
  if (kept.length === centers.length) return;
  put(ds, 'WindowCenter', kept.map((w) => w.center));
  put(ds, 'WindowWidth', kept.map((w) => w.width));
  if (explanations) put(ds, 'WindowCenterWidthExplanation', kept.map((w) => w.explanation ?? ''));
}
