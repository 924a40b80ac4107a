import { buildPrompt, type DicomInstance } from '../ingest';
import { MedsrError, toMedsrError } from '../shared/errors';
import { logger } from '../shared/logger';
import type { ReadDicomBytes, ReadInputs } from './ports';
import type { Storage } from './storage';

/** What the catalog keeps beside each stored instance: enough to list, nothing identifying. */
export interface InstanceSummary {
  studyInstanceUID: string;
  seriesInstanceUID: string;
  sopInstanceUID: string;
  modality: string;
  instanceNumber: number | undefined;
  seriesNumber: number | undefined;
  seriesDescription: string | undefined;
  studyDescription: string | undefined;
  rows: number;
  columns: number;
  frames: number;
  /** Position along the slice normal when the geometry allows, for ordering. */
  sliceLocation: number | undefined;
  /** The prompt the model would be conditioned on, built from this instance's metadata. */
  prompt?: string;
  /** Size of the stored file (absent for instances stored before it was recorded). */
  bytes?: number;
  /** When it was stored (absent for instances stored before it was recorded): retention counts from it. */
  storedAt?: string;
}

export interface SeriesSummary {
  studyInstanceUID: string;
  seriesInstanceUID: string;
  modality: string;
  seriesNumber: number | undefined;
  description: string | undefined;
  /** The prompt built from the first instance's metadata (what a job uses unless overridden). */
  prompt: string | undefined;
  instanceCount: number;
  instances: InstanceSummary[];
}

export interface StudySummary {
  studyInstanceUID: string;
  description: string | undefined;
  series: Array<Omit<SeriesSummary, 'instances'>>;
}

export interface RejectedInput {
  file: string;
  code: string;
  message: string;
}

export interface IngestReport {
  studies: StudySummary[];
  instancesStored: number;
  rejected: RejectedInput[];
}

export interface StudyCatalog {
  /** Reads files/zips/dirs (through ingest), stores every instance found, reports the rest. */
  ingest(paths: string[], labelOf?: (label: string) => string): Promise<IngestReport>;
  /** Stores one instance received whole (DIMSE C-STORE, STOW-RS); replaces one with the same UIDs. */
  storeBytes(bytes: Uint8Array, label: string): Promise<InstanceSummary>;
  /** Removes a study's stored instances (jobs and results are the lifecycle service's). */
  deleteStudy(studyUID: string): Promise<void>;
  listStudies(): Promise<StudySummary[]>;
  /** Every stored instance's summary (for retention and housekeeping). */
  listInstances(): Promise<InstanceSummary[]>;
  getStudy(studyUID: string): Promise<StudySummary>;
  getSeries(studyUID: string, seriesUID: string): Promise<SeriesSummary>;
  instanceBytes(studyUID: string, seriesUID: string, sopUID: string): Promise<Buffer>;
  loadInstance(studyUID: string, seriesUID: string, sopUID: string): Promise<DicomInstance>;
}

export const instanceKey = (study: string, series: string, sop: string): string => `studies/${study}/${series}/${sop}.dcm`;
/** Cached DICOM JSON beside a stored instance (`.dcmjson`: not a summary, which end in `.json`). */
export const metadataKeyOf = (dcmKey: string): string => `${dcmKey.slice(0, -'.dcm'.length)}.dcmjson`;
const summaryKey = (study: string, series: string, sop: string): string => `studies/${study}/${series}/${sop}.json`;

export function summarise(instance: DicomInstance): InstanceSummary {
  const { imagePositionPatient: pos, imageOrientationPatient: ori } = instance.geometry;
  let sliceLocation: number | undefined;
  if (pos && ori) {
    // projection of the position on the slice normal (row x column direction cosines)
    const n = [ori[1] * ori[5] - ori[2] * ori[4], ori[2] * ori[3] - ori[0] * ori[5], ori[0] * ori[4] - ori[1] * ori[3]];
    sliceLocation = pos[0] * (n[0] ?? 0) + pos[1] * (n[1] ?? 0) + pos[2] * (n[2] ?? 0);
  }
  return {
    studyInstanceUID: instance.studyInstanceUID,
    seriesInstanceUID: instance.seriesInstanceUID,
    sopInstanceUID: instance.sopInstanceUID,
    modality: instance.modality,
    instanceNumber: instance.instanceNumber,
    seriesNumber: instance.seriesNumber,
    seriesDescription: instance.seriesDescription,
    studyDescription: instance.studyDescription,
    rows: instance.pixel.rows,
    columns: instance.pixel.columns,
    frames: instance.pixel.frames,
    sliceLocation,
    prompt: buildPrompt(instance.promptMetadata),
    bytes: instance.bytes.length,
  };
}

export function compareInstances(a: InstanceSummary, b: InstanceSummary): number {
  if (a.sliceLocation !== undefined && b.sliceLocation !== undefined && a.sliceLocation !== b.sliceLocation) {
    return a.sliceLocation - b.sliceLocation;
  }
  return (a.instanceNumber ?? 0) - (b.instanceNumber ?? 0) || a.sopInstanceUID.localeCompare(b.sopInstanceUID);
}

/**
 * One SOP Instance UID, one object: a file whose UID is already stored with other content (an
 * earlier upload, or another file of this one, as pydicom's chrFren.dcm and chrFrenMulti.dcm)
 * is refused instead of silently replacing it. The same bytes again are simply stored again.
 */
