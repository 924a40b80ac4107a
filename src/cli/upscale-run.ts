import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { runBatch, type BatchListener } from '../service/batch/run-batch';
import type { BatchReport } from '../service/batch/batch-report';
import { createRuntime } from '../service/runtime';
import { getConfig } from '../shared/config';
import { PARTIAL_FAILURE_EXIT_CODE } from '../shared/errors';
import { deviceOption, intOption, scaleOption, type DeviceName } from './options';
import { UPSCALE_DEFAULTS, UPSCALE_LIMITS } from '../shared/upscale-defaults';

/** The flags `medsr upscale` and `medsr batch` share. */
export interface UpscaleFlags {
  out: string;
  scale: 2 | 4;
  concurrency: number;
  steps?: number;
  samples?: number;
  seed?: number;
  guidance?: number;
  degradation?: 'auto' | 'kspace' | 'area' | 'bicubic';
  prompt?: string;
  model?: string;
  device?: DeviceName;
  workers?: number;
}

function guidanceOption(value: string): number {
  const g = Number(value);
  if (!Number.isFinite(g) || g < 0 || g > 50) throw new InvalidArgumentError('guidance must be a number in 0..50');
  return g;
}

export function addUpscaleFlags(command: Command): Command {
  return command
    .argument('<inputs...>', 'DICOM files, folders, zip archives or DICOMDIRs')
    .requiredOption('--out <dir>', 'output directory (derived series, report.json, report.csv)')
    .option('--scale <n>', '2 or 4', scaleOption, UPSCALE_DEFAULTS.scale)
    .option('--concurrency <n>', 'instances in flight at once', intOption(1, 256), 2)
    .option('--steps <n>', 'denoising steps (model default when absent)', intOption(1, 200))
    .option('--samples <n>', `samples per slice (default ${UPSCALE_DEFAULTS.samples}); more than 1 also writes an uncertainty series`, intOption(...UPSCALE_LIMITS.samples))
    .option('--seed <n>', `seed for reproducible output (default ${UPSCALE_DEFAULTS.seed})`, intOption(...UPSCALE_LIMITS.seed))
    .option('--guidance <g>', 'classifier-free guidance scale (model default when absent; 1 = none)', guidanceOption)
    .addOption(new Option('--degradation <kind>', 'what made the input, if known: kspace (lower acquisition matrix), area (detector pixels), bicubic (resampled); auto = unknown (default of the shipped model)').choices(['auto', 'kspace', 'area', 'bicubic']))
    .option('--prompt <text>', 'override the prompt built from the metadata')
    .option('--model <dir>', 'model directory (MEDSR_MODEL_DIR)')
    .option('--device <device>', 'auto | cpu | cuda | webgpu (MEDSR_DEVICE)', deviceOption)
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
      options: {
        scale: flags.scale,
        ...(flags.steps !== undefined ? { steps: flags.steps } : {}),
        ...(flags.samples !== undefined ? { samples: flags.samples } : {}),
        ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
        ...(flags.guidance !== undefined ? { guidance: flags.guidance } : {}),
        ...(flags.degradation !== undefined ? { degradation: flags.degradation } : {}),
        ...(flags.prompt !== undefined ? { prompt: flags.prompt } : {}),
      },
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
    if (failed > 0) process.exitCode = PARTIAL_FAILURE_EXIT_CODE;
    return report;
  } finally {
    listener.stop();
    await runtime.dispose();
  }
}
