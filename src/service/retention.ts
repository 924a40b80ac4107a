import { logger } from '../shared/logger';
import type { JobStore } from './jobs/job-store';
import type { StudyCatalog } from './study-catalog';
import type { StudyLifecycle } from './study-lifecycle';

export interface Retention {
  /** Deletes every study whose last activity (an instance stored, a job updated) is older than the period. */
  purgeExpired(now?: number): Promise<string[]>;
  /** Purges now and then every `everyMs` until stopped. */
  start(everyMs?: number): void;
  stop(): void;
}

/**
 * MEDSR_RETENTION_DAYS: studies nobody touched for that long are removed with everything made
 * from them. Instances stored before storage times were recorded are never purged by age.
 */
export function createRetention(days: number, deps: { catalog: Pick<StudyCatalog, 'listInstances'>; store: Pick<JobStore, 'list'>; lifecycle: Pick<StudyLifecycle, 'deleteStudy'> }): Retention {
  const log = logger().child({ component: 'retention' });
  const periodMs = days * 86_400_000;
  let timer: NodeJS.Timeout | undefined;

  async function purgeExpired(now = Date.now()): Promise<string[]> {
    const lastActivity = new Map<string, number>();
    const note = (study: string, iso: string | undefined): void => {
      const t = iso ? Date.parse(iso) : Number.POSITIVE_INFINITY; // unknown age: keep
      lastActivity.set(study, Math.max(lastActivity.get(study) ?? 0, Number.isNaN(t) ? Number.POSITIVE_INFINITY : t));
    };
    for (const i of await deps.catalog.listInstances()) note(i.studyInstanceUID, i.storedAt);
    for (const j of await deps.store.list()) note(j.studyInstanceUID, j.updatedAt);
    const expired = [...lastActivity].filter(([, t]) => now - t > periodMs).map(([study]) => study);
    for (const study of expired) await deps.lifecycle.deleteStudy(study);
    if (expired.length) log.info({ studies: expired.length, days }, 'retention: expired studies deleted');
    return expired;
  }

  return {
    purgeExpired,
    start(everyMs = 3_600_000) {
      const run = (): void => void purgeExpired().catch((err: unknown) => log.error({ err: String(err) }, 'retention run failed'));
      run();
      timer = setInterval(run, everyMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
