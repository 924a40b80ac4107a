import path from 'node:path';
import type { Command } from 'commander';
import { runBatch, type BatchListener } from '../service/batch/run-batch';
import type { BatchReport } from '../service/batch/batch-report';
import { createRuntime } from '../service/runtime';
import { getConfig } from '../shared/config';
import { MedsrError, PARTIAL_FAILURE_EXIT_CODE } from '../shared/errors';
import { optionConflict, type UpscaleRequestOptions } from '../shared/upscale-options';
import { deviceFlag, intOption, upscaleFlags, type DeviceName } from './options';

/** The flags `medsr upscale` and `medsr batch` share: the upscale options plus where and how to run. */
export interface UpscaleFlags extends UpscaleRequestOptions {
  out: string;
  concurrency: number;
  model?: string;
  device?: DeviceName;
  workers?: number;
}

/** The option keys passed on to the use case (the rest of the flags say where and how to run). */
const UPSCALE_OPTION_KEYS = ['steps', 'samples', 'seed', 'guidance', 'degradation', 'resampler', 'scheduler', 'prompt'] as const satisfies ReadonlyArray<keyof UpscaleRequestOptions>;

function upscaleOptionsOf(flags: UpscaleFlags): UpscaleRequestOptions {
  const options: UpscaleRequestOptions = { scale: flags.scale };
  for (const key of UPSCALE_OPTION_KEYS) if (flags[key] !== undefined) Object.assign(options, { [key]: flags[key] });
  const conflict = optionConflict(options);
  if (conflict) throw new MedsrError('invalid_input', 'cli.options', conflict);
  return options;
}

export function addUpscaleFlags(command: Command): Command {
  return command
    .argument('<inputs...>', 'DICOM files, folders, zip archives or DICOMDIRs')
    .requiredOption('--out <dir>', 'output directory (derived series, report.json, report.csv)')
    .addOption(upscaleFlags.scale())
    .option('--concurrency <n>', 'instances in flight at once', intOption(1, 256), 2)
    .addOption(upscaleFlags.steps())
    .addOption(upscaleFlags.samples())
    .addOption(upscaleFlags.seed())
    .addOption(upscaleFlags.guidance())
    .addOption(upscaleFlags.degradation())
    .addOption(upscaleFlags.resampler())
    .addOption(upscaleFlags.scheduler())
    .addOption(upscaleFlags.prompt())
    .option('--model <dir>', 'model directory (MEDSR_MODEL_DIR)')
    .addOption(deviceFlag())
    .option('--workers <n>', 'inference worker threads (MEDSR_INFERENCE_WORKERS)', intOption(1, 64));
}

/**
 * Upscales every input instance into --out with the real runtime. Finished outputs are kept, so
 * running the same command again resumes. Exit code: 0 when every image succeeded, 1 when some
 * failed (each failure printed with its reason; the others are still written). Inputs that are
 * not images (dose reports, SR) and byte-identical copies are listed as skipped, not failures.
 */
export async function runUpscaleCommand(inputs: string[], flags: UpscaleFlags, listener: BatchListener & { stop(): void }): Promise<BatchReport> {
  const config = getConfig();
  const workers = flags.workers ?? config.inferenceWorkers;
  const runtime = createRuntime({ modelDir: path.resolve(flags.model ?? config.modelDir), device: flags.device ?? config.device, workers, intraOpThreads: config.intraOpThreads });
  try {
    await runtime.ready;
    const report = await runBatch({
      inputs,
      outDir: path.resolve(flags.out),
      options: upscaleOptionsOf(flags),
      concurrency: flags.concurrency,
      readInputs: runtime.readInputs,
      processor: runtime.processor,
      listener,
    });
    listener.stop();
    const { done, failed, skipped, resumed } = report.totals;
    process.stdout.write(`${done} done (${resumed} from an earlier run), ${skipped} skipped, ${failed} failed; report: ${path.join(report.outDir, 'report.json')}\n`);
    for (const item of report.items.filter((i) => i.status === 'skipped')) process.stdout.write(`skipped: ${item.input}: ${item.code}: ${item.reason}\n`);
    for (const item of report.items.filter((i) => i.status === 'failed')) process.stderr.write(`failed: ${item.input}: ${item.code}: ${item.reason}\n`);
    for (const warning of report.warnings ?? []) process.stderr.write(`warning: ${warning.message}\n`);
    if (failed > 0) process.exitCode = PARTIAL_FAILURE_EXIT_CODE;
    return report;
  } finally {
    listener.stop();
    await runtime.dispose();
  }
}
