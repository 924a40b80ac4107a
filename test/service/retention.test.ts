/** MEDSR_RETENTION_DAYS on real files: a study past the period goes with its jobs and results. */
import fs from 'node:fs';
import path from 'node:path';
import { createRetention } from '../../src/service/retention';
import { createEngine, mrSeriesCopy, tempDir } from './helpers/service-fixture';
import { createReplicatingProcessor, MR_SMALL } from './helpers/replicating-processor';

describe('retention', () => {
  it('deletes studies untouched for longer than the period, and keeps the others', async () => {
    const dataDir = tempDir();
    const engine = createEngine(dataDir, createReplicatingProcessor());
    try {
      const report = await engine.catalog.ingest([mrSeriesCopy(), MR_SMALL]);
      expect(report.studies).toHaveLength(2);
      const [old, recent] = report.studies.map((s) => s.studyInstanceUID) as [string, string];
      const job = await engine.jobs.create({ studyInstanceUID: old, options: { scale: 2 } });
      // the embedded queue runs it; wait for its final state
      const state = await new Promise<string>((resolve) => {
        const stop = engine.jobs.watch(job.id, (j) => {
          if (!['queued', 'running'].includes(j.state)) {
            stop();
            resolve(j.state);
          }
        }, 20);
      });
      expect(state).toBe('succeeded');
      const retention = createRetention(1, { catalog: engine.catalog, store: engine.store, lifecycle: engine.lifecycle });

      expect(await retention.purgeExpired(Date.now())).toEqual([]);
      expect(await retention.purgeExpired(Date.now() + 0.5 * 86_400_000)).toEqual([]);
      // make the small study look fresh two days from now: only the other one has expired
      const later = Date.now() + 2 * 86_400_000;
      const summaryFile = fs.readdirSync(path.join(dataDir, 'studies', recent), { recursive: true }).map(String).find((f) => f.endsWith('.json'))!;
      const summaryPath = path.join(dataDir, 'studies', recent, summaryFile);
      fs.writeFileSync(summaryPath, JSON.stringify({ ...JSON.parse(fs.readFileSync(summaryPath, 'utf8')), storedAt: new Date(later).toISOString() }));

      expect(await retention.purgeExpired(later)).toEqual([old]);
      expect(fs.existsSync(path.join(dataDir, 'studies', old))).toBe(false);
      expect(fs.existsSync(path.join(dataDir, 'results', job.id))).toBe(false);
      expect(await engine.store.tryLoad(job.id)).toBeUndefined();
      expect((await engine.catalog.listStudies()).map((s) => s.studyInstanceUID)).toEqual([recent]);
    } finally {
      await engine.queue.close();
    }
  });
});
