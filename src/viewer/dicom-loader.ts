import * as cornerstone from 'cornerstone-core';
import * as dicomParser from 'dicom-parser';

/** A cornerstone image loader for the 'medsr:' scheme: `medsr:<url>[#frame=N]` fetches a Part 10
 * file from our API and decodes it with dicom-parser. Only uncompressed syntaxes are decoded here;
 * for compressed originals the server's uncompressed copy (`<instance url>/native`) is loaded. */

export const SCHEME = 'medsr';
const UNCOMPRESSED = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2']);

export interface LoadedImage extends cornerstone.Image {
  /** modality values (HU for CT) = stored * slope + intercept */
  modality: string;
  photometric: string;
  /** shown from the server's 8-bit windowed preview: no modality values */
  previewOnly?: boolean;
  /** ImageOrientationPatient (row then column direction cosines), for the orientation markers */
  orientation?: number[];
}

export class CompressedPixelsError extends Error {}

export function imageIdFor(url: string, frame = 0): string {
  return `${SCHEME}:${url}${frame > 0 ? `#frame=${frame}` : ''}`;
}

export function registerDicomLoader(fetchImpl: typeof fetch = fetch): void {
  cornerstone.registerImageLoader(SCHEME, (imageId) => ({
    promise: loadImage(imageId, fetchImpl),
  }));
}

async function loadImage(imageId: string, fetchImpl: typeof fetch): Promise<cornerstone.Image> {
  const rest = imageId.slice(SCHEME.length + 1);
  const [url = '', fragment = ''] = rest.split('#');
  const frame = Number(/frame=(\d+)/.exec(fragment)?.[1] ?? 0);
  const response = await fetchImpl(url);
  if (!response.ok) throw new Error(`Could not load the image (HTTP ${response.status}).`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  try {
    return decodeImage(imageId, bytes, frame);
  } catch (err) {
    if (!(err instanceof CompressedPixelsError)) throw err;
    // The browser does not decode JPEG/JPEG-LS/JPEG 2000/RLE: the server sends the same instance
    // uncompressed (real stored values, HU for CT). Only if it cannot (colour, odd bit depths)
    // is the server's 8-bit preview shown, and labelled as such.
    const native = await fetchImpl(`${url}/native`);
    if (native.ok) return decodeImage(imageId, new Uint8Array(await native.arrayBuffer()), frame);
    return loadPreview(imageId, `${url}/preview.png`, fetchImpl, dicomParser.parseDicom(bytes, { untilTag: 'x7fe00010' }));
  }
}

async function loadPreview(imageId: string, url: string, fetchImpl: typeof fetch, dataSet: dicomParser.DataSet): Promise<LoadedImage> {
  const response = await fetchImpl(url);
  if (!response.ok) throw new Error(`This image is compressed and its preview could not be loaded (HTTP ${response.status}).`);
  const bitmap = await createImageBitmap(await response.blob());
  const canvas = document.createElement('canvas');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas');
  ctx.drawImage(bitmap, 0, 0);
  const rgba = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
  const pixels = new Uint8Array(bitmap.width * bitmap.height);
  for (let i = 0; i < pixels.length; i++) pixels[i] = rgba[i * 4] ?? 0;
  const spacing = (dataSet.string('x00280030') ?? '').split('\\').map(Number);
  return {
    imageId, rows: bitmap.height, columns: bitmap.width, height: bitmap.height, width: bitmap.width, color: false,
    minPixelValue: 0, maxPixelValue: 255, slope: 1, intercept: 0, windowCenter: 128, windowWidth: 256,
    getPixelData: () => pixels,
    rowPixelSpacing: spacing[0] && spacing[0] > 0 ? spacing[0] : undefined,
    columnPixelSpacing: spacing[1] && spacing[1] > 0 ? spacing[1] : undefined,
    invert: false, sizeInBytes: pixels.byteLength,
    modality: (dataSet.string('x00080060') ?? '').trim(), photometric: 'MONOCHROME2', previewOnly: true,
    ...orientationOf(dataSet),
  };
}

export function decodeImage(imageId: string, bytes: Uint8Array, frame: number): LoadedImage {
  const dataSet = dicomParser.parseDicom(bytes);
  const syntax = dataSet.string('x00020010') ?? '1.2.840.10008.1.2';
  if (!UNCOMPRESSED.has(syntax)) throw new CompressedPixelsError(`compressed transfer syntax ${syntax}`);
  const rows = dataSet.uint16('x00280010') ?? 0;
  const columns = dataSet.uint16('x00280011') ?? 0;
  const bitsAllocated = dataSet.uint16('x00280100') ?? 16;
  const signed = dataSet.uint16('x00280103') === 1;
  const samples = dataSet.uint16('x00280002') ?? 1;
  const photometric = (dataSet.string('x00280004') ?? 'MONOCHROME2').trim();
  if (samples !== 1) throw new Error(`Colour images (${photometric}) are not shown by this viewer.`);
  const element = dataSet.elements['x7fe00010'];
  if (!element) throw new Error('The file has no pixel data.');
  const frameBytes = rows * columns * (bitsAllocated / 8);
  const offset = element.dataOffset + frame * frameBytes;
  const pixels = copyPixels(bytes, offset, rows * columns, bitsAllocated, signed, syntax.endsWith('.2.2'));
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i] as number;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const slope = dataSet.floatString('x00281053') ?? 1;
  const intercept = dataSet.floatString('x00281052') ?? 0;
  const spacing = (dataSet.string('x00280030') ?? '').split('\\').map(Number);
  const wc = Number((dataSet.string('x00281050') ?? '').split('\\')[0]);
  const ww = Number((dataSet.string('x00281051') ?? '').split('\\')[0]);
  const [minMv, maxMv] = [min * slope + intercept, max * slope + intercept];
  const usableWindow = Number.isFinite(wc) && Number.isFinite(ww) && ww > 1;
  return {
    imageId, rows, columns, height: rows, width: columns, color: false,
    minPixelValue: min, maxPixelValue: max, slope, intercept,
    windowCenter: usableWindow ? wc : (minMv + maxMv) / 2,
    windowWidth: usableWindow ? ww : Math.max(1, maxMv - minMv),
    getPixelData: () => pixels,
    rowPixelSpacing: spacing[0] && spacing[0] > 0 ? spacing[0] : undefined,
    columnPixelSpacing: spacing[1] && spacing[1] > 0 ? spacing[1] : undefined,
    invert: photometric === 'MONOCHROME1',
    sizeInBytes: pixels.byteLength,
    modality: (dataSet.string('x00080060') ?? '').trim(),
    photometric,
    ...orientationOf(dataSet),
  };
}

