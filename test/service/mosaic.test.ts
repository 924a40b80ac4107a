/**
 * Siemens MOSAIC (dicom3tools' 0051.dcm: 20 ASL slices of 72 x 72 in a 5 x 5 grid): each tile is
 * upscaled on its own with the real model, so a slice never bleeds into its neighbours, MOSAIC
 * stays in ImageType, and dcm2niix still reads the derived mosaic as a 20-slice volume at half
 * the in-plane voxel size.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as dicomParser from 'dicom-parser';
import { decodeFrame, readDicomBytes } from '../../src/ingest';
import { cutTile, upscaleMosaic } from '../../src/service/mosaic-tiles';
import type { Runtime } from '../../src/service/runtime';
import { imageTensor } from '../../src/shared/tensor';
import { nearestResolver } from './helpers/nearest-processor';
import { startRealRuntime } from './helpers/real-runtime';
import { tempDir } from './helpers/service-fixture';

jest.setTimeout(300_000);

const MOSAIC = path.resolve(__dirname, '../../.cache/corpus/dicom3tools/usr/share/doc/dicom3tools/examples/0051.dcm');
const GRID = 5;
const TILE = 72;

/** 0051.dcm with every other tile's pixels set to 0 (16-bit little endian native data). */
function withOddTilesZeroed(): Uint8Array {
  const bytes = new Uint8Array(fs.readFileSync(MOSAIC));
  const pixels = dicomParser.parseDicom(bytes).elements.x7fe00010!;
  const columns = GRID * TILE;
  for (let tile = 1; tile < GRID * GRID; tile += 2) {
    const top = Math.floor(tile / GRID) * TILE;
    const left = (tile % GRID) * TILE;
    for (let y = 0; y < TILE; y++) bytes.fill(0, pixels.dataOffset + ((top + y) * columns + left) * 2, pixels.dataOffset + ((top + y) * columns + left + TILE) * 2);
  }
  return bytes;
}

function tileMaxima(stored: Int32Array, tile: number): number[] {
  const maxima: number[] = [];
  for (let index = 0; index < GRID * GRID; index++) {
    const top = Math.floor(index / GRID) * tile;
    const left = (index % GRID) * tile;
    let max = 0;
    for (let y = 0; y < tile; y++) for (let x = 0; x < tile; x++) max = Math.max(max, Math.abs(stored[(top + y) * GRID * tile + left + x]!));
    maxima.push(max);
  }
  return maxima;
}

/** dim[1..3] and pixdim[1..3] from a NIfTI-1 header. */
function niftiShape(file: string): { dims: number[]; voxel: number[] } {
  const header = fs.readFileSync(file).subarray(0, 348);
  return {
    dims: [1, 2, 3].map((i) => header.readInt16LE(40 + 2 * i)),
    voxel: [1, 2, 3].map((i) => header.readFloatLE(76 + 4 * i)),
  };
}

function dcm2niix(dicomFile: string): { dims: number[]; voxel: number[] } {
  const dir = tempDir('medsr-dcm2niix-');
  fs.copyFileSync(dicomFile, path.join(dir, 'in.dcm'));
  const run = spawnSync('dcm2niix', ['-z', 'n', '-b', 'n', '-f', 'out', '-o', dir, dir], { encoding: 'utf8' });
  if (run.error) throw run.error;
  const nii = fs.readdirSync(dir).find((f) => f.endsWith('.nii'));
  if (!nii) throw new Error(`dcm2niix wrote no volume: ${run.stdout}${run.stderr}`);
  return niftiShape(path.join(dir, nii));
}

