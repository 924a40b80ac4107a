/**
 * A parsed data set is checked element by element before anything else reads it, so that every
 * later reader (dicom-parser's lazy values, dcmjs' clone for write-back) sees the same elements
 * and no element can claim more bytes than the file holds. One corrupt VR byte used to turn a
 * 22-byte PatientName into a 1.9 GB UN element in the derived file: such an element is refused
 * here, with the tag named, as bad input.
 */
import type { DataSet, Element } from 'dicom-parser';
import { MedsrError } from '../shared/errors';

/** Every VR of PS3.5 6.2 (OV, SV and UV arrive as UN, see vr-compat.ts). */
export const KNOWN_VRS: ReadonlySet<string> = new Set([
  'AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FL', 'FD', 'IS', 'LO', 'LT', 'OB', 'OD', 'OF', 'OL',
  'OV', 'OW', 'PN', 'SH', 'SL', 'SQ', 'SS', 'ST', 'SV', 'TM', 'UC', 'UI', 'UL', 'UN', 'UR', 'US', 'UT', 'UV',
]);

/** Nested sequences deeper than this are not a real image's header. */
const MAX_DEPTH = 32;

function tagName(tag: string): string {
  const t = tag.replace(/^x/, '').toUpperCase();
  return `(${t.slice(0, 4)},${t.slice(4)})`;
}

/**
 * Throws MedsrError('invalid_input', 'dicom.bad_element') for an element whose explicit VR is not
 * a DICOM VR (dicom-parser records no VR for implicit VR data sets), or whose value runs past
 * the end of its item or of the file.
 */
export function checkElements(dataSet: DataSet, file: string): void {
  walk(dataSet, file, dataSet.byteArray.length, 0, metaEndOf(dataSet));
}

/**
 * Where the file meta group ends. dicom-parser reads a deflated file's preamble and prefix as
 * elements too: anything else before the end of the meta group is no part of the data set, and
 * no reader after this one looks at it.
 */
function metaEndOf(dataSet: DataSet): number {
  let end = 0;
  for (const [tag, element] of Object.entries(dataSet.elements)) if (tag.startsWith('x0002')) end = Math.max(end, element.dataOffset + element.length);
  return end;
}

function walk(dataSet: DataSet, file: string, end: number, depth: number, metaEnd = 0): void {
  if (depth > MAX_DEPTH) throw new MedsrError('invalid_input', 'dicom.bad_element', `sequences nested deeper than ${MAX_DEPTH} levels`, { file });
  for (const [tag, element] of Object.entries(dataSet.elements)) {
    // item delimiters are kept as VR-less elements
    if (tag.startsWith('xfffe') || (element.dataOffset < metaEnd && !tag.startsWith('x0002'))) continue;
    const fail = (why: string): never => {
      throw new MedsrError('invalid_input', 'dicom.bad_element', `element ${tagName(tag)} ${why}`, { file, tag: tagName(tag) });
    };
    if (element.vr !== undefined && !KNOWN_VRS.has(element.vr)) {
      fail(`has VR "${printable(element.vr)}", which is not a DICOM VR (a corrupt header)`);
    }
    if (!element.hadUndefinedLength && element.dataOffset + element.length > end) {
      fail(`claims ${element.length} bytes, past the end of its ${depth === 0 ? 'file' : 'item'} (${end - element.dataOffset} left)`);
    }
    for (const item of element.items ?? []) {
      const itemEnd = itemEndOf(item, element, end);
      if (item.dataSet) walk(item.dataSet, file, itemEnd, depth + 1);
    }
  }
}

function itemEndOf(item: Element, parent: Element, parentEnd: number): number {
  const limit = parent.hadUndefinedLength ? parentEnd : Math.min(parentEnd, parent.dataOffset + parent.length);
  return item.hadUndefinedLength ? limit : Math.min(limit, item.dataOffset + item.length);
}

function printable(vr: string): string {
  return [...vr].map((c) => (c >= ' ' && c <= '~' ? c : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)).join('');
}
