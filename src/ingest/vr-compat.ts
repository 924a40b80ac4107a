/**
 * dicom-parser 1.8 predates the 64-bit VRs OV, SV and UV (DICOM 2019), and reads their 4-byte
 * length as a 2-byte one, derailing the rest of the file. The Extended Offset Table (7FE0,0001)
 * is OV, so modern multi-frame files hit this. This rewrites those VRs to UN, whose explicit
 * layout is the same (2 reserved bytes, 4-byte length), in a copy of the file, so the parser
 * keeps its place; the values stay readable by tag.
 */
const LONG_64_BIT_VRS = new Set(['OV', 'SV', 'UV']);
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
const UNDEFINED = 0xffffffff;

/** Returns a patched copy when the explicit VR data set starting at `start` holds OV/SV/UV, else undefined. */
export function patchLongVrs(bytes: Uint8Array, start: number, littleEndian: boolean): Uint8Array | undefined {
  const copy = new Uint8Array(bytes);
  const view = new DataView(copy.buffer, copy.byteOffset, copy.byteLength);
  const u16 = (at: number): number => view.getUint16(at, littleEndian);
  const u32 = (at: number): number => view.getUint32(at, littleEndian);
  let patched = 0;

  /** Walks elements from `pos` to `end` (or to an item delimiter when `end` is undefined); returns where it stopped. */
  const walk = (pos: number, end: number): number => {
    while (pos + 8 <= end) {
      const group = u16(pos);
      const element = u16(pos + 2);
      if (group === 0xfffe) {
        // item delimitation (E00D) ends an item of undefined length
        return element === 0xe00d ? pos + 8 : end;
      }
      const vr = String.fromCharCode(copy[pos + 4]!, copy[pos + 5]!);
      if (!LONG_VRS.has(vr)) {
        pos += 8 + u16(pos + 6);
        continue;
      }
      if (pos + 12 > end) return end;
      if (LONG_64_BIT_VRS.has(vr)) {
        copy[pos + 4] = 0x55; // 'U'
        copy[pos + 5] = 0x4e; // 'N'
        patched += 1;
      }
      const length = u32(pos + 8);
      pos += 12;
      if (length !== UNDEFINED) {
        if (vr === 'SQ') walkItems(pos, pos + length);
        pos += length;
      } else if (vr === 'SQ') {
        pos = walkItems(pos, end);
      } else {
        // encapsulated pixel data or UN of undefined length: items are not data sets here
        pos = skipItems(pos, end);
      }
    }
    return pos;
  };

  const walkItems = (pos: number, end: number): number => {
    while (pos + 8 <= end) {
      const element = u16(pos + 2);
      const length = u32(pos + 4);
      pos += 8;
      if (u16(pos - 8) !== 0xfffe) return end;
      if (element === 0xe0dd) return pos; // sequence delimitation
      if (length === UNDEFINED) pos = walk(pos, end);
      else {
        walk(pos, Math.min(end, pos + length));
        pos += length;
      }
    }
    return pos;
  };

  const skipItems = (pos: number, end: number): number => {
    while (pos + 8 <= end) {
      const element = u16(pos + 2);
      const length = u32(pos + 4);
      pos += 8;
      if (element === 0xe0dd) return pos;
      if (length === UNDEFINED) return end;
      pos += length;
    }
    return pos;
  };

  walk(start, copy.length);
  return patched > 0 ? copy : undefined;
}
