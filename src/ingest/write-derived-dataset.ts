/**
 * The one place write-back touches dcmjs. Works on dcmjs' "denaturalized" form (tag -> {vr, Value}),
 * which keeps every element of the source, private ones included, exactly as read; attributes are
 * addressed by keyword through dcmjs' own dictionary so no tag literal is repeated elsewhere.
 */
import type { DataSet } from 'dicom-parser';
import { MedsrError } from '../shared/errors';
import { needsOwnTextDecoding, redecodeText, withCharsetsBlanked } from './write-derived-charset';

export interface DicomElement {
  vr: string;
  Value?: unknown[];
}
export type DicomDataset = Record<string, DicomElement>;

interface DcmjsDictionaryEntry {
  tag: string;
  vr: string;
}
interface DcmjsDicomDict {
  meta: DicomDataset;
  dict: DicomDataset;
  write(options?: { allowInvalidVRLength?: boolean }): ArrayBuffer;
}
interface DcmjsModule {
  data: {
    DicomMessage: { readFile(buffer: ArrayBuffer, options?: Record<string, unknown>): DcmjsDicomDict };
    DicomDict: new (meta: DicomDataset) => DcmjsDicomDict;
    DicomMetaDictionary: { nameMap: Record<string, DcmjsDictionaryEntry | undefined> };
  };
  log: { getLogger(name: string): { setLevel(level: 'silent' | 'warn'): void }; setLevel(level: 'error'): void };
}

// dcmjs ships no type declarations; this interface is the part of it we rely on.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dcmjs = require('dcmjs') as DcmjsModule;

// dcmjs prints "Invalid vr type xs - using US" to the console for every Implicit VR source with
// US/SS-by-representation attributes; write-derived-pixels re-types those itself, so the message is noise.
dcmjs.log.getLogger('validation.dcmjs').setLevel('silent');
// and "Using multiple character sets is not supported" for ISO 2022 sources, whose text
// write-derived-charset decodes itself: medsr reports what matters through its own errors.
dcmjs.log.setLevel('error');

const PIXEL_DATA_TAG = '7FE00010';

/** "(0008,0018)" for "SOPInstanceUID" -> "00080018" (dcmjs' dataset keys). */
export function tagOf(keyword: string): string {
  const entry = dcmjs.data.DicomMetaDictionary.nameMap[keyword];
  if (!entry) throw new MedsrError('internal', 'derived.keyword', `unknown DICOM keyword ${keyword}`);
  return entry.tag.replace(/[(),]/g, '').toUpperCase();
}

function vrOf(keyword: string): string {
  const vr = dcmjs.data.DicomMetaDictionary.nameMap[keyword]?.vr ?? '';
  // "xs"/"ox" mean the VR depends on the pixel representation: the caller must say which.
  if (!/^[A-Z]{2}$/.test(vr)) throw new MedsrError('internal', 'derived.vr', `${keyword} needs an explicit VR (dictionary says "${vr}")`);
  return vr;
}

/**
 * A deep copy of the source dataset, read fresh from its Part 10 bytes; stops before Pixel Data.
 * `parsed` is the same bytes as dicom-parser read them: text in character sets dcmjs cannot
 * decode (ISO 2022 code extensions, per-item character sets) is decoded again from it.
 */
export function readDataset(bytes: Uint8Array, file: string, parsed?: DataSet): { meta: DicomDataset; dict: DicomDataset } {
  const ownText = parsed !== undefined && needsOwnTextDecoding(parsed);
  // dcmjs refuses code extensions: it reads a copy whose character sets are blanked (every text
  // value then reads as Latin-1, losslessly), and every text value is decoded again below
  const input = ownText ? withCharsetsBlanked(bytes, parsed, file) : bytes;
  const buffer = input.buffer.slice(input.byteOffset, input.byteOffset + input.byteLength) as ArrayBuffer;
  try {
    const read = dcmjs.data.DicomMessage.readFile(buffer, {
      ignoreErrors: false,
      untilTag: PIXEL_DATA_TAG,
      includeUntilTagValue: false,
      noCopy: false,
      forceStoreRaw: false,
    });
    if (ownText) redecodeText(read.dict, parsed);
    repairLegacyValues(read.dict);
    removeGroupLengths(read.dict);
    assertNoAmplification(read.dict, bytes.byteLength, file);
    return { meta: read.meta, dict: read.dict };
  } catch (err) {
    if (err instanceof MedsrError) {
      err.details.file ??= file;
      throw err;
    }
    const message = err instanceof Error ? err.message : String(err);
    throw new MedsrError('invalid_input', 'derived.read_source', `cannot clone the source dataset: ${message}`, { file }, { cause: err });
  }
}

/**
 * Group lengths (gggg,0000) are retired outside the file meta and would disagree with the new
 * pixel data and labels: they are dropped (dcmjs writes the meta group's own).
 */
