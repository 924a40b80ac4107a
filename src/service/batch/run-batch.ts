import path from 'node:path';
import type { DicomInstance } from '../../ingest/types';
import { toMedsrError } from '../../shared/errors';
import { logger } from '../../shared/logger';
import { fileExists, sweepTmpFiles, writeFileAtomic } from '../atomic-write';
import type { ReadInputs, SliceProcessor, UpscaleOptions } from '../ports';
import { stableUid } from '../../ingest';
import { mixedPathWarnings } from '../mixed-paths';
import { type BatchItem, type BatchReport, writeBatchReport } from './batch-report';
import { createDuplicateGuard } from './duplicate-guard';

export interface BatchSeriesInfo {
  key: string;
  label: string;
  total: number;
}

/** What the progress display hears; the batch itself prints nothing. */
export interface BatchListener {
  planned?(series: BatchSeriesInfo[], total: number): void;
  itemFinished?(seriesKey: string, item: BatchItem): void;
}

export interface BatchOptions {
  inputs: string[];
  outDir: string;
  options: UpscaleOptions;
  concurrency: number;
  readInputs: ReadInputs;
  processor: SliceProcessor;
  listener?: BatchListener;
}

const seriesKeyOf = (i: Pick<DicomInstance, 'studyInstanceUID' | 'seriesInstanceUID'>): string => `${i.studyInstanceUID}/${i.seriesInstanceUID}`;
const safe = (uid: string): string => uid.replace(/[^0-9A-Za-z.]/g, '_');

/**
 * Upscales every instance of the inputs into OUT/<study>/sr-x<scale>-<series>/<sop>.dcm. Outputs
 * are written atomically and named (with their UIDs) deterministically from the source and the
 * options, so a rerun after `kill -9` skips what exists, redoes only unfinished instances, and the
 * series it completes is the same series. Inputs are read twice (a counting pass for progress,
 * then the work) so that no archive sits in memory whole.
 */
