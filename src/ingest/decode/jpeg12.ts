import { MedsrError } from '../../shared/errors';

/**
 * JPEG extended sequential (process 4: Huffman, 12-bit samples) for one-component images, which
 * is what DICOM's JPEG Extended transfer syntax holds in practice (old CT and MR archives). No
 * maintained npm package decodes 12-bit JPEG in Node (the libjpeg-turbo WASM build is 8-bit), so
 * this follows ITU T.81 directly: Huffman decoding (F.2.2), dequantisation, a separable float
 * IDCT and the level shift. Progressive, arithmetic and multi-component frames are refused.
 */
const ZIGZAG = Int32Array.from([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42,
  49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
]);

/** IDCT basis: COS[x * 8 + u] = C(u)/2 * cos((2x + 1) u pi / 16). */
const COS = Float64Array.from({ length: 64 }, (_, i) => {
  const x = i >> 3;
  const u = i & 7;
  return (u === 0 ? Math.SQRT1_2 : 1) * 0.5 * Math.cos(((2 * x + 1) * u * Math.PI) / 16);
});

interface Huffman {
  maxcode: Int32Array; // by code length 1..16 (index 17 is a sentinel)
  valptr: Int32Array;
  mincode: Int32Array;
  values: Uint8Array;
}

class Corrupt extends Error {}

function buildHuffman(counts: Uint8Array, values: Uint8Array): Huffman {
  const maxcode = new Int32Array(18).fill(-1);
  const valptr = new Int32Array(17);
  const mincode = new Int32Array(17);
  let code = 0;
  let k = 0;
  for (let l = 1; l <= 16; l++) {
    valptr[l] = k;
    mincode[l] = code;
    code += counts[l - 1]!;
    k += counts[l - 1]!;
    maxcode[l] = counts[l - 1]! > 0 ? code - 1 : -1;
    code <<= 1;
  }
  maxcode[17] = 0x7fffffff;
  return { maxcode, valptr, mincode, values };
}

class BitReader {
  private buffer = 0;
  private bits = 0;
  constructor(private readonly data: Uint8Array, public pos: number) {}

  bit(): number {
    if (this.bits === 0) {
      let byte = 0;
      if (this.pos < this.data.length) {
        byte = this.data[this.pos]!;
        if (byte === 0xff) {
          const next = this.data[this.pos + 1];
          if (next === 0x00) this.pos += 2;
          else byte = 0; // a marker: feed zeros, as libjpeg does, and stay on it
        } else this.pos += 1;
      }
      this.buffer = byte;
      this.bits = 8;
    }
    this.bits -= 1;
    return (this.buffer >> this.bits) & 1;
  }

  receive(length: number): number {
    let v = 0;
    for (let i = 0; i < length; i++) v = (v << 1) | this.bit();
    return v;
  }

  decode(table: Huffman): number {
    let code = this.bit();
    let l = 1;
    while (code > table.maxcode[l]!) {
      code = (code << 1) | this.bit();
      l += 1;
      if (l > 16) throw new Corrupt('bad Huffman code');
    }
    const value = table.values[table.valptr[l]! + code - table.mincode[l]!];
    if (value === undefined) throw new Corrupt('Huffman code outside its table');
    return value;
  }

  /** Skips to the restart marker that must follow an interval, and drops the partial byte. */
  restart(): void {
    this.bits = 0;
    while (this.pos + 1 < this.data.length && !(this.data[this.pos] === 0xff && this.data[this.pos + 1]! >= 0xd0 && this.data[this.pos + 1]! <= 0xd7)) this.pos += 1;
    this.pos += 2;
  }
}

const extend = (v: number, s: number): number => (s === 0 ? 0 : v < 1 << (s - 1) ? v - (1 << s) + 1 : v);

export function decodeJpeg12(bytes: Uint8Array, rows: number, columns: number, file: string): Uint16Array {
  try {
    return decode(bytes, rows, columns, file);
  } catch (err) {
    if (err instanceof MedsrError) throw err;
    throw new MedsrError('invalid_input', 'codec.corrupt', `12-bit JPEG codestream could not be decoded: ${(err as Error).message}`, { file });
  }
}

