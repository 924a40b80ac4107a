import type { Image, Viewport } from 'cornerstone-core';

/** The text drawn in a viewport's corners: what it shows, matrix and spacing, slice, window,
 * the value under the cursor, and the "NOT FOR DIAGNOSTIC USE" label that every view carries. */
export const NOT_FOR_DIAGNOSIS = 'NOT FOR DIAGNOSTIC USE';

export interface OverlayElements {
  root: HTMLElement; title: HTMLElement; size: HTMLElement; slice: HTMLElement; value: HTMLElement;
  /** colour scale of what is drawn (difference map, uncertainty overlay); empty otherwise */
  legend: HTMLElement;
  /** orientation markers at the middle of each edge */
  edges: { left: HTMLElement; right: HTMLElement; top: HTMLElement; bottom: HTMLElement };
}

export function createOverlay(cell: HTMLElement, title: string): OverlayElements {
  const root = document.createElement('div');
  root.className = 'vp-overlay';
  const corner = (cls: string) => {
    const div = document.createElement('div');
    div.className = `corner ${cls}`;
    root.appendChild(div);
    return div;
  };
  const titleEl = corner('tl');
  titleEl.textContent = title;
  const size = corner('tr');
  const slice = corner('bl');
  const value = corner('br');
  const label = corner('bc warning');
  label.textContent = NOT_FOR_DIAGNOSIS;
  const edges = { left: corner('orient ol'), right: corner('orient or'), top: corner('orient ot'), bottom: corner('orient ob') };
  const legend = corner('legend');
  cell.appendChild(root);
  return { root, title: titleEl, size, slice, value, legend, edges };
}

export function describeImage(image: Image): string {
  const spacing = image.rowPixelSpacing && image.columnPixelSpacing
    ? `${fmt(image.columnPixelSpacing)} × ${fmt(image.rowPixelSpacing)} mm` : 'spacing unknown';
  return `${image.columns} × ${image.rows} px\n${spacing}`;
}

export function describeSlice(index: number, count: number, viewport: Viewport, zoomBase: number): string {
  const zoom = Math.round((viewport.scale / zoomBase) * 100);
  return `Slice ${index + 1} / ${count}\nW ${Math.round(viewport.voi.windowWidth)}  L ${Math.round(viewport.voi.windowCenter)}  ${zoom}%`;
}

export function describeValue(x: number, y: number, value: number | undefined, unit: string): string {
  if (value === undefined) return '';
  return `(${Math.floor(x)}, ${Math.floor(y)})  ${fmt(value)}${unit ? ` ${unit}` : ''}`;
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(Math.abs(n) < 10 ? 3 : 1);
}

export interface LegendSpec { title: string; low: string; high: string; gradient: string }

/** A colour bar with its two end values, or nothing. */
export function setLegend(el: HTMLElement, spec: LegendSpec | undefined): void {
  if (!spec) {
    el.replaceChildren();
    delete el.dataset.legend;
    return;
  }
  const key = `${spec.title}|${spec.low}|${spec.high}`;
  if (el.dataset.legend === key) return;
  el.dataset.legend = key;
  const title = document.createElement('div');
  title.textContent = spec.title;
  const bar = document.createElement('div');
  bar.className = 'legend-bar';
  bar.style.background = spec.gradient;
  const ends = document.createElement('div');
  ends.className = 'legend-ends';
  const low = document.createElement('span');
  low.textContent = spec.low;
  const high = document.createElement('span');
  high.textContent = spec.high;
  ends.append(low, high);
  el.replaceChildren(title, bar, ends);
}

export function formatValue(n: number): string {
  return fmt(n);
}
