import * as cornerstone from 'cornerstone-core';
import { enableViewport, setStack, stackOf } from './cornerstone-setup';
import { createCompareSync } from './viewport-sync';
import { UNCERTAINTY_GRADIENT, differenceImageId, drawOverlay, isMissingImage, uncertaintyCanvas, uncertaintyTopOf } from './derived-images';
import { modalityValueAt, type LoadedImage } from './dicom-loader';
import { type WindowPreset, presetWindow } from './presets';
import { orientationLabels } from './orientation';
import * as overlay from './viewport-overlay';

/** The compare layout: original (left) and reconstruction (right), synchronized. Modes:
 * 'side' (two viewports), 'swipe' (stacked, the right one clipped at a draggable divider) and
 * 'difference' (right shows reconstruction minus original). The uncertainty map is drawn over
 * the reconstruction as a colour overlay. */
export type CompareMode = 'side' | 'swipe' | 'difference';

interface Side { el: HTMLElement; cell: HTMLElement; overlay: overlay.OverlayElements; ids: string[] }

export class CompareView {
  readonly left: Side;
  readonly right: Side;
  mode: CompareMode = 'side';
  uncertaintyIds: string[] = [];
  uncertaintyOn = false;
  uncertaintyOpacity = 0.5;
  swipeFraction = 0.5;
  /** counts renders, read by tests and the benchmark for frames per second */
  renders = 0;
  private diffIds: string[] = [];
  private readonly sync = createCompareSync({ syncWindow: () => this.mode !== 'difference' });
  private readonly uncertaintyImages = new Map<string, cornerstone.Image>();

  constructor(readonly root: HTMLElement) {
    this.left = this.makeSide('original', 'Original');
    this.right = this.makeSide('reconstructed', 'Reconstructed');
    this.right.el.addEventListener('cornerstoneimagerendered', (e) => this.drawUncertainty(e as CustomEvent));
    this.setUpDivider();
    window.addEventListener('resize', () => this.resize());
  }

  get hasReconstruction(): boolean { return this.right.ids.length > 0; }

  async showOriginal(imageIds: string[]): Promise<void> {
    this.sync.destroy();
    this.left.ids = imageIds;
    this.right.ids = [];
    this.diffIds = [];
    this.uncertaintyIds = [];
    this.root.classList.remove('has-reconstruction');
    delete this.root.dataset.reconstruction;
    const image = await cornerstone.loadAndCacheImage(imageIds[0] ?? '');
    setStack(this.left.el, imageIds, 0);
    cornerstone.displayImage(this.left.el, image);
    cornerstone.reset(this.left.el);
  }

  async showReconstruction(imageIds: string[], uncertaintyIds: string[]): Promise<void> {
    this.right.ids = imageIds;
    this.uncertaintyIds = uncertaintyIds;
    // a slice without reconstruction has no difference map either: the blank stand-in again
    this.diffIds = imageIds.map((id, i) => (isMissingImage(id) ? id : differenceImageId(this.left.ids[i] ?? '', id)));
    // the class lays the right viewport out before its first image loads; the data state says
    // when that image is really drawn (what tests and the benchmark wait for)
    this.root.classList.add('has-reconstruction');
    this.root.dataset.reconstruction = 'loading';
    this.resize();
    await this.displayRight(this.sliceIndex());
    cornerstone.draw(this.right.el);
    this.root.dataset.reconstruction = 'shown';
    performance.mark('medsr:reconstruction-shown');
    this.sync.add(this.left.el);
    this.sync.add(this.right.el);
  }

  /** What each viewport shows, for tests and the benchmark (the page does not use it). `index` is
   * the stack's current slice, `shown` the slice whose image is on screen: they differ while a
   * scroll's image is still loading. */
  describe(): Record<'left' | 'right', { columns: number; rows: number; index: number; shown: number; count: number; imageId: string;
    scale: number; translation: { x: number; y: number }; windowWidth: number; windowCenter: number } | null> {
    const one = (side: Side) => {
      const image = cornerstone.getImage(side.el);
      const vp = cornerstone.getViewport(side.el);
      const stack = stackOf(side.el);
      if (!image || !vp) return null;
      return { columns: image.columns, rows: image.rows, index: stack?.currentImageIdIndex ?? 0,
        shown: stack?.imageIds.indexOf(image.imageId) ?? -1, count: stack?.imageIds.length ?? 0,
        imageId: image.imageId, scale: vp.scale, translation: { ...vp.translation },
        windowWidth: vp.voi.windowWidth, windowCenter: vp.voi.windowCenter };
    };
    return { left: one(this.left), right: this.hasReconstruction ? one(this.right) : null };
  }