export async function runBatch(batch: BatchOptions): Promise<BatchReport> {
  const log = logger().child({ component: 'batch' });
  const startedAt = new Date().toISOString();
  const { scale } = batch.options;
  const optionTag = `x${scale}-s${batch.options.steps ?? 'd'}-k${batch.options.samples ?? 1}-r${batch.options.seed ?? 'n'}-g${batch.options.guidance ?? 'd'}-d${batch.options.degradation ?? 'd'}${batch.options.resampler && batch.options.resampler !== 'auto' ? `-z${batch.options.resampler}` : ''}-p${batch.options.prompt ?? ''}`;
  const swept = await sweepTmpFiles(batch.outDir);
  if (swept > 0) log.info({ swept }, 'removed half-written files of an interrupted run');

  // pass 1: count, for progress bars and ETA
  const series = new Map<string, BatchSeriesInfo>();
  let total = 0;
  for await (const r of batch.readInputs(batch.inputs)) {
    total++;
    const key = r.ok ? seriesKeyOf(r.instance) : r.skipped ? 'skipped' : 'unreadable';
    const label = r.ok ? (r.instance.seriesDescription ?? r.instance.seriesInstanceUID) : r.skipped ? 'not images' : 'unreadable inputs';
    const info = series.get(key) ?? { key, label, total: 0 };
    info.total++;
    series.set(key, info);
  }
  batch.listener?.planned?.([...series.values()], total);

  // pass 2: the work, `concurrency` instances in flight
  const items: BatchItem[] = [];
  const inFlight = new Set<Promise<void>>();
  const finish = (key: string, item: BatchItem): void => {
    items.push(item);
    batch.listener?.itemFinished?.(key, item);
  };

  async function processOne(instance: DicomInstance): Promise<void> {
    const started = performance.now();
    const seriesDir = path.join(batch.outDir, safe(instance.studyInstanceUID), `sr-x${scale}-${safe(instance.seriesInstanceUID)}`);
    const stdDir = path.join(batch.outDir, safe(instance.studyInstanceUID), `uncertainty-x${scale}-${safe(instance.seriesInstanceUID)}`);
    const output = path.join(seriesDir, `${safe(instance.sopInstanceUID)}.dcm`);
    const uncertaintyOutput = path.join(stdDir, `${safe(instance.sopInstanceUID)}.dcm`);
    const base: BatchItem = {
      input: instance.ref.label,
      studyInstanceUID: instance.studyInstanceUID,
      seriesInstanceUID: instance.seriesInstanceUID,
      sopInstanceUID: instance.sopInstanceUID,
      status: 'done',
    };
    const rel = (p: string): string => path.relative(batch.outDir, p);
    if (await fileExists(output)) {
      const std = (await fileExists(uncertaintyOutput)) ? { uncertaintyOutput: rel(uncertaintyOutput) } : {};
      return finish(seriesKeyOf(instance), { ...base, resumed: true, output: rel(output), ...std });
    }
    try {
      const result = await batch.processor(instance, {
        options: batch.options,
        target: {
          seriesInstanceUID: stableUid('batch-series', instance.seriesInstanceUID, optionTag),
          uncertaintySeriesInstanceUID: stableUid('batch-std-series', instance.seriesInstanceUID, optionTag),
          sopInstanceUID: stableUid('batch-sop', instance.sopInstanceUID, optionTag),
          uncertaintySopInstanceUID: stableUid('batch-std-sop', instance.sopInstanceUID, optionTag),
        },
      });
      // the uncertainty first: the derived file's presence marks the instance complete
      if (result.uncertainty) await writeFileAtomic(uncertaintyOutput, result.uncertainty);
      await writeFileAtomic(output, result.derived);
      finish(seriesKeyOf(instance), {
        ...base,
        output: rel(output),
        ...(result.uncertainty ? { uncertaintyOutput: rel(uncertaintyOutput) } : {}),
        durationMs: Math.round(performance.now() - started),
        ...(result.degradation !== undefined ? { degradation: result.degradation } : {}),
        ...(result.paths !== undefined ? { paths: result.paths } : {}),
      });
    } catch (err) {
      const e = toMedsrError(err);
      finish(seriesKeyOf(instance), { ...base, status: 'failed', code: e.code, reason: e.message, durationMs: Math.round(performance.now() - started) });
    }
  }

  const duplicates = createDuplicateGuard();
  for await (const r of batch.readInputs(batch.inputs)) {
    if (!r.ok) {
      // valid DICOM that is not an image (dose report, SR, RT plan): listed, not a failure
      if (r.skipped) finish('skipped', { input: r.ref.label, status: 'skipped', code: r.error.code, reason: r.error.message });
      else finish('unreadable', { input: r.ref.label, status: 'failed', code: r.error.code, reason: r.error.message });
      continue;
    }
    const verdict = duplicates.check(r.instance);
    if (verdict.kind !== 'first') {
      finish(seriesKeyOf(r.instance), duplicateItem(r.instance, verdict.kind, verdict.firstInput));
      continue;
    }
    const p = processOne(r.instance).finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= batch.concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);

  const count = (status: BatchItem['status']): number => items.filter((i) => i.status === status).length;
  const done = count('done');
  const warnings = mixedPathWarnings(items);
  const report: BatchReport = {
    startedAt,
    finishedAt: new Date().toISOString(),
    outDir: batch.outDir,
    options: { ...batch.options, concurrency: batch.concurrency },
    totals: { inputs: items.length, done, failed: count('failed'), skipped: count('skipped'), resumed: items.filter((i) => i.resumed).length },
    items: items.sort((a, b) => a.input.localeCompare(b.input)),
    ...(warnings.length ? { warnings } : {}),
  };
  await writeBatchReport(batch.outDir, report);
  return report;
}

function duplicateItem(instance: DicomInstance, kind: 'copy' | 'conflict', firstInput: string): BatchItem {
  const base = {
    input: instance.ref.label,
    studyInstanceUID: instance.studyInstanceUID,
    seriesInstanceUID: instance.seriesInstanceUID,
    sopInstanceUID: instance.sopInstanceUID,
    duplicateOf: firstInput,
  };
  return kind === 'copy'
    ? { ...base, status: 'skipped', code: 'batch.duplicate_copy', reason: `the same file as ${firstInput}: upscaled once` }
    : {
        ...base,
        status: 'failed',
        code: 'batch.duplicate_uid',
        reason: `SOP Instance UID ${instance.sopInstanceUID} is also used by ${firstInput}, with different content: not written (it would overwrite that one's output)`,
      };
}
