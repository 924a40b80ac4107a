import { MedsrError } from '../../shared/errors';

/**
 * DICOM RLE Lossless (PS3.5 Annex G). A frame is a 64-byte header (segment count, then up to 15
 * segment offsets) followed by PackBits segments; segment k holds one byte plane: for each sample,
 * its most significant byte first. Returns the sample words, interleaved (R G B R G B ...).
 */
export function decodeRle(frame: Uint8Array, rows: number, columns: number, samplesPerPixel: number, bitsAllocated: number, file: string): Uint8Array | Uint16Array | Uint32Array {
  const corrupt = (why: string): MedsrError => new MedsrError('invalid_input', 'codec.corrupt', `corrupt RLE frame: ${why}`, { file });
  if (frame.length < 64) throw corrupt('shorter than its 64-byte header');
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const segments = view.getUint32(0, true);
  const bytesPerSample = Math.ceil(bitsAllocated / 8);
  if (bitsAllocated === 1) throw new MedsrError('unsupported', 'codec.unsupported', 'RLE with BitsAllocated 1 is not supported', { file });
  const expected = samplesPerPixel * bytesPerSample;
  if (segments !== expected) throw corrupt(`${segments} segments where ${samplesPerPixel} samples of ${bytesPerSample} bytes need ${expected}`);

  const pixels = rows * columns;
  const out = bytesPerSample === 1 ? new Uint8Array(pixels * samplesPerPixel) : bytesPerSample === 2 ? new Uint16Array(pixels * samplesPerPixel) : new Uint32Array(pixels * samplesPerPixel);
  const plane = new Uint8Array(pixels);
  for (let s = 0; s < segments; s++) {
    const start = view.getUint32(4 + 4 * s, true);
    const end = s + 1 < segments ? view.getUint32(8 + 4 * s, true) : frame.length;
    if (start < 64 || start > frame.length || end < start || end > frame.length) throw corrupt(`segment ${s + 1} offset ${start} is outside the frame`);
    const produced = unpackBits(frame, start, end, plane);
    if (produced < pixels) throw corrupt(`segment ${s + 1} decodes to ${produced} of ${pixels} bytes`);
    const sample = Math.floor(s / bytesPerSample);
    const byteShift = 8 * (bytesPerSample - 1 - (s % bytesPerSample));
    for (let p = 0, o = sample; p < pixels; p++, o += samplesPerPixel) {
      out[o] = (out[o]! + plane[p]! * 2 ** byteShift) >>> 0;
    }
  }
  return out;
}

/** PackBits into `out`, stopping when it is full (encoders may pad a segment); returns bytes written. */
function unpackBits(src: Uint8Array, start: number, end: number, out: Uint8Array): number {
  let i = start;
  let o = 0;
  while (i < end && o < out.length) {
    const header = src[i++]!;
    if (header < 128) {
      const n = Math.min(header + 1, end - i, out.length - o);
      out.set(src.subarray(i, i + n), o);
      i += header + 1;
      o += n;
    } else if (header > 128) {
      if (i >= end) break;
      const n = Math.min(257 - header, out.length - o);
      out.fill(src[i++]!, o, o + n);
      o += n;
    }
    // 128 (-128 as int8) is a no-op
  }
  return o;
}
