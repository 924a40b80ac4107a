import * as cornerstone from 'cornerstone-core';
import * as cornerstoneTools from 'cornerstone-tools';
import * as cornerstoneMath from 'cornerstone-math';
import Hammer from 'hammerjs';
import { registerDicomLoader } from './dicom-loader';
import { registerDifferenceLoader, registerMissingLoader } from './derived-images';

/** One-time wiring of cornerstone-core, -tools, -math and hammerjs, the image loaders, and the
 * mouse bindings radiologists expect: left drag window/level, right drag zoom, middle drag pan,
 * wheel scrolls slices. Tools are global, so every enabled viewport gets them. */
export function setUpCornerstone(): void {
  cornerstoneTools.external.cornerstone = cornerstone;
  cornerstoneTools.external.cornerstoneMath = cornerstoneMath;
  cornerstoneTools.external.Hammer = Hammer;
  cornerstoneTools.init({ showSVGCursors: false, globalToolSyncEnabled: true });
  cornerstone.imageCache.setMaximumSizeBytes(1024 * 1024 * 1024);
  registerDicomLoader();
  registerDifferenceLoader();
  registerMissingLoader();
  cornerstoneTools.addTool(cornerstoneTools.WwwcTool);
  cornerstoneTools.addTool(cornerstoneTools.PanTool);
  cornerstoneTools.addTool(cornerstoneTools.ZoomTool);
  cornerstoneTools.addTool(cornerstoneTools.StackScrollMouseWheelTool);
  cornerstoneTools.setToolActive('Wwwc', { mouseButtonMask: 1 });
  cornerstoneTools.setToolActive('Zoom', { mouseButtonMask: 2 });
  cornerstoneTools.setToolActive('Pan', { mouseButtonMask: 4 });
  cornerstoneTools.setToolActive('StackScrollMouseWheel', {});
  // Fetch the slices around the shown one in the background, for both viewports at once (the
  // pool is shared, so one viewport's prefetch must not cancel the other's).
  cornerstoneTools.stackPrefetch.setConfiguration({ maxImagesToPrefetch: Infinity, preserveExistingPool: true });
}

/** Makes an element a viewport with a (possibly empty) stack of image ids. */
export function enableViewport(element: HTMLElement): void {
  cornerstone.enable(element);
  element.addEventListener('contextmenu', (e) => e.preventDefault());
  cornerstoneTools.addStackStateManager(element, ['stack']);
}

export function setStack(element: HTMLElement, imageIds: string[], index: number): void {
  cornerstoneTools.stackPrefetch.disable(element);
  cornerstoneTools.clearToolState(element, 'stack');
  cornerstoneTools.addToolState(element, 'stack', { currentImageIdIndex: index, imageIds });
  // difference images are computed from the other two: prefetching them would only cost CPU
  if (!imageIds[0]?.startsWith('medsrdiff:')) cornerstoneTools.stackPrefetch.enable(element);
}

export function stackOf(element: HTMLElement): { currentImageIdIndex: number; imageIds: string[] } | undefined {
  return cornerstoneTools.getToolState(element, 'stack')?.data[0];
}
