/**
 * runBatch as a real child process (so a test can kill -9 it): mini-ingest reading, the
 * replicating processor with a delay per slice. argv: outDir concurrency input...
 */
import { runBatch } from '../../../src/service/batch/run-batch';
import { createReplicatingProcessor, readInputs } from './mini-ingest';

const [outDir, concurrency, ...inputs] = process.argv.slice(2) as [string, string, ...string[]];
const processor = createReplicatingProcessor({ delayMs: Number(process.env.MEDSR_TEST_SLICE_MS ?? 0) });
void runBatch({
  inputs,
  outDir,
  concurrency: Number(concurrency),
  options: { scale: 2, samples: 2 },
  readInputs,
  processor,
  listener: { itemFinished: (_key, item) => process.stdout.write(`${item.status} ${item.input}\n`) },
}).then((report) => {
  process.exitCode = report.totals.failed > 0 ? 1 : 0;
});
