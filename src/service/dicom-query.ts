import { type DicomJson, type DicomJsonElement, jsonText, tagOf, vrOf } from '../ingest';
import { MedsrError } from '../shared/errors';
import type { IndexedInstance, InstanceIndex, InstanceScope } from './instance-index';

export type { DicomJson } from '../ingest';
/** The dictionary VR of a tag (`UN` when unknown), for adapters that build identifiers. */
export { vrOf } from '../ingest';

export type QueryLevel = 'study' | 'series' | 'instance';

/**
 * One query at one level (QIDO-RS and C-FIND share it). `match` maps a keyword or tag to the
 * value to match (PS3.4 C.2.2.2: single value, `*`/`?` wildcards, UID lists, date/time ranges;
 * an empty value only asks for the attribute to be returned).
 */
export interface DicomQuery {
  level: QueryLevel;
  scope?: InstanceScope;
  match?: Record<string, string>;
  /** Extra attributes to return (keywords or tags), or 'all'. */
  includeFields?: string[] | 'all';
  limit?: number;
  offset?: number;
}

const LEVEL_TAGS: Record<QueryLevel, string[]> = {
  study: ['00080005', '00080020', '00080030', '00080050', '00080090', '00100010', '00100020', '00100030', '00100040', '0020000D', '00200010', '00081030'],
  series: ['00080005', '00080060', '0008103E', '0020000E', '00200011', '00080021', '00080031', '0020000D'],
  instance: ['00080005', '00080016', '00080018', '00200013', '00280010', '00280011', '00280100', '00280008', '0020000E', '0020000D'],
};
const GROUP_KEY: Record<QueryLevel, keyof IndexedInstance> = { study: 'studyInstanceUID', series: 'seriesInstanceUID', instance: 'sopInstanceUID' };

function resolveTag(name: string): string {
  const tag = tagOf(name);
  if (!tag) throw new MedsrError('invalid_input', 'query.unknown_attribute', `unknown attribute in query: '${name}' (not a DICOM keyword or tag)`, { attribute: name, field: name });
  return tag;
}

function valueTexts(element: DicomJsonElement | undefined): string[] {
  return (element?.Value ?? []).map((v) => (v && typeof v === 'object' ? ((v as { Alphabetic?: string }).Alphabetic ?? '') : v === null ? '' : String(v)));
}

function wildcard(pattern: string, caseInsensitive: boolean): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, caseInsensitive ? 'i' : '');
}

/** Whether one attribute of a record matches one key of the query. */
export function matchesKey(element: DicomJsonElement | undefined, key: string, vr: string): boolean {
  if (key === '' || key === '*') return true;
  const values = valueTexts(element);
  if (vr === 'UI') {
    const wanted = new Set(key.split(/[,\\]/).map((s) => s.trim()));
    return values.some((v) => wanted.has(v));
  }
  if ((vr === 'DA' || vr === 'TM' || vr === 'DT') && key.includes('-')) {
    const [from = '', to = ''] = key.split('-');
    return values.some((v) => v !== '' && (from === '' || v >= from) && (to === '' || v.slice(0, to.length) <= to));
  }
  const patterns = key.split('\\').map((k) => wildcard(k, vr === 'PN'));
  return values.some((v) => patterns.some((re) => re.test(v.trim())));
}

function pick(from: DicomJson, tags: Iterable<string>, into: DicomJson): void {
  for (const tag of tags) {
    const element = from[tag];
    if (element && !into[tag] && tag !== '7FE00010') into[tag] = element;
  }
}

/** Runs a query over the index: one record (DICOM JSON) per study, series or instance. */
export async function queryDicom(index: Pick<InstanceIndex, 'list' | 'metadata'>, query: DicomQuery): Promise<DicomJson[]> {
  const matchTags = Object.entries(query.match ?? {}).map(([name, value]) => [resolveTag(name), value] as const);
  const include = query.includeFields === 'all' ? 'all' : (query.includeFields ?? []).map(resolveTag);
  const instances = await index.list(query.scope ?? {});
  const groups = new Map<string, IndexedInstance[]>();
  for (const i of instances) {
    const k = String(i[GROUP_KEY[query.level]]);
    groups.set(k, [...(groups.get(k) ?? []), i]);
  }
  const records: DicomJson[] = [];
  for (const members of groups.values()) {
    const first = (members.find((m) => !m.jobId) ?? members[0]) as IndexedInstance;
    const meta = await index.metadata(first);
    const record: DicomJson = {};
    pick(meta, LEVEL_TAGS[query.level], record);
    if (query.level !== 'instance') {
      const seriesCount = new Set(members.map((m) => m.seriesInstanceUID)).size;
      if (query.level === 'study') {
        const modalities = new Set<string>();
        const seen = new Set<string>();
        for (const m of members) {
          if (seen.has(m.seriesInstanceUID)) continue;
          seen.add(m.seriesInstanceUID);
          const modality = jsonText(await index.metadata(m), '00080060');
          if (modality) modalities.add(modality);
        }
        record['00080061'] = { vr: 'CS', Value: [...modalities].sort() };
        record['00201206'] = { vr: 'IS', Value: [seriesCount] };
        record['00201208'] = { vr: 'IS', Value: [members.length] };
      } else {
        record['00201209'] = { vr: 'IS', Value: [members.length] };
      }
    }
    if (!matchTags.every(([tag, value]) => matchesKey(record[tag] ?? meta[tag], value, record[tag]?.vr ?? meta[tag]?.vr ?? vrOf(tag)))) continue;
    pick(meta, matchTags.map(([tag]) => tag), record);
    if (include === 'all') pick(meta, Object.keys(meta), record);
    else pick(meta, include, record);
    records.push(record);
  }
  const offset = query.offset ?? 0;
  return records.slice(offset, query.limit === undefined ? undefined : offset + query.limit);
}
