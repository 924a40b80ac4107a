import type { DataSet, Element, Fragment } from 'dicom-parser';
import { MedsrError } from '../shared/errors';
import type { Codec } from './transfer-syntax';

/**
 * Finds the fragments of one frame in encapsulated pixel data (PS3.5 A.4): by the Basic Offset
 * Table when there is one, one fragment per frame when the counts agree, otherwise by where each
 * codestream starts (JPEG SOI, J2K SOC). Returns the frame's bytes, concatenated.
 */
export function encapsulatedFrame(dataSet: DataSet, element: Element, frameIndex: number, frames: number, codec: Codec, file: string): Uint8Array {
  const fragments = element.fragments ?? [];
  if (fragments.length === 0) throw new MedsrError('invalid_input', 'pixel.no_fragments', 'encapsulated pixel data has no fragments', { file });
  const bytes = dataSet.byteArray;
  for (const f of fragments) {
    if (f.position < 0 || f.position + f.length > bytes.length) {
      throw new MedsrError('invalid_input', 'dicom.truncated', 'a pixel data fragment runs past the end of the file', { file });
    }
  }
  const offsets = element.basicOffsetTable?.length ? element.basicOffsetTable : extendedOffsetTable(dataSet);
  const groups = groupFragments(bytes, fragments, offsets, frames, codec);
  if (!groups) {
    throw new MedsrError('invalid_input', 'pixel.frame_boundaries', `cannot tell where the ${frames} frames begin among ${fragments.length} fragments`, { file });
  }
  const group = groups[frameIndex];
  if (!group || group.length === 0) {
    throw new MedsrError('invalid_input', 'pixel.frame_missing', `frame ${frameIndex + 1} of ${frames} has no pixel data fragment`, { file });
  }
  return concat(bytes, group);
}

/**
 * Extended Offset Table (7FE0,0001): 64-bit frame offsets, counted like the Basic Offset Table
 * from the first fragment's item tag (PS3.5 A.4). Read by tag: its VR (OV) reaches us as UN.
 */
function extendedOffsetTable(dataSet: DataSet): number[] {
  const element = dataSet.elements['x7fe00001'];
  if (!element || element.length % 8 !== 0 || element.dataOffset + element.length > dataSet.byteArray.length) return [];
  const view = new DataView(dataSet.byteArray.buffer, dataSet.byteArray.byteOffset + element.dataOffset, element.length);
  return Array.from({ length: element.length / 8 }, (_, i) => Number(view.getBigUint64(i * 8, true)));
}

function groupFragments(bytes: Uint8Array, fragments: Fragment[], offsets: number[], frames: number, codec: Codec): Fragment[][] | undefined {
  if (frames === 1) return [fragments];
  if (offsets.length === frames && offsets.every((o, i) => i === 0 || o > offsets[i - 1]!)) {
    return offsets.map((start, i) => {
      const end = i + 1 < offsets.length ? offsets[i + 1]! : Number.POSITIVE_INFINITY;
      return fragments.filter((f) => f.offset >= start && f.offset < end);
    });
  }
  if (fragments.length === frames) return fragments.map((f) => [f]);
  const startsCodestream = codestreamStart(codec);
  if (!startsCodestream) return undefined;
  const groups: Fragment[][] = [];
  for (const f of fragments) {
    if (startsCodestream(bytes, f.position) || groups.length === 0) groups.push([f]);
    else groups[groups.length - 1]!.push(f);
  }
  return groups.length === frames ? groups : undefined;
}

function codestreamStart(codec: Codec): ((bytes: Uint8Array, at: number) => boolean) | undefined {
  switch (codec) {
    case 'jpeg-baseline':
    case 'jpeg-extended':
    case 'jpeg-lossless':
    case 'jpeg-ls':
      return (b, at) => b[at] === 0xff && b[at + 1] === 0xd8;
    case 'jpeg2000':
    case 'htj2k':
      // raw codestream (SOC SIZ) or a JP2 file
      return (b, at) => (b[at] === 0xff && b[at + 1] === 0x4f && b[at + 2] === 0xff && b[at + 3] === 0x51) || (b[at + 4] === 0x6a && b[at + 5] === 0x50);
    default:
      return undefined;
  }
}

function concat(bytes: Uint8Array, group: Fragment[]): Uint8Array {
  if (group.length === 1) {
    const f = group[0]!;
    return bytes.subarray(f.position, f.position + f.length);
  }
  const total = group.reduce((n, f) => n + f.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const f of group) {
    out.set(bytes.subarray(f.position, f.position + f.length), o);
    o += f.length;
  }
  return out;
}
