/**
 * C-FIND identifiers <-> the service's queries: the request's keys with values are matching keys,
 * every key (empty or not) is returned; the answers carry the level and nothing else extra.
 */
import { type DicomJson, type DicomQuery, type QueryLevel, vrOf } from '../service/dicom-query';
import { MedsrError } from '../shared/errors';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DicomMetaDictionary } = (require('dcmjs') as { data: { DicomMetaDictionary: { denaturalizeDataset(d: object): Record<string, { vr: string; Value?: unknown[] }>; naturalizeDataset(d: object): Record<string, unknown> } } }).data;

const LEVELS: Record<string, QueryLevel> = { STUDY: 'study', SERIES: 'series', IMAGE: 'instance' };

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (value instanceof String) return value.valueOf();
  if (typeof value === 'object') return (value as { Alphabetic?: string }).Alphabetic ?? '';
  return String(value);
}

/** The identifier of a C-FIND request (naturalized, as dcmjs-dimse gives it) as a query. */
export function queryOfIdentifier(identifier: Record<string, unknown>): { query: DicomQuery; requested: string[] } {
  const levelName = String(identifier.QueryRetrieveLevel ?? '').trim().toUpperCase();
  const level = LEVELS[levelName];
  if (!level) throw new MedsrError('unsupported', 'dimse.find_level', `C-FIND at level ${JSON.stringify(levelName)} is not supported (STUDY, SERIES or IMAGE)`);
  const elements = DicomMetaDictionary.denaturalizeDataset({ ...identifier, QueryRetrieveLevel: undefined });
  const match: Record<string, string> = {};
  const requested: string[] = [];
  for (const [tag, element] of Object.entries(elements)) {
    const t = tag.toUpperCase();
    if (t === '00080052' || t.startsWith('0002')) continue;
    requested.push(t);
    if (element.vr === 'SQ') continue;
    const values = (element.Value ?? []).map(text).filter((v) => v !== '');
    if (values.length > 0) match[t] = values.join('\\');
  }
  const scope = {
    ...(typeof identifier.StudyInstanceUID === 'string' && identifier.StudyInstanceUID && !identifier.StudyInstanceUID.includes('\\') && level !== 'study' ? { studyInstanceUID: identifier.StudyInstanceUID } : {}),
  };
  return { query: { level, match, includeFields: requested, scope }, requested };
}

/** One answer: the requested keys (empty when the record lacks them) plus the level. */
export function identifierOfRecord(record: DicomJson, requested: string[], level: QueryLevel): Record<string, unknown> {
  const out: Record<string, { vr: string; Value?: unknown[] }> = {};
  for (const tag of requested) {
    const element = record[tag];
    out[tag] = element ? { vr: element.vr, Value: element.Value ?? [] } : { vr: vrOf(tag), Value: [] };
  }
  const natural = DicomMetaDictionary.naturalizeDataset(out);
  delete natural._vrMap;
  natural.QueryRetrieveLevel = level === 'instance' ? 'IMAGE' : level.toUpperCase();
  return natural;
}
