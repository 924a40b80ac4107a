import * as cornerstone from 'cornerstone-core';
import type { CompareView } from './compare-view';
import { NOT_FOR_DIAGNOSIS } from './viewport-overlay';

/** A PNG of what is on screen: the viewports as laid out (swipe composited at the divider), with
 * their titles and the not-for-diagnosis label burnt in, since a PNG leaves our labels behind. */
export async function snapshotPng(view: CompareView): Promise<Blob> {
  const sides = [view.left, view.right].filter((s) => cornerstone.getImage(s.el));
  // a resize clears a canvas until the next animation frame: render now so the copy is current
  for (const side of sides) cornerstone.draw(side.el);
  const canvases = sides.map((s) => cornerstone.getEnabledElement(s.el).canvas);
  const swipe = view.mode === 'swipe' && canvases.length === 2;
  const first = canvases[0];
  if (!first) throw new Error('Nothing is shown yet.');
  const out = document.createElement('canvas');
  out.width = swipe ? first.width : canvases.reduce((w, c) => w + c.width, 0);
  out.height = Math.max(...canvases.map((c) => c.height));
  const ctx = out.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas');
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, out.width, out.height);
  let x = 0;
  canvases.forEach((canvas, i) => {
    if (swipe && i === 1) {
      const cut = Math.round(canvas.width * view.swipeFraction);
      ctx.drawImage(canvas, cut, 0, canvas.width - cut, canvas.height, cut, 0, canvas.width - cut, canvas.height);
    } else {
      ctx.drawImage(canvas, x, 0);
    }
    ctx.font = '600 13px sans-serif';
    ctx.fillStyle = '#d8dde3';
    const title = sides[i]?.overlay.title.textContent ?? '';
    ctx.fillText(title, (swipe && i === 1 ? canvas.width - ctx.measureText(title).width - 16 : x) + 8, 18);
    ctx.fillStyle = '#d9a441';
    ctx.fillText(NOT_FOR_DIAGNOSIS, x + 8, canvas.height - 10);
    if (!swipe) x += canvas.width;
  });
  return new Promise((resolve, reject) => out.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'));
}

export function saveBlob(blob: Blob, name: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