export function removeGroupLengths(ds: DicomDataset, depth = 0): void {
  for (const [tag, el] of Object.entries(ds)) {
    if (tag.endsWith('0000')) delete ds[tag];
    else if (el?.vr === 'SQ' && Array.isArray(el.Value) && depth < 64) {
      for (const item of el.Value) if (item && typeof item === 'object') removeGroupLengths(item as DicomDataset, depth + 1);
    }
  }
}

/**
 * A clone can never hold more value bytes than the file it was read from: if it does, the
 * reader was misled by a corrupt length and the copy would amplify it (a 10 kB file once made a
 * 1.9 GB answer). checkElements refuses such files at read time; this is the second line.
 */
function assertNoAmplification(ds: DicomDataset, sourceBytes: number, file: string): void {
  const total = valueBytes(ds, 0);
  if (total > sourceBytes) {
    throw new MedsrError('invalid_input', 'dicom.bad_element', `the source's elements claim ${total} bytes, more than the ${sourceBytes}-byte file holds`, { file });
  }
}

function valueBytes(ds: DicomDataset, depth: number): number {
  let total = 0;
  for (const el of Object.values(ds)) {
    if (!el || !Array.isArray(el.Value)) continue;
    for (const v of el.Value) {
      if (v instanceof ArrayBuffer) total += v.byteLength;
      else if (ArrayBuffer.isView(v)) total += v.byteLength;
      else if (typeof v === 'string') total += v.length;
      else if (el.vr === 'SQ' && v && typeof v === 'object' && depth < 64) total += valueBytes(v as DicomDataset, depth + 1);
    }
  }
  return total;
}

export function writePart10(meta: DicomDataset, dict: DicomDataset, file: string): Uint8Array {
  const out = new dcmjs.data.DicomDict(meta);
  out.dict = dict;
  try {
    return new Uint8Array(out.write({ allowInvalidVRLength: false }));
  } catch (err) {
    // dcmjs refuses values that break their VR's rules: a source problem we cannot carry over
    const message = err instanceof Error ? err.message : String(err);
    throw new MedsrError('invalid_input', 'derived.invalid_source_value', `cannot write the derived dataset: ${message}`, { file }, { cause: err });
  }
}

/**
 * ACR-NEMA era files write dates as YYYY.MM.DD and times as HH:MM:SS, which DICOM's DA and TM
 * forbid (and dcmjs refuses to write). Rewrites them in place, in nested sequences too; the
 * meaning is unchanged.
 */
export function repairLegacyValues(ds: DicomDataset): void {
  for (const el of Object.values(ds)) {
    if (!el || !Array.isArray(el.Value)) continue;
    if (el.vr === 'SQ') {
      for (const item of el.Value) if (item && typeof item === 'object') repairLegacyValues(item as DicomDataset);
    } else if (el.vr === 'DA') {
      el.Value = el.Value.map((v) => (typeof v === 'string' ? v.replace(/^(\d{4})\.(\d{2})\.(\d{2})$/, '$1$2$3') : v));
    } else if (el.vr === 'TM') {
      el.Value = el.Value.map((v) => (typeof v === 'string' ? v.replace(/^(\d{2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?$/, (_m, h: string, m: string, sec?: string) => `${h}${m}${sec ?? ''}`) : v));
    }
  }
}

export function element(vr: string, values: unknown[]): DicomElement {
  return { vr, Value: values };
}

/** Sets an attribute by keyword (replacing whatever was there, raw bytes included). */
export function put(ds: DicomDataset, keyword: string, values: unknown[], vr: string = vrOf(keyword)): void {
  ds[tagOf(keyword)] = element(vr, values);
}

export function remove(ds: DicomDataset, ...keywords: string[]): void {
  for (const keyword of keywords) delete ds[tagOf(keyword)];
}

export function get(ds: DicomDataset, keyword: string): unknown[] | undefined {
  return ds[tagOf(keyword)]?.Value;
}

export function getString(ds: DicomDataset, keyword: string, index = 0): string | undefined {
  const value = get(ds, keyword)?.[index];
  return typeof value === 'string' ? value.trim() : undefined;
}

export function getNumbers(ds: DicomDataset, keyword: string): number[] | undefined {
  const values = get(ds, keyword);
  if (!values || values.length === 0) return undefined;
  const numbers = values.map((v) => (typeof v === 'number' ? v : Number(v)));
  return numbers.every(Number.isFinite) ? numbers : undefined;
}

/** Items of a sequence attribute (empty when absent). */
export function items(ds: DicomDataset, keyword: string): DicomDataset[] {
  return (get(ds, keyword) ?? []) as DicomDataset[];
}

export interface CodedConcept {
  value: string;
  scheme: string;
  meaning: string;
}

export function codeItem({ value, scheme, meaning }: CodedConcept): DicomDataset {
  const item: DicomDataset = {};
  put(item, 'CodeValue', [value]);
  put(item, 'CodingSchemeDesignator', [scheme]);
  put(item, 'CodeMeaning', [meaning]);
  return item;
}
