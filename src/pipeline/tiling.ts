import type { Plane } from './plane';

/** One tile of the (padded) HR canvas; all coordinates are HR pixels. */
export interface Tile {
  y: number;
  x: number;
  height: number;
  width: number;
}

export interface TilePlan {
  /** The canvas: the HR size padded up to the model's multiple. */
  height: number;
  width: number;
  tiles: Tile[];
  /** Feather width in HR pixels. */
  overlap: number;
}

export interface TileSpec {
  /** Graph inputs must be multiples of this (manifest tile.multiple). */
  multiple: number;
  /** Tile size and overlap in HR pixels (manifest tile.output_size / output_overlap). */
  size: number;
  overlap: number;
}

/** The manifest's tile block (sizes in output pixels) as a TileSpec. */
export function tileSpec(tile: { multiple: number; output_size: number; output_overlap: number }): TileSpec {
  return { multiple: tile.multiple, size: tile.output_size, overlap: tile.output_overlap };
}

function roundUp(n: number, m: number): number {
  return Math.ceil(n / m) * m;
}

/** Positions along one axis: stride size - overlap, the last tile flush with the end. */
function axisStarts(extent: number, size: number, overlap: number, multiple: number): number[] {
  if (extent <= size) return [0];
  const stride = Math.max(Math.floor((size - overlap) / multiple) * multiple, multiple);
  const starts: number[] = [];
  for (let s = 0; s + size < extent; s += stride) starts.push(s);
  starts.push(extent - size);
  return starts;
}

/**
 * Overlapping tiles covering an H x W image: the canvas is padded (by reflection, see
 * reflectPad) to the model's multiple, tiles are at most `size` and start on multiples of
 * `multiple`, so a tile's latent is exactly a window of the whole canvas's latent grid.
 */
export function planTiles(height: number, width: number, spec: TileSpec): TilePlan {
  const H = roundUp(height, spec.multiple);
  const W = roundUp(width, spec.multiple);
  const size = Math.max(Math.floor(spec.size / spec.multiple) * spec.multiple, spec.multiple);
  const th = Math.min(size, H);
  const tw = Math.min(size, W);
  const tiles: Tile[] = [];
  for (const y of axisStarts(H, th, spec.overlap, spec.multiple)) {
    for (const x of axisStarts(W, tw, spec.overlap, spec.multiple)) tiles.push({ y, x, height: th, width: tw });
  }
  return { height: H, width: W, tiles, overlap: spec.overlap };
}

/** numpy 'reflect' (edge not repeated: ... c b | a b c | b a ...) index for any offset. */
function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  const j = ((i % period) + period) % period;
  return j < n ? j : period - j;
}

/** Pads at the bottom and right by reflection to height x width. */
export function reflectPad(p: Plane, height: number, width: number): Plane {
  if (height === p.height && width === p.width) return p;
  const data = new Float32Array(height * width);
  for (let y = 0; y < height; y++) {
    const sy = reflectIndex(y, p.height) * p.width;
    for (let x = 0; x < width; x++) data[y * width + x] = p.data[sy + reflectIndex(x, p.width)]!;
  }
  return { data, height, width };
}

export function crop(p: Plane, y: number, x: number, height: number, width: number): Plane {
  const data = new Float32Array(height * width);
  for (let r = 0; r < height; r++) data.set(p.data.subarray((y + r) * p.width + x, (y + r) * p.width + x + width), r * width);
  return { data, height, width };
}

/** A window of a [1, C, h, w] latent field (C planes of h x w). */
export function cropChannels(field: Float32Array, channels: number, h: number, w: number, y: number, x: number, th: number, tw: number): Float32Array {
  const out = new Float32Array(channels * th * tw);
  for (let c = 0; c < channels; c++) {
    for (let r = 0; r < th; r++) {
      const src = c * h * w + (y + r) * w + x;
      out.set(field.subarray(src, src + tw), c * th * tw + r * tw);
    }
  }
  return out;
}

/**
 * A tile's weights along one axis of n pixels: a raised cosine, near zero (and flat) at the tile's own edge, where its
 * convolutions saw padding instead of image, rising to 1 across the overlap; 1 up to an edge of the canvas.
 */
function rampWeights(n: number, atStart: boolean, atEnd: boolean, overlap: number): Float64Array {
  const out = new Float64Array(n).fill(1);
  if (overlap <= 0) return out;
  const rise = (d: number): number => (d >= overlap ? 1 : Math.sin((Math.PI / 2) * (d / overlap)) ** 2);
  for (let i = 0; i < n; i++) {
    if (!atStart) out[i] = Math.min(out[i]!, rise(i + 0.5));
    if (!atEnd) out[i] = Math.min(out[i]!, rise(n - i - 0.5));
  }
  return out;
}

/**
 * Accumulates tiles with feathered weights: a raised-cosine ramp across the overlap on every side
 * that borders another tile (weight 1 on the canvas edge), normalised by the summed weights.
 */
export class TileBlender {
  private readonly sum: Float32Array;
  private readonly weight: Float32Array;

  constructor(private readonly plan: TilePlan) {
    this.sum = new Float32Array(plan.height * plan.width);
    this.weight = new Float32Array(plan.height * plan.width);
  }

  add(tile: Tile, image: Plane): void {
    const top = tile.y === 0;
    const bottom = tile.y + tile.height >= this.plan.height;
    const left = tile.x === 0;
    const right = tile.x + tile.width >= this.plan.width;
    const rows = rampWeights(tile.height, top, bottom, this.plan.overlap);
    const columns = rampWeights(tile.width, left, right, this.plan.overlap);
    for (let r = 0; r < tile.height; r++) {
      const wy = rows[r]!;
      const row = (tile.y + r) * this.plan.width + tile.x;
      for (let c = 0; c < tile.width; c++) {
        const w = wy * columns[c]!;
        this.sum[row + c] = this.sum[row + c]! + w * image.data[r * tile.width + c]!;
        this.weight[row + c] = this.weight[row + c]! + w;
      }
    }
  }

  /** The blended canvas cropped to height x width. */
  result(height: number, width: number): Plane {
    const data = new Float32Array(height * width);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = y * this.plan.width + x;
        data[y * width + x] = this.sum[i]! / this.weight[i]!;
      }
    }
    return { data, height, width };
  }
}
