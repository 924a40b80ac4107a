/**
 * DICOM JSON (PS3.18 F.2) of a stored Part 10 instance, for QIDO-RS, WADO-RS /metadata and
 * C-FIND: every attribute except bulk data. Pixel Data (and other large binary values) become a
 * BulkDataURI when the caller gives one, small binary values are inlined as base64.
 */
import { MedsrError } from '../shared/errors';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const dcmjs = require('dcmjs') as { log: { setLevel(l: string): void }; data: { DicomMessage: { readFile(b: ArrayBuffer, o?: object): { dict: RawDataset; meta: RawDataset } } } };
dcmjs.log.setLevel('error');

export interface DicomJsonElement {
  vr: string;
  Value?: unknown[];
  InlineBinary?: string;
  BulkDataURI?: string;
}
export type DicomJson = Record<string, DicomJsonElement>;
type RawDataset = Record<string, { vr: string; Value?: unknown[] }>;

const BINARY_VRS = new Set(['OB', 'OW', 'OF', 'OD', 'OL', 'OV', 'UN']);
const INLINE_LIMIT = 1024;
const PIXEL_DATA = '7FE00010';

export interface DicomJsonOptions {
  /** Where Pixel Data can be fetched (WADO-RS bulk data); Pixel Data is left out without it. */
  pixelDataUri?: string;
}

function binaryLength(values: unknown[]): number {
  return values.reduce<number>((n, v) => n + (v instanceof ArrayBuffer ? v.byteLength : ArrayBuffer.isView(v) ? v.byteLength : 0), 0);
}

function convert(raw: RawDataset, options: DicomJsonOptions, top: boolean): DicomJson {
  const out: DicomJson = {};
  for (const [tag, element] of Object.entries(raw)) {
    const t = tag.toUpperCase();
    if (t.startsWith('0002')) continue; // file meta is not part of the data set
    const values = element.Value ?? [];
    if (top && t === PIXEL_DATA) {
      if (options.pixelDataUri) out[t] = { vr: element.vr, BulkDataURI: options.pixelDataUri };
      continue;
    }
    if (BINARY_VRS.has(element.vr)) {
      if (binaryLength(values) > INLINE_LIMIT || values.length === 0) {
        out[t] = { vr: element.vr };
        continue;
      }
      const parts = values.map((v) => Buffer.from(v instanceof ArrayBuffer ? new Uint8Array(v) : (v as Uint8Array)));
      out[t] = { vr: element.vr, InlineBinary: Buffer.concat(parts).toString('base64') };
      continue;
    }
    if (element.vr === 'SQ') {
      out[t] = values.length ? { vr: 'SQ', Value: values.map((item) => convert(item as RawDataset, {}, false)) } : { vr: 'SQ' };
      continue;
    }
    const kept = values.filter((v) => v !== null && v !== undefined && v !== '');
    out[t] = kept.length === 0 ? { vr: element.vr } : { vr: element.vr, Value: values.map((v) => (v === '' ? null : v)) };
  }
  return out;
}

/** Parses Part 10 bytes into DICOM JSON (adds AvailableTransferSyntaxUID from the file meta). */
export function toDicomJson(bytes: Uint8Array, options: DicomJsonOptions = {}): DicomJson {
  let parsed;
  try {
    parsed = dcmjs.data.DicomMessage.readFile(bytes.slice().buffer, { ignoreErrors: true });
  } catch (err) {
    throw new MedsrError('invalid_input', 'dicom.json', `cannot read the instance as DICOM: ${(err as Error).message}`);
  }
  const json = convert(parsed.dict, options, true);
  const ts = parsed.meta['00020010']?.Value?.[0];
  if (typeof ts === 'string') json['00083002'] = { vr: 'UI', Value: [ts.replace(/\0/g, '').trim()] };
  return json;
}

/** The first value of an attribute as text (PN as its alphabetic form), or undefined. */
export function jsonText(json: DicomJson, tag: string): string | undefined {
  const v = json[tag]?.Value?.[0];
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'object') return (v as { Alphabetic?: string }).Alphabetic;
  return String(v);
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const dictionary = (require('dcmjs') as { data: { DicomMetaDictionary: { nameMap: Record<string, { tag: string; vr: string }>; dictionary: Record<string, { vr: string; name: string }> } } }).data.DicomMetaDictionary;

/** `PatientName` or `00100010` -> `00100010`; undefined when neither a keyword nor a tag. */
export function tagOf(keywordOrTag: string): string | undefined {
  if (/^[0-9A-Fa-f]{8}$/.test(keywordOrTag)) return keywordOrTag.toUpperCase();
  const entry = dictionary.nameMap[keywordOrTag];
  return entry ? entry.tag.replace(/[(),]/g, '').toUpperCase() : undefined;
}

/** The keyword of a tag (`00100010` -> `PatientName`), when the dictionary knows it. */
export function keywordOf(tag: string): string | undefined {
  return dictionary.dictionary[`(${tag.slice(0, 4)},${tag.slice(4)})`.toUpperCase()]?.name;
}

/** The VR of a tag from the dictionary (`UN` when unknown). */
export function vrOf(tag: string): string {
  return dictionary.dictionary[`(${tag.slice(0, 4)},${tag.slice(4)})`.toUpperCase()]?.vr ?? 'UN';
}