function orientationOf(dataSet: dicomParser.DataSet): { orientation?: number[] } {
  const values = (dataSet.string('x00200037') ?? '').split('\\').map(Number);
  return values.length === 6 && values.every(Number.isFinite) ? { orientation: values } : {};
}

/** Copies into an aligned typed array (the element's offset may be odd) and swaps big endian. */
function copyPixels(bytes: Uint8Array, offset: number, count: number, bits: number,
  signed: boolean, bigEndian: boolean): Int16Array | Uint16Array | Uint8Array | Int8Array {
  if (bits === 8) {
    const src = bytes.slice(offset, offset + count);
    return signed ? new Int8Array(src.buffer) : src;
  }
  if (bits !== 16) throw new Error(`${bits}-bit pixels are not shown by this viewer.`);
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * 2);
  const out = signed ? new Int16Array(count) : new Uint16Array(count);
  for (let i = 0; i < count; i++) {
    out[i] = signed ? view.getInt16(i * 2, !bigEndian) : view.getUint16(i * 2, !bigEndian);
  }
  return out;
}

/** Modality value (HU for CT) of the pixel at (x, y), or undefined outside the image. */
export function modalityValueAt(image: cornerstone.Image, x: number, y: number): number | undefined {
  const col = Math.floor(x);
  const row = Math.floor(y);
  if (col < 0 || row < 0 || col >= image.columns || row >= image.rows) return undefined;
  const stored = image.getPixelData()[row * image.columns + col];
  return stored === undefined ? undefined : stored * image.slope + image.intercept;
}
