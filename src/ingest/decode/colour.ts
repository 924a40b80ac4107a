/**
 * Colour layout and colour space of decoded frames: planar to interleaved, 4:2:2 expansion, and
 * YBR_FULL to RGB (PS3.3 C.7.6.3.1.2), so every colour frame leaves ingest as interleaved RGB.
 */

/** RRR...GGG...BBB... -> RGBRGB... */
export function planarToInterleaved(planes: Int32Array, pixels: number): Int32Array {
  const out = new Int32Array(pixels * 3);
  for (let p = 0; p < pixels; p++) {
    out[3 * p] = planes[p]!;
    out[3 * p + 1] = planes[pixels + p]!;
    out[3 * p + 2] = planes[2 * pixels + p]!;
  }
  return out;
}

/** Native YBR_FULL_422: each pair of pixels is stored Y1 Y2 Cb Cr; expands to Y Cb Cr per pixel. */
export function expandYbr422(words: Int32Array, rows: number, columns: number): Int32Array {
  const out = new Int32Array(rows * columns * 3);
  let src = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c += 2) {
      const y1 = words[src]!;
      const y2 = words[src + 1]!;
      const cb = words[src + 2]!;
      const cr = words[src + 3]!;
      src += 4;
      const o = 3 * (r * columns + c);
      out[o] = y1;
      out[o + 1] = cb;
      out[o + 2] = cr;
      if (c + 1 < columns) {
        out[o + 3] = y2;
        out[o + 4] = cb;
        out[o + 5] = cr;
      }
    }
  }
  return out;
}

/** Interleaved full-range YCbCr -> RGB in place, clamped to the stored range. */
export function ybrFullToRgb(samples: Int32Array, bitsStored: number): Int32Array {
  const half = 2 ** (bitsStored - 1);
  const max = 2 ** bitsStored - 1;
  const clamp = (v: number): number => (v < 0 ? 0 : v > max ? max : Math.round(v));
  for (let i = 0; i + 2 < samples.length; i += 3) {
    const y = samples[i]!;
    const cb = samples[i + 1]! - half;
    const cr = samples[i + 2]! - half;
    samples[i] = clamp(y + 1.402 * cr);
    samples[i + 1] = clamp(y - 0.344136 * cb - 0.714136 * cr);
    samples[i + 2] = clamp(y + 1.772 * cb);
  }
  return samples;
}