function decode(bytes: Uint8Array, rows: number, columns: number, file: string): Uint16Array {
  const unsupported = (why: string): MedsrError => new MedsrError('unsupported', 'codec.jpeg12_unsupported', `12-bit JPEG: ${why}`, { file });
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) throw new Corrupt('no SOI marker');
  const quant: Int32Array[] = [];
  const dc: Huffman[] = [];
  const ac: Huffman[] = [];
  let frame: { precision: number; height: number; width: number; tq: number } | undefined;
  let restartInterval = 0;
  let pos = 2;
  for (;;) {
    if (pos + 4 > bytes.length) throw new Corrupt('ends before the scan');
    if (bytes[pos] !== 0xff) throw new Corrupt(`expected a marker at byte ${pos}`);
    const marker = bytes[pos + 1]!;
    if (marker === 0xff) {
      pos += 1;
      continue;
    }
    const length = (bytes[pos + 2]! << 8) | bytes[pos + 3]!;
    const end = pos + 2 + length;
    if (length < 2 || end > bytes.length) throw new Corrupt('segment runs past the end');
    let p = pos + 4;
    if (marker === 0xdb) {
      while (p < end) {
        const pq = bytes[p]! >> 4;
        const tq = bytes[p]! & 15;
        p += 1;
        const table = new Int32Array(64);
        for (let k = 0; k < 64; k++) {
          table[k] = pq ? (bytes[p]! << 8) | bytes[p + 1]! : bytes[p]!;
          p += pq ? 2 : 1;
        }
        quant[tq & 3] = table;
      }
    } else if (marker === 0xc4) {
      while (p < end) {
        const tc = bytes[p]! >> 4;
        const th = bytes[p]! & 3;
        const counts = bytes.subarray(p + 1, p + 17);
        const total = counts.reduce((a, b) => a + b, 0);
        const table = buildHuffman(counts, bytes.slice(p + 17, p + 17 + total));
        if (tc === 0) dc[th] = table;
        else ac[th] = table;
        p += 17 + total;
      }
    } else if (marker === 0xdd) {
      restartInterval = (bytes[p]! << 8) | bytes[p + 1]!;
    } else if (marker === 0xc0 || marker === 0xc1) {
      if (bytes[p + 5] !== 1) throw unsupported(`${bytes[p + 5]} components (only one is supported)`);
      frame = { precision: bytes[p]!, height: (bytes[p + 1]! << 8) | bytes[p + 2]!, width: (bytes[p + 3]! << 8) | bytes[p + 4]!, tq: bytes[p + 8]! & 3 };
    } else if (marker >= 0xc2 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      throw unsupported(`SOF marker 0x${marker.toString(16)} (only Huffman sequential is supported)`);
    } else if (marker === 0xda) {
      if (!frame) throw new Corrupt('scan before the frame header');
      const td = bytes[p + 2]! >> 4;
      const ta = bytes[p + 2]! & 15;
      if (frame.width !== columns || frame.height !== rows) {
        throw new MedsrError('invalid_input', 'codec.size_mismatch', `12-bit JPEG frame is ${frame.width} x ${frame.height}, the DICOM header says ${columns} x ${rows}`, { file });
      }
      const q = quant[frame.tq];
      const dcTable = dc[td];
      const acTable = ac[ta & 3];
      if (!q || !dcTable || !acTable) throw new Corrupt('scan refers to a missing table');
      return decodeScan(new BitReader(bytes, end), frame.precision, rows, columns, q, dcTable, acTable, restartInterval);
    } else if (marker === 0xd9) {
      throw new Corrupt('EOI before any scan');
    }
    pos = end;
  }
}

function decodeScan(reader: BitReader, precision: number, rows: number, columns: number, q: Int32Array, dcTable: Huffman, acTable: Huffman, restartInterval: number): Uint16Array {
  const out = new Uint16Array(rows * columns);
  const blocksPerLine = Math.ceil(columns / 8);
  const blockRows = Math.ceil(rows / 8);
  const coef = new Float64Array(64);
  const tmp = new Float64Array(64);
  const shift = 1 << (precision - 1);
  const max = (1 << precision) - 1;
  let pred = 0;
  for (let b = 0; b < blocksPerLine * blockRows; b++) {
    if (restartInterval > 0 && b > 0 && b % restartInterval === 0) {
      reader.restart();
      pred = 0;
    }
    coef.fill(0);
    const t = reader.decode(dcTable);
    pred += extend(reader.receive(t), t);
    coef[0] = pred * q[0]!;
    for (let k = 1; k < 64; ) {
      const rs = reader.decode(acTable);
      const r = rs >> 4;
      const s = rs & 15;
      if (s === 0) {
        if (r !== 15) break; // end of block
        k += 16;
        continue;
      }
      k += r;
      if (k > 63) throw new Corrupt('AC coefficient index past 63');
      coef[ZIGZAG[k]!] = extend(reader.receive(s), s) * q[k]!;
      k += 1;
    }
    idct(coef, tmp);
    const by = Math.floor(b / blocksPerLine) * 8;
    const bx = (b % blocksPerLine) * 8;
    for (let y = 0; y < 8 && by + y < rows; y++) {
      for (let x = 0; x < 8 && bx + x < columns; x++) {
        const v = Math.round(tmp[y * 8 + x]!) + shift;
        out[(by + y) * columns + bx + x] = v < 0 ? 0 : v > max ? max : v;
      }
    }
  }
  return out;
}

/** 2-D inverse DCT of one block (coefficients in natural order) into `out`. */
const rows = new Float64Array(64);
function idct(coef: Float64Array, out: Float64Array): void {
  for (let v = 0; v < 8; v++) {
    for (let x = 0; x < 8; x++) {
      let sum = 0;
      for (let u = 0; u < 8; u++) sum += COS[x * 8 + u]! * coef[v * 8 + u]!;
      rows[v * 8 + x] = sum;
    }
  }
  for (let x = 0; x < 8; x++) {
    for (let y = 0; y < 8; y++) {
      let sum = 0;
      for (let v = 0; v < 8; v++) sum += COS[y * 8 + v]! * rows[v * 8 + x]!;
      out[y * 8 + x] = sum;
    }
  }
}
