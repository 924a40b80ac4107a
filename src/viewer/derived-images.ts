import * as cornerstone from 'cornerstone-core';

/** Images computed in the browser from loaded ones: the difference map (reconstructed minus the
 * original resampled bilinearly onto the reconstruction's grid, in modality units) and the
 * uncertainty overlay (the calibrated per-pixel SD, coloured, alpha growing with the value). */

const DIFF_SCHEME = 'medsrdiff';
const pairs = new Map<string, { original: string; reconstructed: string }>();

export function registerDifferenceLoader(): void {
  cornerstone.registerImageLoader(DIFF_SCHEME, (imageId) => ({ promise: loadDifference(imageId) }));
}

export function differenceImageId(original: string, reconstructed: string): string {
  const id = `${DIFF_SCHEME}:${pairs.size}`;
  pairs.set(id, { original, reconstructed });
  return id;
}

async function loadDifference(imageId: string): Promise<cornerstone.Image> {
  const pair = pairs.get(imageId);
  if (!pair) throw new Error(`unknown difference image ${imageId}`);
  const [orig, recon] = await Promise.all([
    cornerstone.loadAndCacheImage(pair.original), cornerstone.loadAndCacheImage(pair.reconstructed)]);
  if ((orig as { previewOnly?: boolean }).previewOnly) {
    throw new Error('No difference map: the original is compressed and shown from an 8-bit preview.');
  }
  const { rows, columns } = recon;
  const out = new Int16Array(rows * columns);
  const o = orig.getPixelData();
  const r = recon.getPixelData();
  const sx = orig.columns / columns;
  const sy = orig.rows / rows;
  let sumAbs = 0;
  for (let y = 0; y < rows; y++) {
    // pixel centres: reconstruction pixel y covers original rows (y + 0.5) * sy - 0.5
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), orig.rows - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, orig.rows - 1);
    const wy = fy - y0;
    for (let x = 0; x < columns; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), orig.columns - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, orig.columns - 1);
      const wx = fx - x0;
      const at = (yy: number, xx: number) => (o[yy * orig.columns + xx] as number) * orig.slope + orig.intercept;
      const top = at(y0, x0) * (1 - wx) + at(y0, x1) * wx;
      const bottom = at(y1, x0) * (1 - wx) + at(y1, x1) * wx;
      const original = top * (1 - wy) + bottom * wy;
      const reconstructed = (r[y * columns + x] as number) * recon.slope + recon.intercept;
      const d = Math.max(-32768, Math.min(32767, Math.round(reconstructed - original)));
      out[y * columns + x] = d;
      sumAbs += Math.abs(d);
    }
  }
  let min = 0;
  let max = 0;
  for (const v of out) { if (v < min) min = v; if (v > max) max = v; }
  const spread = Math.max(10, 6 * (sumAbs / out.length));
  return {
    imageId, rows, columns, width: columns, height: rows, color: false,
    minPixelValue: min, maxPixelValue: max, slope: 1, intercept: 0,
    windowCenter: 0, windowWidth: spread, getPixelData: () => out,
    rowPixelSpacing: recon.rowPixelSpacing, columnPixelSpacing: recon.columnPixelSpacing,
    invert: false, sizeInBytes: out.byteLength,
  };
}

const MISSING_SCHEME = 'medsrmissing';

/** A blank stand-in for a slice the job could not reconstruct, so the reconstructed stack keeps
 * the originals' length and slice i still faces slice i. Sized like `reference` (a reconstructed
 * image of the same series), which the id carries; compare-view labels it. */
export function registerMissingLoader(): void {
  cornerstone.registerImageLoader(MISSING_SCHEME, (imageId) => ({ promise: loadMissing(imageId) }));
}

export function missingImageId(reference: string): string {
  return `${MISSING_SCHEME}:${reference}`;
}

export function isMissingImage(imageId: string): boolean {
  return imageId.startsWith(`${MISSING_SCHEME}:`);
}

async function loadMissing(imageId: string): Promise<cornerstone.Image> {
  const ref = await cornerstone.loadAndCacheImage(imageId.slice(MISSING_SCHEME.length + 1));
  const { rows, columns } = ref;
  const blank = new Int16Array(rows * columns);
  return {
    imageId, rows, columns, width: columns, height: rows, color: false,
    minPixelValue: 0, maxPixelValue: 0, slope: 1, intercept: 0, windowCenter: 0, windowWidth: 1,
    getPixelData: () => blank, rowPixelSpacing: ref.rowPixelSpacing, columnPixelSpacing: ref.columnPixelSpacing,
    invert: false, sizeInBytes: blank.byteLength,
  };
}

const colourCache = new Map<string, HTMLCanvasElement>();
/** The value drawn at full colour per uncertainty image (its 99th percentile), for the legend. */
const colourTop = new Map<string, number>();

/** The std shown at full colour in an uncertainty image already drawn, in modality units. */
export function uncertaintyTopOf(imageId: string): number | undefined {
  return colourTop.get(imageId);
}

/** The colours of the uncertainty overlay, low to high, as a CSS gradient (for its legend). */
export const UNCERTAINTY_GRADIENT = 'linear-gradient(to right, rgba(0,0,64,0), rgb(255,0,32) 50%, rgb(255,255,0))';

/** The uncertainty image as an RGBA canvas of its own matrix: black-body colours, transparent
 * where the std is ~0 so the anatomy below stays readable. Scaled to the 99th percentile. */
export function uncertaintyCanvas(image: cornerstone.Image): HTMLCanvasElement {
  const cached = colourCache.get(image.imageId);
  if (cached) return cached;
  const data = image.getPixelData();
  const values = Float32Array.from(data, (v) => v * image.slope + image.intercept);
  const sorted = Float32Array.from(values).sort();
  const top = Math.max(sorted[Math.floor(sorted.length * 0.99)] ?? 1, 1e-6);
  const canvas = document.createElement('canvas');
  canvas.width = image.columns;
  canvas.height = image.rows;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas');
  const rgba = ctx.createImageData(image.columns, image.rows);
  for (let i = 0; i < values.length; i++) {
    const t = Math.min(1, Math.max(0, (values[i] as number) / top));
    rgba.data[i * 4] = Math.round(255 * Math.min(1, t * 2));
    rgba.data[i * 4 + 1] = Math.round(255 * Math.max(0, t * 2 - 1));
    rgba.data[i * 4 + 2] = Math.round(64 * (1 - t));
    rgba.data[i * 4 + 3] = Math.round(255 * Math.sqrt(t));
  }
  ctx.putImageData(rgba, 0, 0);
  colourCache.set(image.imageId, canvas);
  colourTop.set(image.imageId, top);
  return canvas;
}

/** Draws the overlay onto a viewport's canvas with that viewport's transform, after it renders. */
export function drawOverlay(element: HTMLElement, context: CanvasRenderingContext2D,
  overlay: HTMLCanvasElement, opacity: number): void {
  const enabled = cornerstone.getEnabledElement(element);
  if (!enabled.image) return;
  const m = cornerstone.internal.getTransform(enabled).m;
  context.save();
  context.setTransform(m[0] ?? 1, m[1] ?? 0, m[2] ?? 0, m[3] ?? 1, m[4] ?? 0, m[5] ?? 0);
  context.globalAlpha = opacity;
  context.imageSmoothingEnabled = false;
  context.drawImage(overlay, 0, 0, enabled.image.columns, enabled.image.rows);
  context.restore();
}
