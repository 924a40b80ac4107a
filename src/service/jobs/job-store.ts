import { MedsrError } from '../../shared/errors';
import type { Storage } from '../storage';
import type { JobRecord } from './job-model';

/**
 * Job state, one JSON object per job in storage (written atomically, so a crash leaves the last
 * whole state). Only the one worker running a job writes it, so no locking is needed beyond the
 * queue's own ownership of the job.
 */
export interface JobStore {
  save(job: JobRecord): Promise<void>;
  load(id: string): Promise<JobRecord>;
  tryLoad(id: string): Promise<JobRecord | undefined>;
  list(): Promise<JobRecord[]>;
}

const JOB_ID = /^[A-Za-z0-9_-]{1,64}$/;
const keyOf = (id: string): string => `jobs/${id}.json`;

export function createJobStore(storage: Storage): JobStore {
  return {
    async save(job) {
      job.updatedAt = new Date().toISOString();
      await storage.put(keyOf(job.id), JSON.stringify(job));
    },
    async load(id) {
      const job = await this.tryLoad(id);
      if (!job) throw new MedsrError('not_found', 'job.not_found', `no job ${id}`);
      return job;
    },
    async tryLoad(id) {
      if (!JOB_ID.test(id)) return undefined;
      const raw = await storage.tryGet(keyOf(id));
      return raw ? (JSON.parse(raw.toString('utf8')) as JobRecord) : undefined;
    },
    async list() {
      const keys = (await storage.list('jobs')).filter((k) => k.endsWith('.json'));
      const jobs = await Promise.all(keys.map((k) => this.tryLoad(k.slice('jobs/'.length, -'.json'.length))));
      return jobs.filter((j): j is JobRecord => j !== undefined).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    },
  };
}
