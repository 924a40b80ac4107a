import * as cornerstone from 'cornerstone-core';
import * as cornerstoneTools from 'cornerstone-tools';

/** Synchronizers for a compare layout (as in cornerstone3D / OHIF): slice index, window/level
 * and zoom/pan, between viewports whose matrices differ (the reconstruction is 2x or 4x larger).
 * Zoom and pan are mapped through the matrix ratio so both show the same anatomy at the same
 * size; window/level is copied as is because both are in modality units (HU for CT). */

export interface SyncOptions {
  /** false while one side shows a difference map, whose window is centred on zero */
  syncWindow: () => boolean;
}

const EPS = 1e-6;

export function createCompareSync(options: SyncOptions): { add(el: HTMLElement): void; destroy(): void } {
  const viewportSync = new cornerstoneTools.Synchronizer('cornerstoneimagerendered',
    (_sync, source, target) => copyViewport(source, target, options.syncWindow()));
  const sliceSync = new cornerstoneTools.Synchronizer('cornerstonenewimage',
    cornerstoneTools.stackImageIndexSynchronizer);
  return {
    add(el) { viewportSync.add(el); sliceSync.add(el); },
    destroy() { viewportSync.destroy(); sliceSync.destroy(); },
  };
}

function copyViewport(source: HTMLElement, target: HTMLElement, syncWindow: boolean): void {
  if (source === target) return;
  const from = cornerstone.getViewport(source);
  const to = cornerstone.getViewport(target);
  const fromImage = cornerstone.getImage(source);
  const toImage = cornerstone.getImage(target);
  if (!from || !to || !fromImage || !toImage) return;
  const ratio = toImage.columns / fromImage.columns;
  const next = {
    scale: from.scale / ratio,
    translation: { x: from.translation.x * ratio, y: from.translation.y * ratio },
    voi: syncWindow ? { ...from.voi } : to.voi,
    invert: syncWindow ? from.invert : to.invert,
  };
  // Only write when something differs: each write re-renders the target, whose render event
  // comes back here, and equal values end that exchange.
  const differs = Math.abs(next.scale - to.scale) > EPS * to.scale
    || Math.abs(next.translation.x - to.translation.x) > 1e-3
    || Math.abs(next.translation.y - to.translation.y) > 1e-3
    || next.voi.windowWidth !== to.voi.windowWidth || next.voi.windowCenter !== to.voi.windowCenter
    || next.invert !== to.invert;
  if (differs) cornerstone.setViewport(target, next);
}
