/**
 * A Siemens MOSAIC frame is a grid of separate slices: upscaled as one image, the model, its
 * tiling and the data consistency mix neighbouring slices at every tile border (zeroed tiles came
 * back at 2% of the maximum), and one 1368 x 1350 mosaic costs a minute. Each tile is upscaled on
 * its own and put back at the new matrix, so the output is again a mosaic of the same grid.
 * The tensor is the whole frame after the transform chain (one normalisation for all tiles, so
 * their intensities stay comparable and the chain is undone once for the whole frame).
 */
import type { MosaicLayout } from '../ingest';
import type { UpscaleOptions, UpscaleResult } from '../pipeline';
import { imageTensor, widthOf, type Tensor } from '../shared/tensor';
import { countPath, type PathCounts } from './mixed-paths';

type Upscale = (input: Tensor, options: UpscaleOptions) => Promise<UpscaleResult>;

/** Tile `index` (row-major in the grid) of a mosaic tensor, at `scale` times the layout's tile size. */
export function cutTile(mosaic: Tensor, layout: MosaicLayout, index: number, scale = 1): Tensor {
  const rows = layout.tileRows * scale;
  const columns = layout.tileColumns * scale;
  const top = Math.floor(index / layout.grid) * rows;
  const left = (index % layout.grid) * columns;
  const width = widthOf(mosaic);
  const tile = imageTensor(rows, columns);
  for (let y = 0; y < rows; y++) tile.data.set(mosaic.data.subarray((top + y) * width + left, (top + y) * width + left + columns), y * columns);
  return tile;
}

/** Writes `tile` into its place in `mosaic` (sizes at the same scale). */
export function pasteTile(mosaic: Tensor, tile: Tensor, layout: MosaicLayout, index: number, scale: number): void {
  const rows = layout.tileRows * scale;
  const columns = layout.tileColumns * scale;
  const top = Math.floor(index / layout.grid) * rows;
  const left = (index % layout.grid) * columns;
  const width = widthOf(mosaic);
  for (let y = 0; y < rows; y++) mosaic.data.set(tile.data.subarray(y * columns, (y + 1) * columns), (top + y) * width + left);
}

/**
 * Upscales every tile of the grid and reassembles them. A flat tile (the empty tail of the grid,
 * a blank slice) is filled with its constant: no model call, and no texture invented in it.
 * With samples > 1 a flat tile's spread is 0.
 */
export async function upscaleMosaic(upscale: Upscale, input: Tensor, layout: MosaicLayout, options: UpscaleOptions): Promise<UpscaleResult & { paths: PathCounts }> {
  const { scale } = options;
  const tiles = layout.grid * layout.grid;
  const size = (s: number): [number, number] => [layout.grid * layout.tileRows * s, layout.grid * layout.tileColumns * s];
  const mean = imageTensor(...size(scale));
  let std: Tensor | undefined;
  let dcResidual = 0;
  const timings: Record<string, number> = {};
  let settings: UpscaleResult['settings'] | undefined;
  const paths: PathCounts = {}; // each tile is a slice of its own, routed on its own: flat ones ran nothing
  for (let i = 0; i < tiles; i++) {
    const tile = cutTile(input, layout, i);
    const flat = flatValue(tile);
    if (flat !== undefined) {
      // an empty slot of the grid (or a blank slice): its upscaling is the same constant, no model needed
      pasteTile(mean, constantTile(layout, scale, flat), layout, i, scale);
      options.onProgress?.((i + 1) / tiles);
      continue;
    }
    const result = await upscale(tile, {
      ...options,
      onProgress: (fraction) => options.onProgress?.((i + fraction) / tiles),
    });
    pasteTile(mean, result.mean, layout, i, scale);
    if (result.std) {
      std ??= imageTensor(...size(scale));
      pasteTile(std, result.std, layout, i, scale);
    }
    dcResidual = Math.max(dcResidual, result.dcResidual);
    for (const [k, v] of Object.entries(result.timings)) timings[k] = (timings[k] ?? 0) + v;
    settings = result.settings;
    countPath(paths, result.settings.degradation);
  }
  if (!std && (options.samples ?? 1) > 1) std = imageTensor(...size(scale)); // every tile was flat: no spread
  if (!settings) settings = (await upscale(cutTile(input, layout, 0), options)).settings; // every tile flat: still say what would run
  return { mean, std, dcResidual, timings: { ...timings, mosaicTiles: tiles }, settings, paths };
}

/** The tile's value when all its pixels are equal, else undefined. */
function flatValue(tile: Tensor): number | undefined {
  const first = tile.data[0]!;
  for (let i = 1; i < tile.data.length; i++) if (tile.data[i] !== first) return undefined;
  return first;
}

function constantTile(layout: MosaicLayout, scale: number, value: number): Tensor {
  const tile = imageTensor(layout.tileRows * scale, layout.tileColumns * scale);
  tile.data.fill(value);
  return tile;
}