  sliceIndex(): number { return stackOf(this.left.el)?.currentImageIdIndex ?? 0; }

  /** Scrolls the original; the slice synchronizer follows with the reconstruction. */
  async scrollTo(index: number): Promise<void> {
    const count = this.left.ids.length;
    if (count === 0) return;
    const next = Math.max(0, Math.min(count - 1, index));
    const stack = stackOf(this.left.el);
    if (!stack || stack.currentImageIdIndex === next) return;
    stack.currentImageIdIndex = next;
    const image = await cornerstone.loadAndCacheImage(this.left.ids[next] ?? '');
    cornerstone.displayImage(this.left.el, image);
  }

  setMode(mode: CompareMode): void {
    if (mode !== 'side' && !this.hasReconstruction) return;
    const wasDifference = this.mode === 'difference';
    this.mode = mode;
    this.root.dataset.mode = mode;
    this.root.classList.toggle('mode-swipe', mode === 'swipe');
    this.right.overlay.title.textContent = mode === 'difference' ? 'Difference (reconstructed − original)' : 'Reconstructed';
    this.resize();
    if (this.hasReconstruction && (wasDifference || mode === 'difference')) {
      this.displayRight(this.sliceIndex()).catch((err: unknown) => {
        this.right.overlay.title.textContent = err instanceof Error ? err.message : String(err);
      });
    }
  }

  applyPreset(preset: WindowPreset): void {
    const image = cornerstone.getImage(this.left.el);
    const viewport = cornerstone.getViewport(this.left.el);
    if (!image || !viewport) return;
    cornerstone.setViewport(this.left.el, { ...viewport, voi: presetWindow(preset, image) });
  }

  setUncertainty(on: boolean, opacity = this.uncertaintyOpacity): void {
    this.uncertaintyOn = on && this.uncertaintyIds.length > 0;
    this.uncertaintyOpacity = opacity;
    if (this.hasReconstruction) cornerstone.updateImage(this.right.el);
  }

  reset(): void {
    cornerstone.reset(this.left.el);
  }

  resize(): void {
    for (const side of [this.left, this.right]) {
      if (cornerstone.getImage(side.el)) cornerstone.resize(side.el, false);
    }
    this.root.style.setProperty('--swipe', `${this.swipeFraction * 100}%`);
    if (cornerstone.getImage(this.left.el)) cornerstone.updateImage(this.left.el);
  }

  private async displayRight(index: number): Promise<void> {
    const ids = this.mode === 'difference' ? this.diffIds : this.right.ids;
    const i = Math.min(index, ids.length - 1);
    const image = await cornerstone.loadAndCacheImage(ids[i] ?? '');
    setStack(this.right.el, ids, i);
    const from = cornerstone.getViewport(this.left.el);
    const leftImage = cornerstone.getImage(this.left.el);
    const ratio = leftImage ? image.columns / leftImage.columns : 1;
    const first = !cornerstone.getImage(this.right.el);
    cornerstone.displayImage(this.right.el, image);
    if (first) cornerstone.resize(this.right.el, true);
    if (!from) return;
    cornerstone.setViewport(this.right.el, {
      scale: from.scale / ratio,
      translation: { x: from.translation.x * ratio, y: from.translation.y * ratio },
      voi: this.mode === 'difference' ? { windowWidth: image.windowWidth, windowCenter: image.windowCenter } : { ...from.voi },
      invert: this.mode === 'difference' ? false : from.invert,
    });
  }

  private makeSide(name: string, title: string): Side {
    const cell = this.root.querySelector<HTMLElement>(`[data-cell="${name}"]`);
    const el = cell?.querySelector<HTMLElement>('.viewport');
    if (!cell || !el) throw new Error(`missing viewport ${name}`);
    enableViewport(el);
    const side: Side = { el, cell, overlay: overlay.createOverlay(cell, title), ids: [] };
    el.addEventListener('cornerstoneimagerendered', () => { this.renders++; this.updateText(side); });
    el.addEventListener('mousemove', (e) => this.showValues(side, e));
    return side;
  }

