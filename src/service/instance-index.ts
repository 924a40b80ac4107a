import { type DicomJson, toDicomJson } from '../ingest';
import { MedsrError } from '../shared/errors';
import type { JobStore } from './jobs/job-store';
import type { Storage } from './storage';
import { metadataKeyOf } from './study-catalog';

/** One stored instance, original (uploaded or received) or derived (a job's result). */
export interface IndexedInstance {
  studyInstanceUID: string;
  seriesInstanceUID: string;
  sopInstanceUID: string;
  /** Storage key of its Part 10 bytes. */
  key: string;
  /** The job that made it, for derived instances. */
  jobId?: string;
}

export interface InstanceScope {
  studyInstanceUID?: string;
  seriesInstanceUID?: string;
  sopInstanceUID?: string;
}

/**
 * Every instance medsr holds, originals and derived series alike, as DICOMweb and C-FIND see them.
 * Metadata is DICOM JSON read once from the stored bytes and cached beside them.
 */
export interface InstanceIndex {
  list(scope?: InstanceScope): Promise<IndexedInstance[]>;
  /** Throws not_found when the scope holds nothing. */
  require(scope: InstanceScope, what: string): Promise<IndexedInstance[]>;
  metadata(instance: IndexedInstance): Promise<DicomJson>;
  bytes(instance: IndexedInstance): Promise<Buffer>;
}

const matches = (i: IndexedInstance, scope: InstanceScope): boolean =>
  (!scope.studyInstanceUID || i.studyInstanceUID === scope.studyInstanceUID) &&
  (!scope.seriesInstanceUID || i.seriesInstanceUID === scope.seriesInstanceUID) &&
  (!scope.sopInstanceUID || i.sopInstanceUID === scope.sopInstanceUID);

export function createInstanceIndex(deps: { storage: Storage; store: Pick<JobStore, 'list'> }): InstanceIndex {
  const { storage } = deps;

  async function originals(scope: InstanceScope): Promise<IndexedInstance[]> {
    const prefix = scope.studyInstanceUID ? (scope.seriesInstanceUID ? `studies/${scope.studyInstanceUID}/${scope.seriesInstanceUID}` : `studies/${scope.studyInstanceUID}`) : 'studies';
    return (await storage.list(prefix))
      .filter((k) => k.endsWith('.dcm'))
      .map((key) => {
        const [, st, se, file] = key.split('/') as [string, string, string, string];
        return { studyInstanceUID: st, seriesInstanceUID: se, sopInstanceUID: file.slice(0, -'.dcm'.length), key };
      });
  }

  async function derived(scope: InstanceScope): Promise<IndexedInstance[]> {
    const out: IndexedInstance[] = [];
    for (const job of await deps.store.list()) {
      if (scope.studyInstanceUID && job.studyInstanceUID !== scope.studyInstanceUID) continue;
      for (const slice of job.slices) {
        for (const key of [slice.resultKey, slice.uncertaintyKey]) {
          if (!key) continue;
          const [, , se, file] = key.split('/') as [string, string, string, string];
          out.push({ studyInstanceUID: job.studyInstanceUID, seriesInstanceUID: se, sopInstanceUID: file.slice(0, -'.dcm'.length), key, jobId: job.id });
        }
      }
    }
    return out;
  }

  return {
    async list(scope = {}) {
      const all = [...(await originals(scope)), ...(await derived(scope))];
      return all.filter((i) => matches(i, scope));
    },
    async require(scope, what) {
      const found = await this.list(scope);
      if (found.length === 0) throw new MedsrError('not_found', `${what}.not_found`, `no ${what} ${scope.sopInstanceUID ?? scope.seriesInstanceUID ?? scope.studyInstanceUID ?? ''}`.trim());
      return found;
    },
    async metadata(instance) {
      const cacheKey = metadataKeyOf(instance.key);
      const cached = await storage.tryGet(cacheKey);
      if (cached) return JSON.parse(cached.toString('utf8')) as DicomJson;
      const json = toDicomJson(await this.bytes(instance));
      await storage.put(cacheKey, JSON.stringify(json));
      return json;
    },
    async bytes(instance) {
      const bytes = await storage.tryGet(instance.key);
      if (!bytes) throw new MedsrError('not_found', 'instance.not_found', `no instance ${instance.sopInstanceUID}`);
      return bytes;
    },
  };
}
