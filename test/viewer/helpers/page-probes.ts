import type { Page } from 'playwright-core';

/** Reads of what the page shows: canvas pixel statistics and the viewer's own description. */
export interface CanvasStats { width: number; height: number; mean: number; std: number; nonBlack: number }

export async function canvasStats(page: Page, cell: 'original' | 'reconstructed'): Promise<CanvasStats> {
  return page.evaluate((name) => {
    const canvas = document.querySelector<HTMLCanvasElement>(`[data-cell="${name}"] .viewport canvas`);
    if (!canvas) return { width: 0, height: 0, mean: 0, std: 0, nonBlack: 0 };
    const ctx = canvas.getContext('2d');
    const data = ctx ? ctx.getImageData(0, 0, canvas.width, canvas.height).data : new Uint8ClampedArray();
    let sum = 0; let sq = 0; let nonBlack = 0;
    const n = data.length / 4;
    for (let i = 0; i < data.length; i += 4) {
      const v = ((data[i] ?? 0) + (data[i + 1] ?? 0) + (data[i + 2] ?? 0)) / 3;
      sum += v; sq += v * v;
      if (v > 8) nonBlack++;
    }
    const mean = n ? sum / n : 0;
    return { width: canvas.width, height: canvas.height, mean, std: Math.sqrt(Math.max(0, sq / Math.max(1, n) - mean * mean)), nonBlack: n ? nonBlack / n : 0 };
  }, cell);
}

/** Fingerprint of a canvas (sum of |pixel - 128| over a grid) to tell renderings apart. */
export async function canvasSignature(page: Page, cell: 'original' | 'reconstructed'): Promise<number[]> {
  return page.evaluate((name) => {
    const canvas = document.querySelector<HTMLCanvasElement>(`[data-cell="${name}"] .viewport canvas`);
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return [];
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    const out: number[] = [];
    for (let i = 0; i < data.length; i += 4 * 97) out.push((data[i] ?? 0) * 3 + (data[i + 1] ?? 0) * 5 + (data[i + 2] ?? 0) * 7);
    return out;
  }, cell);
}

export function fractionDifferent(a: number[], b: number[]): number {
  const n = Math.min(a.length, b.length);
  let diff = 0;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) diff++;
  return n ? diff / n : 0;
}

export type ViewportInfo = { columns: number; rows: number; index: number; shown: number; count: number; imageId: string; scale: number;
  translation: { x: number; y: number }; windowWidth: number; windowCenter: number };

/** The handle src/viewer/main.ts puts on `window.medsrViewer` for these tests and the benchmark (the part they use). */
export type ViewerWindow = {
  medsrViewer: {
    view: {
      describe(): { left: ViewportInfo | null; right: ViewportInfo | null };
      scrollTo(index: number): Promise<void>;
      swipeFraction: number;
      renders: number;
    };
    state: { job?: { id: string } };
  };
};

export async function describeViewports(page: Page): Promise<{ left: ViewportInfo | null; right: ViewportInfo | null }> {
  return page.evaluate(() => (window as unknown as ViewerWindow).medsrViewer.view.describe());
}

/** Reads the page until the read satisfies `ok` or the time is up, and returns the last read, so
 * the caller's expect() reports the real value. Cornerstone draws asynchronously (image loads,
 * animation frames, synchronizers that follow on render): one read right after an action races
 * the renderer, and a fixed sleep only hides the race on a fast machine. */
export async function settle<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!ok(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}

/** Waits until a canvas stops changing between two reads (a baseline to compare a later change with). */
export async function stableSignature(page: Page, cell: 'original' | 'reconstructed'): Promise<number[]> {
  let previous: number[] = [];
  const read = async () => {
    const now = await canvasSignature(page, cell);
    const still = now.length > 0 && now.length === previous.length && fractionDifferent(previous, now) === 0;
    previous = now;
    return { now, still };
  };
  return (await settle(read, (r) => r.still)).now;
}

/** Waits until the selected series' thumbnail has loaded (a broken image fails by timeout). */
export async function waitForThumbnail(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const img = document.querySelector<HTMLImageElement>('.series img');
    return !!img && img.complete && img.naturalWidth > 0;
  }, null, { timeout: 30_000 });
}

/** Waits for the compare view's own signal that a reconstructed image is drawn, or for a job error. */
export async function waitForReconstruction(page: Page): Promise<string> {
  const outcome = await page.waitForFunction(() => {
    const status = document.querySelector('#job-status');
    if ((document.querySelector('#compare') as HTMLElement | null)?.dataset.reconstruction === 'shown') return 'shown';
    if (status?.classList.contains('error')) return `error: ${status.textContent ?? ''}`;
    return false;
  }, null, { timeout: 200_000, polling: 250 });
  return (await outcome.jsonValue()) as string;
}

/** Pearson correlation of two canvas signatures of equal-sized canvases (same grid points). */
export function correlation(a: number[], b: number[]): number {
  const n = Math.min(a.length, b.length);
  if (n === 0) return NaN;
  let ma = 0; let mb = 0;
  for (let i = 0; i < n; i++) { ma += a[i]! / n; mb += b[i]! / n; }
  let ab = 0; let aa = 0; let bb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma; const db = b[i]! - mb;
    ab += da * db; aa += da * da; bb += db * db;
  }
  return ab / Math.sqrt(aa * bb);
}
