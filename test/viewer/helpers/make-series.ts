import * as fs from 'node:fs';
import * as path from 'node:path';
// dcmjs ships no types
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dcmjs = require('dcmjs');
dcmjs.log.setLevel('error');

/** Builds a multi-slice series from one real corpus slice (CT_small.dcm: a real 128x128 CT
 * image), because the corpus has no real multi-slice series of a useful size. Each slice is
 * the real image resampled to `size` and shifted by a few pixels per slice, so neighbouring
 * slices differ visibly (a scroll test can see them change). Written as uncompressed Part 10. */
export const CORPUS_TEST_FILES = path.resolve(__dirname, '../../../.cache/corpus/python3-pydicom/usr/lib/python3/dist-packages/pydicom/data/test_files');

export interface SeriesSpec {
  slices: number;
  size: number;
  /** a different matrix for some slices (e.g. one too large to upscale, for a partial job) */
  sizeOf?: (index: number) => number;
  source?: string;
  seriesNumber?: number;
  description?: string;
  /** frames per instance (default 1); the frames of one instance are shifted far apart, so a
   * frame paired with the wrong one is plain to see */
  frames?: number;
}

const FRAME_SHIFT = 40;

export function writeSeries(dir: string, spec: SeriesSpec): string[] {
  const source = spec.source ?? path.join(CORPUS_TEST_FILES, 'CT_small.dcm');
  const bytes = fs.readFileSync(source);
  const uidRoot = `2.25.${BigInt(Date.now()) * 1000n + BigInt(Math.floor(Math.random() * 1000))}`;
  const studyUID = `${uidRoot}.1`;
  const seriesUID = `${uidRoot}.2`;
  fs.mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (let i = 0; i < spec.slices; i++) {
    const message = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(message.dict);
    const rows: number = ds.Rows;
    const cols: number = ds.Columns;
    const src = new Int16Array(ds.PixelData[0] as ArrayBuffer);
    const size = spec.sizeOf?.(i) ?? spec.size;
    const frames = spec.frames ?? 1;
    const out = new Int16Array(size * size * frames);
    for (let f = 0; f < frames; f++) out.set(resample(src, rows, cols, size, i + f * FRAME_SHIFT), f * size * size);
    if (frames > 1) ds.NumberOfFrames = frames;
    const spacing = (ds.PixelSpacing as number[]).map((s) => (s * cols) / size);
    ds.Rows = size;
    ds.Columns = size;
    ds.PixelSpacing = spacing;
    ds.PixelData = [out.buffer];
    ds.StudyInstanceUID = studyUID;
    ds.SeriesInstanceUID = seriesUID;
    ds.SOPInstanceUID = `${uidRoot}.3.${i + 1}`;
    ds.SeriesNumber = spec.seriesNumber ?? 7;
    ds.SeriesDescription = spec.description ?? 'Head CT test series';
    ds.InstanceNumber = i + 1;
    ds.ImagePositionPatient = [0, 0, i * 2.5];
    ds.SliceLocation = i * 2.5;
    ds.SmallestImagePixelValue = undefined;
    ds.LargestImagePixelValue = undefined;
    delete ds.SmallestImagePixelValue;
    delete ds.LargestImagePixelValue;
    message.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(ds);
    message.meta['00020003'] = { vr: 'UI', Value: [ds.SOPInstanceUID] };
    const file = path.join(dir, `slice-${String(i + 1).padStart(3, '0')}.dcm`);
    fs.writeFileSync(file, Buffer.from(message.write()));
    files.push(file);
  }
  return files;
}

/** Bilinear resample to size x size, shifted by `shift` source pixels (wrapping). */
function resample(src: Int16Array, rows: number, cols: number, size: number, shift: number): Int16Array {
  const out = new Int16Array(size * size);
  for (let y = 0; y < size; y++) {
    const fy = Math.min(Math.max(((y + 0.5) * rows) / size - 0.5, 0), rows - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, rows - 1);
    for (let x = 0; x < size; x++) {
      const fx = Math.min(Math.max(((x + 0.5) * cols) / size - 0.5, 0), cols - 1);
      const x0 = (Math.floor(fx) + shift) % cols;
      const x1 = (Math.min(Math.floor(fx) + 1, cols - 1) + shift) % cols;
      const wx = fx - Math.floor(fx);
      const wy = fy - y0;
      const at = (r: number, c: number) => src[r * cols + c] as number;
      const v = (at(y0, x0) * (1 - wx) + at(y0, x1) * wx) * (1 - wy) + (at(y1, x0) * (1 - wx) + at(y1, x1) * wx) * wy;
      out[y * size + x] = Math.round(v);
    }
  }
  return out;
}
