import cliProgress from 'cli-progress';
import type { BatchListener } from '../service/batch/run-batch';

/**
 * Progress bars for `medsr batch`: one overall (with ETA) and one per series while it runs. On a
 * terminal only; piped output (CI, logs) stays clean.
 */
export function createBatchProgress(stream: NodeJS.WriteStream = process.stderr): BatchListener & { stop(): void } {
  if (!stream.isTTY) return { stop: () => undefined };
  const multi = new cliProgress.MultiBar(
    {
      stream,
      clearOnComplete: false,
      hideCursor: true,
      format: '{name} |{bar}| {value}/{total} {percentage}% ETA {eta_formatted} {failed}',
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  let overall: cliProgress.SingleBar | undefined;
  const bars = new Map<string, { bar: cliProgress.SingleBar; done: number; total: number }>();
  const totals = new Map<string, { label: string; total: number }>();
  let failed = 0;
  return {
    planned(series, total) {
      overall = multi.create(total, 0, { name: 'all'.padEnd(24), failed: '' });
      for (const s of series) totals.set(s.key, { label: s.label, total: s.total });
    },
    itemFinished(key, item) {
      if (item.status === 'failed') failed++;
      overall?.increment({ failed: failed > 0 ? `(${failed} failed)` : '' });
      let entry = bars.get(key);
      if (!entry) {
        const info = totals.get(key) ?? { label: key, total: 1 };
        entry = { bar: multi.create(info.total, 0, { name: info.label.slice(0, 24).padEnd(24), failed: '' }), done: 0, total: info.total };
        bars.set(key, entry);
      }
      entry.done++;
      entry.bar.increment();
      if (entry.done >= entry.total) {
        // finished series leave the screen so long batches do not scroll forever
        multi.remove(entry.bar);
        bars.delete(key);
      }
    },
    stop() {
      multi.stop();
    },
  };
}