  private updateText(side: Side): void {
    const image = cornerstone.getImage(side.el);
    const viewport = cornerstone.getViewport(side.el);
    if (!image || !viewport) return;
    const canvas = cornerstone.getEnabledElement(side.el).canvas;
    const fit = Math.min(canvas.width / image.columns, canvas.height / image.rows);
    const stack = stackOf(side.el);
    side.overlay.size.textContent = isMissingImage(image.imageId) ? 'no reconstruction:\nthis slice failed in the job'
      : overlay.describeImage(image) + ((image as LoadedImage).previewOnly ? '\ncompressed: 8-bit server preview, no HU' : '');
    side.overlay.slice.textContent = overlay.describeSlice(stack?.currentImageIdIndex ?? 0,
      stack?.imageIds.length ?? 1, viewport, fit);
    // the reconstruction has its original's orientation (a blank stand-in has none of its own)
    const labels = orientationLabels((image as LoadedImage).orientation ?? (cornerstone.getImage(this.left.el) as LoadedImage | undefined)?.orientation);
    for (const edge of ['left', 'right', 'top', 'bottom'] as const) {
      const flip = (edge === 'left' || edge === 'right') && viewport.hflip ? { left: 'right', right: 'left' }[edge] as 'left' | 'right' : edge;
      const vflip = (edge === 'top' || edge === 'bottom') && viewport.vflip ? { top: 'bottom', bottom: 'top' }[edge] as 'top' | 'bottom' : flip;
      side.overlay.edges[edge].textContent = labels?.[vflip] ?? '';
    }
    if (side === this.right) this.updateLegend();
  }

  /** The value under the cursor in both viewports (same anatomical point, HU for CT). */
  private showValues(source: Side, e: MouseEvent): void {
    const from = cornerstone.getImage(source.el);
    if (!from) return;
    const p = cornerstone.pageToPixel(source.el, e.pageX, e.pageY);
    for (const side of [this.left, this.right]) {
      const image = cornerstone.getImage(side.el) as LoadedImage | undefined;
      if (!image) continue;
      const x = (p.x * image.columns) / from.columns;
      const y = (p.y * image.rows) / from.rows;
      const unit = image.previewOnly ? '(preview grey level)'
        : (cornerstone.getImage(this.left.el) as LoadedImage | undefined)?.modality === 'CT' ? 'HU' : '';
      side.overlay.value.textContent = overlay.describeValue(x, y, modalityValueAt(image, x, y), unit);
    }
  }

  private drawUncertainty(e: CustomEvent): void {
    if (!this.uncertaintyOn) return;
    const id = this.uncertaintyIds[Math.min(this.sliceIndex(), this.uncertaintyIds.length - 1)];
    if (!id || isMissingImage(id)) return;
    const image = this.uncertaintyImages.get(id);
    if (!image) {
      void cornerstone.loadAndCacheImage(id).then((img) => {
        this.uncertaintyImages.set(id, img);
        cornerstone.updateImage(this.right.el);
      });
      return;
    }
    const detail = e.detail as { canvasContext: CanvasRenderingContext2D };
    drawOverlay(this.right.el, detail.canvasContext, uncertaintyCanvas(image), this.uncertaintyOpacity);
    this.updateLegend();
  }

  /** The right viewport's colour scale: the difference map's window, or the uncertainty overlay's range. */
  private updateLegend(): void {
    const viewport = cornerstone.getViewport(this.right.el);
    const unit = (cornerstone.getImage(this.left.el) as LoadedImage | undefined)?.modality === 'CT' ? ' HU' : '';
    if (this.mode === 'difference' && viewport && this.hasReconstruction) {
      const { windowCenter: c, windowWidth: w } = viewport.voi;
      overlay.setLegend(this.right.overlay.legend, { title: 'reconstructed − original', low: `${overlay.formatValue(Math.round(c - w / 2))}${unit}`,
        high: `+${overlay.formatValue(Math.round(c + w / 2))}${unit}`, gradient: 'linear-gradient(to right, #000, #fff)' });
      return;
    }
    const id = this.uncertaintyIds[Math.min(this.sliceIndex(), this.uncertaintyIds.length - 1)];
    const top = this.uncertaintyOn && id ? uncertaintyTopOf(id) : undefined;
    overlay.setLegend(this.right.overlay.legend, top === undefined ? undefined
      : { title: 'uncertainty (calibrated SD)', low: `0${unit}`, high: `≥ ${overlay.formatValue(top)}${unit}`, gradient: UNCERTAINTY_GRADIENT });
  }

  private setUpDivider(): void {
    const divider = this.root.querySelector<HTMLElement>('.swipe-divider');
    if (!divider) return;
    divider.addEventListener('pointerdown', (down) => {
      divider.setPointerCapture(down.pointerId);
      const move = (e: PointerEvent) => {
        const box = this.root.getBoundingClientRect();
        this.swipeFraction = Math.min(0.98, Math.max(0.02, (e.clientX - box.left) / box.width));
        this.root.style.setProperty('--swipe', `${this.swipeFraction * 100}%`);
      };
      const up = () => { divider.removeEventListener('pointermove', move); divider.removeEventListener('pointerup', up); };
      divider.addEventListener('pointermove', move);
      divider.addEventListener('pointerup', up);
    });
  }
}
