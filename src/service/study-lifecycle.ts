import { supportedTransferSyntaxes, wrapPart10 } from '../ingest';
import { MedsrError } from '../shared/errors';
import { logger } from '../shared/logger';
import { FINAL_STATES } from './jobs/job-model';
import type { JobService } from './jobs/job-service';
import type { JobStore } from './jobs/job-store';
import type { InstanceSummary, StudyCatalog } from './study-catalog';
import type { Storage } from './storage';

/** A data set as DIMSE C-STORE delivers it: no preamble or file meta, the bytes as sent. */
export interface NetworkDataset {
  dataset: Uint8Array;
  sopClassUID: string;
  sopInstanceUID: string;
  transferSyntaxUID: string;
  callingAeTitle: string;
}

const IMPLEMENTATION_CLASS_UID = '1.2.826.0.1.3680043.10.1129.1';

/** Transfer syntaxes a received instance may arrive in: those ingest reads (stored as received). */
export const storableTransferSyntaxes = (): string[] => supportedTransferSyntaxes().map((t) => t.uid);

export interface StudyLifecycle {
  /** Stores one received instance (DIMSE, STOW-RS) and tells auto-routing that its series grew. */
  receive(bytes: Uint8Array, label: string): Promise<InstanceSummary>;
  /** Stores a C-STORE data set as a Part 10 file (data set bytes kept exactly), like receive(). */
  receiveDataset(received: NetworkDataset): Promise<InstanceSummary>;
  /** Removes a study's originals, its jobs and their results from storage. */
  deleteStudy(studyUID: string): Promise<{ jobsDeleted: number }>;
  /** Bytes on disk: originals, results, job state. */
  diskUsage(): Promise<{ studies: number; results: number; jobs: number }>;
}

export function createStudyLifecycle(deps: {
  storage: Storage;
  catalog: StudyCatalog;
  store: JobStore;
  jobs: JobService;
  /** An instance starts arriving; the returned function is called once it is stored or refused. */
  onReceiving?: () => () => void;
  onReceived?: (summary: InstanceSummary) => void;
  onDeleted?: (studyUID: string) => void;
  /** How long a delete waits for a running job of the study to stop. */
  cancelWaitMs?: number;
}): StudyLifecycle {
  const { storage, store, jobs } = deps;
  const log = logger().child({ component: 'study-lifecycle' });

  /** Resolves once the job is final (or after the wait): its runner must not write after the delete. */
  function untilFinal(jobId: string): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(), deps.cancelWaitMs ?? 30_000);
      const stop = jobs.watch(jobId, (job) => {
        if (FINAL_STATES.has(job.state)) finish();
      }, 100);
      function finish(): void {
        clearTimeout(timer);
        stop();
        resolve();
      }
    });
  }

  return {
    async receive(bytes, label) {
      const done = deps.onReceiving?.();
      try {
        const summary = await deps.catalog.storeBytes(bytes, label);
        deps.onReceived?.(summary);
        return summary;
      } finally {
        done?.();
      }
    },
    async receiveDataset(received) {
      const bytes = wrapPart10(received.dataset, {
        sopClassUID: received.sopClassUID,
        sopInstanceUID: received.sopInstanceUID,
        transferSyntaxUID: received.transferSyntaxUID,
        implementationClassUID: IMPLEMENTATION_CLASS_UID,
        implementationVersionName: 'MEDSR',
        sourceAeTitle: received.callingAeTitle,
      });
      return this.receive(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), `C-STORE from ${received.callingAeTitle}`);
    },
    async deleteStudy(studyUID) {
      const owned = (await store.list()).filter((j) => j.studyInstanceUID === studyUID);
      const hasInstances = (await storage.list(`studies/${studyUID}`)).length > 0;
      if (!hasInstances && owned.length === 0) throw new MedsrError('not_found', 'study.not_found', `no study ${studyUID}`);
      deps.onDeleted?.(studyUID);
      for (const job of owned) {
        if (FINAL_STATES.has(job.state)) continue;
        await jobs.cancel(job.id);
        await untilFinal(job.id);
      }
      for (const job of owned) {
        await storage.deleteTree(`results/${job.id}`);
        await storage.delete(`jobs/${job.id}.cancel`);
        await storage.delete(`jobs/${job.id}.json`);
      }
      await deps.catalog.deleteStudy(studyUID);
      log.info({ jobs: owned.length }, 'study deleted');
      return { jobsDeleted: owned.length };
    },
    async diskUsage() {
      const [studies, results, jobsUsage] = await Promise.all([storage.usage('studies'), storage.usage('results'), storage.usage('jobs')]);
      return { studies: studies.bytes, results: results.bytes, jobs: jobsUsage.bytes };
    },
  };
}
