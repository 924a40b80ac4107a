/** The small part of cornerstone-core 2.6 / cornerstone-tools 6 / cornerstone-math the viewer
 * uses. Those packages ship no types; these declarations are written against their dist code. */
declare module 'cornerstone-core' {
  export interface Voi { windowWidth: number; windowCenter: number }
  export interface Viewport {
    scale: number;
    translation: { x: number; y: number };
    voi: Voi;
    invert: boolean;
    pixelReplication: boolean;
    rotation: number;
    hflip: boolean;
    vflip: boolean;
  }
  export interface Image {
    imageId: string;
    minPixelValue: number;
    maxPixelValue: number;
    slope: number;
    intercept: number;
    windowCenter: number;
    windowWidth: number;
    getPixelData: () => ArrayLike<number>;
    rows: number;
    columns: number;
    height: number;
    width: number;
    color: boolean;
    columnPixelSpacing: number | undefined;
    rowPixelSpacing: number | undefined;
    invert: boolean;
    sizeInBytes: number;
  }
  export interface EnabledElement { element: HTMLElement; image?: Image; canvas: HTMLCanvasElement; viewport?: Viewport }
  export interface ImageLoadObject { promise: Promise<Image>; cancelFn?: () => void }
  export function enable(element: HTMLElement, options?: object): void;
  export function disable(element: HTMLElement): void;
  export function displayImage(element: HTMLElement, image: Image, viewport?: Partial<Viewport>): void;
  export function loadAndCacheImage(imageId: string): Promise<Image>;
  export function loadImage(imageId: string): Promise<Image>;
  export function registerImageLoader(scheme: string, loader: (imageId: string) => ImageLoadObject): void;
  export function getViewport(element: HTMLElement): Viewport | undefined;
  export function setViewport(element: HTMLElement, viewport: Partial<Viewport>): void;
  export function getImage(element: HTMLElement): Image | undefined;
  export function getEnabledElement(element: HTMLElement): EnabledElement;
  export function resize(element: HTMLElement, fitToWindow?: boolean): void;
  export function reset(element: HTMLElement): void;
  export function fitToWindow(element: HTMLElement): void;
  /** renders now (updateImage waits for the next animation frame) */
  export function draw(element: HTMLElement): void;
  export function updateImage(element: HTMLElement, invalidated?: boolean): void;
  export function pageToPixel(element: HTMLElement, pageX: number, pageY: number): { x: number; y: number };
  export const internal: { getTransform(enabledElement: EnabledElement): { m: number[] } };
  export const imageCache: { purgeCache(): void; setMaximumSizeBytes(n: number): void };
}

declare module 'cornerstone-tools' {
  export type SyncHandler = (
    synchronizer: Synchronizer, source: HTMLElement, target: HTMLElement, eventData: unknown,
  ) => void;
  export class Synchronizer {
    constructor(event: string, handler: SyncHandler);
    add(element: HTMLElement): void;
    addSource(element: HTMLElement): void;
    addTarget(element: HTMLElement): void;
    remove(element: HTMLElement): void;
    destroy(): void;
    enabled: boolean;
  }
  export const external: { cornerstone: unknown; cornerstoneMath: unknown; Hammer: unknown };
  export function init(config?: object): void;
  export function addTool(tool: unknown, props?: object): void;
  export function setToolActive(name: string, options: object): void;
  export function addStackStateManager(element: HTMLElement, types: string[]): void;
  export function addToolState(element: HTMLElement, type: string, data: object): void;
  export function clearToolState(element: HTMLElement, type: string): void;
  export function getToolState(element: HTMLElement, type: string): { data: Array<{ currentImageIdIndex: number; imageIds: string[] }> } | undefined;
  export function scrollToIndex(element: HTMLElement, index: number): void;
  export const stackImageIndexSynchronizer: SyncHandler;
  export const stackPrefetch: {
    enable(element: HTMLElement): void;
    disable(element: HTMLElement): void;
    setConfiguration(config: { maxImagesToPrefetch?: number; preserveExistingPool?: boolean }): void;
  };
  export const WwwcTool: unknown;
  export const PanTool: unknown;
  export const ZoomTool: unknown;
  export const StackScrollMouseWheelTool: unknown;
}

declare module 'cornerstone-math';