async function refuseOtherContentUnderUid(storage: Storage, key: string, bytes: Uint8Array, sop: string): Promise<void> {
  const existing = await storage.tryGet(key);
  if (existing && !Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).equals(existing)) {
    throw new MedsrError('conflict', 'upload.duplicate_uid', `SOP Instance UID ${sop} is already stored with different content; not replaced (a changed object needs a new UID)`);
  }
}

export function createStudyCatalog(deps: { storage: Storage; readInputs: ReadInputs; readDicomBytes: ReadDicomBytes }): StudyCatalog {
  const { storage } = deps;
  const log = logger().child({ component: 'study-catalog' });

  async function summariesUnder(prefix: string): Promise<InstanceSummary[]> {
    const keys = (await storage.list(prefix)).filter((k) => k.endsWith('.json'));
    const values = await Promise.all(keys.map(async (k) => JSON.parse((await storage.get(k)).toString('utf8')) as InstanceSummary));
    return values;
  }

  function groupSeries(summaries: InstanceSummary[]): SeriesSummary[] {
    const bySeries = new Map<string, InstanceSummary[]>();
    for (const s of summaries) {
      const list = bySeries.get(s.seriesInstanceUID) ?? [];
      list.push(s);
      bySeries.set(s.seriesInstanceUID, list);
    }
    return [...bySeries.values()]
      .map((instances) => {
        instances.sort(compareInstances);
        const first = instances[0] as InstanceSummary;
        return {
          studyInstanceUID: first.studyInstanceUID,
          seriesInstanceUID: first.seriesInstanceUID,
          modality: first.modality,
          seriesNumber: first.seriesNumber,
          description: first.seriesDescription,
          prompt: first.prompt,
          instanceCount: instances.length,
          instances,
        };
      })
      .sort((a, b) => (a.seriesNumber ?? 0) - (b.seriesNumber ?? 0) || a.seriesInstanceUID.localeCompare(b.seriesInstanceUID));
  }

  function toStudies(summaries: InstanceSummary[]): StudySummary[] {
    const byStudy = new Map<string, InstanceSummary[]>();
    for (const s of summaries) byStudy.set(s.studyInstanceUID, [...(byStudy.get(s.studyInstanceUID) ?? []), s]);
    return [...byStudy.entries()].map(([studyInstanceUID, list]) => ({
      studyInstanceUID,
      description: list[0]?.studyDescription,
      series: groupSeries(list).map(({ instances: _omit, ...rest }) => rest),
    }));
  }

  return {
    async ingest(paths, labelOf = (l) => l) {
      const rejected: RejectedInput[] = [];
      const stored: InstanceSummary[] = [];
      for await (const result of deps.readInputs(paths)) {
        if (!result.ok) {
          rejected.push({ file: labelOf(result.ref.label), code: result.error.code, message: result.error.message });
          continue;
        }
        const { instance } = result;
        try {
          const summary = { ...summarise(instance), storedAt: new Date().toISOString() };
          const { studyInstanceUID: st, seriesInstanceUID: se, sopInstanceUID: sop } = summary;
          await refuseOtherContentUnderUid(storage, instanceKey(st, se, sop), instance.bytes, sop);
          await storage.put(instanceKey(st, se, sop), instance.bytes);
          await storage.put(summaryKey(st, se, sop), JSON.stringify(summary));
          stored.push(summary);
        } catch (err) {
          const e = toMedsrError(err);
          rejected.push({ file: labelOf(instance.ref.label), code: e.code, message: e.message });
        }
      }
      log.info({ stored: stored.length, rejected: rejected.length }, 'ingested upload');
      return { studies: toStudies(stored), instancesStored: stored.length, rejected };
    },
    async storeBytes(bytes, label) {
      const instance = deps.readDicomBytes(bytes, { path: label, label });
      const summary = { ...summarise(instance), storedAt: new Date().toISOString() };
      const { studyInstanceUID: st, seriesInstanceUID: se, sopInstanceUID: sop } = summary;
      await storage.put(instanceKey(st, se, sop), instance.bytes);
      await storage.delete(metadataKeyOf(instanceKey(st, se, sop))); // stale cached metadata of a replaced instance
      await storage.put(summaryKey(st, se, sop), JSON.stringify(summary));
      return summary;
    },
    async deleteStudy(studyUID) {
      await storage.deleteTree(`studies/${studyUID}`);
    },
    async listInstances() {
      return summariesUnder('studies');
    },
    async listStudies() {
      return toStudies(await summariesUnder('studies'));
    },
    async getStudy(studyUID) {
      const [study] = toStudies(await summariesUnder(`studies/${studyUID}`));
      if (!study) throw new MedsrError('not_found', 'study.not_found', `no study ${studyUID}`);
      return study;
    },
    async getSeries(studyUID, seriesUID) {
      const [series] = groupSeries(await summariesUnder(`studies/${studyUID}/${seriesUID}`));
      if (!series) throw new MedsrError('not_found', 'series.not_found', `no series ${seriesUID} in study ${studyUID}`);
      return series;
    },
    async instanceBytes(studyUID, seriesUID, sopUID) {
      const bytes = await storage.tryGet(instanceKey(studyUID, seriesUID, sopUID));
      if (!bytes) throw new MedsrError('not_found', 'instance.not_found', `no instance ${sopUID}`);
      return bytes;
    },
    async loadInstance(studyUID, seriesUID, sopUID) {
      const bytes = await this.instanceBytes(studyUID, seriesUID, sopUID);
      const key = instanceKey(studyUID, seriesUID, sopUID);
      return deps.readDicomBytes(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), { path: key, label: key });
    },
  };
}
