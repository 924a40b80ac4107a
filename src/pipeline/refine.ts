import { MedsrError } from '../shared/errors';
import { createTensor } from '../shared/tensor';
import type { ModelGraphs } from './graphs';
import type { DegradationMode, Manifest, RefinerSpec } from './manifest';
import type { Plane } from './plane';
import type { GraphSession } from './runtime/onnx-session';
import { foregroundBox } from './foreground-box';
import { crop, planTiles, reflectPad, TileBlender, type TileSpec } from './tiling';

/**
 * Tiles of 1024 output pixels (a 1024 x 1024 output runs whole: about 50 MB per activation) whose overlap exceeds
 * the network's reach (REFINER_REACH).
 */
export const REFINER_TILE: TileSpec = { multiple: 2, size: 1024, overlap: 64 };

/** Whether the model's refiner runs for a slice that took path `mode`. */
export function refinerApplies(spec: RefinerSpec | undefined, mode: DegradationMode, modality: string): spec is RefinerSpec {
  return spec !== undefined && (spec.degradations as readonly string[]).includes(mode) && spec.modalities.includes(modality.toUpperCase());
}

/** The refiner that runs for a slice of this modality on path `mode` (MR's `refiner`, CT's `ct_refiner`), with its graph. */
export function refinerFor(manifest: Manifest, graphs: ModelGraphs, mode: DegradationMode, modality: string): { spec: RefinerSpec; graph: GraphSession } | undefined {
  for (const name of ['ct_refiner', 'refiner'] as const) {
    const spec = manifest[name];
    const graph = graphs[name];
    if (graph && refinerApplies(spec, mode, modality)) return { spec, graph };
  }
  return undefined;
}

/**
 * How many times the refiner runs (each time followed by the path's projection) on path `mode` at this scale; 0: not
 * at this scale (model 2.9's CT refiner at x4). The shipped refiner, trained for one pass, still moves a k-space x2
 * slice the right way on a second (training/refiner.py PASSES).
 */
export function refinerPasses(spec: RefinerSpec, mode: DegradationMode, scale: number): number {
  return spec.passes?.[mode]?.[String(scale)] ?? 1;
}

/**
 * How far (output pixels) a refiner output pixel sees, at most: 18 convolutions of 3 x 3 at half resolution reach 36
 * (8 residual blocks and the first and last convolution, the refiners before model 2.11; its pruned 6 blocks reach
 * 28). The window it runs in is grown by this.
 */
export const REFINER_REACH = 40;

/**
 * The refiner (training/refiner.py): a pixel-space network after the latent diffusion on the paths the
 * model names (model 2.2: MR k-space; 2.4: also MR resampled), where the latent U-Net's 4x4 blocks are weakest at the finest
 * detail. It reads the projected sample and returns an image the caller projects again.
 *
 * It runs only in the window around the subject (foregroundBox, grown by REFINER_REACH): there its output is what a
 * whole-slice call gives, since no pixel within reach of the subject sees the window's edge; the background outside
 * keeps the projected sample. Much of a clinical slice can be background around the subject, and the refiner is
 * half of a slice's time.
 */
export async function refine(graph: GraphSession, projected: Plane, scale: number, tile: TileSpec = REFINER_TILE): Promise<Plane> {
  const box = foregroundBox(projected, REFINER_REACH, tile.multiple);
  if (!box) return projected;
  if (box.height === projected.height && box.width === projected.width) return refineTiles(graph, projected, scale, tile);
  const refined = await refineTiles(graph, crop(projected, box.y, box.x, box.height, box.width), scale, tile);
  const out = new Float32Array(projected.data);
  for (let r = 0; r < box.height; r++) out.set(refined.data.subarray(r * box.width, (r + 1) * box.width), (box.y + r) * projected.width + box.x);
  return { data: out, height: projected.height, width: projected.width };
}

/** The refiner over a whole plane, in overlapping tiles for large ones, so its memory is bounded by the tile. */
export async function refineTiles(graph: GraphSession, projected: Plane, scale: number, tile: TileSpec = REFINER_TILE): Promise<Plane> {
  const plan = planTiles(projected.height, projected.width, tile);
  const canvas = reflectPad(projected, plan.height, plan.width);
  const blender = new TileBlender(plan);
  for (const tile of plan.tiles) {
    const input = crop(canvas, tile.y, tile.x, tile.height, tile.width);
    const { output } = await graph.run({
      image: createTensor([1, 1, tile.height, tile.width], input.data),
      scale: createTensor([1], new Float32Array([scale])),
    });
    if (!output) throw new MedsrError('model', 'graph.output', "refiner graph returned no 'output'");
    blender.add(tile, { data: output.data, height: tile.height, width: tile.width });
  }
  return blender.result(projected.height, projected.width);
}