describe('Siemens MOSAIC through the real model', () => {
  let runtime: Runtime;
  beforeAll(async () => {
    runtime = await startRealRuntime();
  });
  afterAll(() => runtime?.dispose());

  it('is read as a 5 x 5 grid of 20 slices of 72 x 72', () => {
    const instance = readDicomBytes(new Uint8Array(fs.readFileSync(MOSAIC)), { path: MOSAIC, label: '0051.dcm' });
    expect(instance.mosaic).toEqual({ images: 20, grid: 5, tileRows: 72, tileColumns: 72 });
  });

  it('upscales tile by tile: zeroed slices stay zero, MOSAIC stays, dcm2niix reads the same volume at half the voxel size', async () => {
    const bytes = withOddTilesZeroed();
    const source = readDicomBytes(bytes, { path: MOSAIC, label: '0051-odd-tiles-zeroed' });
    const out = await runtime.processor(source, { options: { scale: 2, steps: 1, seed: 1 } });
    const derived = readDicomBytes(out.derived, { path: 'derived', label: 'derived' });
    expect([derived.pixel.rows, derived.pixel.columns]).toEqual([720, 720]);
    expect(derived.mosaic).toEqual({ images: 20, grid: 5, tileRows: 144, tileColumns: 144 });

    const maxima = tileMaxima((await decodeFrame(derived, 0)).stored, 2 * TILE);
    const overall = Math.max(...maxima);
    expect(overall).toBeGreaterThan(100);
    // blank slices (and the empty tail of the grid) come back blank: nothing bled in from their neighbours
    for (let tile = 1; tile < 25; tile += 2) expect({ tile, max: maxima[tile] }).toEqual({ tile, max: 0 });
    for (let tile = 20; tile < 25; tile++) expect({ tile, max: maxima[tile] }).toEqual({ tile, max: 0 });
    for (let tile = 0; tile < 20; tile += 2) expect(maxima[tile]).toBeGreaterThan(0.05 * overall);
    // each non-blank tile is a slice of its own, routed on its own and counted: the 10 kept ones, on MR's two paths
    const paths = Object.entries(out.paths!);
    expect(paths.reduce((sum, [, n]) => sum + n!, 0)).toBe(10);
    for (const [path] of paths) expect(['kspace', 'bicubic']).toContain(path);

    const dir = tempDir('medsr-mosaic-');
    const sourceFile = path.join(dir, 'source.dcm');
    const derivedFile = path.join(dir, 'derived.dcm');
    fs.writeFileSync(sourceFile, bytes);
    fs.writeFileSync(derivedFile, out.derived);
    expect(dicomParser.parseDicom(out.derived).string('x00080008')!.split('\\')).toContain('MOSAIC');
    const before = dcm2niix(sourceFile);
    const after = dcm2niix(derivedFile);
    expect(before.dims).toEqual([72, 72, 20]);
    expect(after.dims).toEqual([144, 144, 20]);
    expect(after.voxel[0]).toBeCloseTo(before.voxel[0]! / 2, 4);
    expect(after.voxel[1]).toBeCloseTo(before.voxel[1]! / 2, 4);
    expect(after.voxel[2]).toBeCloseTo(before.voxel[2]!, 4);
  });
});

describe('upscaleMosaic', () => {
  it('hands the model one tile at a time and puts each result back in its place', async () => {
    const layout = { images: 3, grid: 2, tileRows: 2, tileColumns: 3 };
    const input = imageTensor(4, 6, Float32Array.from({ length: 24 }, (_, i) => i)); // no tile is flat
    const shapes: number[][] = [];
    const result = await upscaleMosaic(async (tile, options) => {
      shapes.push([...tile.shape]);
      return nearestResolver.upscale(tile, options);
    }, input, layout, { scale: 2, modality: 'MR', prompt: '' });
    expect(shapes).toEqual([[1, 1, 2, 3], [1, 1, 2, 3], [1, 1, 2, 3], [1, 1, 2, 3]]);
    expect(result.mean.shape).toEqual([1, 1, 8, 12]);
    for (let index = 0; index < 4; index++) expect(Array.from(cutTile(result.mean, layout, index, 2).data)).toEqual(Array.from((await nearestResolver.upscale(cutTile(input, layout, index), { scale: 2, modality: 'MR', prompt: '' })).mean.data));
  });
});
