/**
 * Text in character sets dcmjs cannot decode: ISO 2022 code extensions (Japanese
 * `\ISO 2022 IR 87`, `ISO 2022 IR 13\ISO 2022 IR 87`, Korean `\ISO 2022 IR 149`, ...) and
 * sequence items with a SpecificCharacterSet of their own. dcmjs refuses the first and reads
 * the second with one decoder for everything. It is given a copy with every SpecificCharacterSet
 * blanked (so it reads all text as Latin-1 without complaint), then every text element of the
 * clone is decoded again from the source's bytes with dicom-character-set, which implements PS3.5 6.1 (escape
 * sequences, delimiters that reset the active set, per-item character sets). dcmjs then writes
 * all text as UTF-8 under `ISO_IR 192`, so every name survives, in one repertoire.
 */
import type { DataSet } from 'dicom-parser';
import { MedsrError } from '../shared/errors';
import type { DicomDataset, DicomElement } from './write-derived-dataset';

interface DicomCharacterSet {
  convertBytes(specificCharacterSet: string | undefined, bytes: Uint8Array, options?: { vr?: string }): string;
}
// dicom-character-set ships no type declarations; this is the one function used.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { convertBytes } = require('dicom-character-set') as DicomCharacterSet;

/** The VRs whose values SpecificCharacterSet governs (PS3.5 6.1.2.3). */
const TEXT_VRS = new Set(['SH', 'LO', 'ST', 'LT', 'PN', 'UC', 'UT']);
/** Text VRs that hold one value only: a backslash in them is text. */
const SINGLE_VALUED = new Set(['ST', 'LT', 'UT']);
const CHARSET_TAG = 'x00080005';

function charsetOf(dataSet: DataSet): string | undefined {
  return dataSet.elements[CHARSET_TAG] ? dataSet.string(CHARSET_TAG) : undefined;
}

function needsExtensions(charset: string | undefined): boolean {
  return charset !== undefined && (charset.includes('\\') || /ISO 2022/i.test(charset));
}

/**
 * Whether dcmjs' own decoding would fail or garble: code extensions anywhere, or a sequence item
 * whose character set differs from its parent's.
 */
export function needsOwnTextDecoding(dataSet: DataSet, inherited = charsetOf(dataSet), depth = 0): boolean {
  if (needsExtensions(inherited)) return true;
  if (depth > 32) return false;
  for (const element of Object.values(dataSet.elements)) {
    for (const item of element.items ?? []) {
      if (!item.dataSet) continue;
      const own = charsetOf(item.dataSet);
      if ((own !== undefined && own !== inherited) || needsOwnTextDecoding(item.dataSet, own ?? inherited, depth + 1)) return true;
    }
  }
  return false;
}

/** Decodes every text element of `dict` again from the bytes `dataSet` (the same source) holds. */
export function redecodeText(dict: DicomDataset, dataSet: DataSet, inherited: string | undefined = charsetOf(dataSet), depth = 0): void {
  const charset = depth === 0 ? inherited : (charsetOf(dataSet) ?? inherited);
  for (const [tag, element] of Object.entries(dataSet.elements)) {
    const target = dict[tag.slice(1).toUpperCase()];
    if (!target) continue;
    if (target.vr === 'SQ' && Array.isArray(target.Value)) {
      (element.items ?? []).forEach((item, i) => {
        const clone = target.Value?.[i];
        if (item.dataSet && clone && typeof clone === 'object' && depth < 32) redecodeText(clone as DicomDataset, item.dataSet, charset, depth + 1);
      });
    } else if (TEXT_VRS.has(target.vr) && !element.hadUndefinedLength) {
      const bytes = dataSet.byteArray.subarray(element.dataOffset, element.dataOffset + element.length);
      setText(target, decode(charset, bytes, target.vr, tag));
    }
  }
}

/**
 * Decodes one value. Writers often return to ASCII with ESC ( B under a list that does not name
 * ISO 2022 IR 6 (pydicom's chrSQEncoding does): ASCII is allowed as a last resort, as pydicom
 * does. Bytes no declared character set explains are a typed error naming the tag.
 */
function decode(charset: string | undefined, bytes: Uint8Array, vr: string, tag: string): string {
  try {
    return convertBytes(charset, bytes, { vr });
  } catch (first) {
    if (charset && /ISO 2022/i.test(charset) && !/ISO 2022 IR 6\b/.test(charset)) {
      try {
        return convertBytes(`${charset}\\ISO 2022 IR 6`, bytes, { vr });
      } catch {
        // fall through to the first error
      }
    }
    const t = tag.replace(/^x/, '').toUpperCase();
    throw new MedsrError('invalid_input', 'dicom.undecodable_text', `element (${t.slice(0, 4)},${t.slice(4)}) cannot be decoded in character set "${charset ?? 'ISO_IR 6'}": ${(first as Error).message}`, { tag: t });
  }
}

function setText(target: DicomElement & { _rawValue?: unknown }, text: string): void {
  const values = SINGLE_VALUED.has(target.vr) ? [text.replace(/[\0 ]+$/, '')] : text.split('\\').map((v) => v.replace(/\0/g, '').trim());
  target.Value = target.vr === 'PN' ? values.map(personName) : values;
  delete target._rawValue; // dcmjs writes _rawValue when Value looks unchanged: it must write ours
}

/** dcmjs' form of a PN value: its alphabetic, ideographic and phonetic groups. */
function personName(value: string): Record<string, string> {
  const [alphabetic = '', ideographic, phonetic] = value.split('=');
  return {
    Alphabetic: alphabetic,
    ...(ideographic !== undefined ? { Ideographic: ideographic } : {}),
    ...(phonetic !== undefined ? { Phonetic: phonetic } : {}),
  };
}

/**
 * A copy of the file with every SpecificCharacterSet value (at any depth) overwritten by spaces,
 * same length, so nothing else moves. The offsets come from dicom-parser's read of these bytes;
 * a deflated file (whose parsed bytes are the inflated stream) cannot be patched so.
 */
export function withCharsetsBlanked(bytes: Uint8Array, dataSet: DataSet, file: string): Uint8Array {
  if (dataSet.byteArray.length !== bytes.length) {
    throw new MedsrError('unsupported', 'derived.charset', 'a deflated data set with ISO 2022 character set extensions cannot be written back', { file });
  }
  const copy = new Uint8Array(bytes);
  const blank = (ds: DataSet, depth: number): void => {
    for (const [tag, element] of Object.entries(ds.elements)) {
      if (tag === CHARSET_TAG) copy.fill(0x20, element.dataOffset, element.dataOffset + element.length);
      if (depth < 32) for (const item of element.items ?? []) if (item.dataSet) blank(item.dataSet, depth + 1);
    }
  };
  blank(dataSet, 0);
  return copy;
}
