import path from 'node:path';
import type { Command } from 'commander';
import { runBatch } from '../service/batch/run-batch';
import { createRuntime } from '../service/runtime';
import { getConfig } from '../shared/config';
import { PARTIAL_FAILURE_EXIT_CODE } from '../shared/errors';
import { createBatchProgress } from './batch-progress';
import { deviceOption, intOption, scaleOption, type DeviceName } from './options';

interface BatchFlags {
  out: string;
  scale: 2 | 4;
  concurrency: number;
  steps?: number;
  samples?: number;
  seed?: number;
  prompt?: string;
  model?: string;
  device?: DeviceName;
  workers?: number;
}

/** `medsr batch`: archives and folders to a resumable output tree with a report. */
export function register(program: Command): void {
  program
    .command('batch')
    .description('upscale archives/folders into --out; rerun the same command to resume after an interruption')
    .argument('<inputs...>', 'DICOM files, folders, zip archives or DICOMDIRs')
    .requiredOption('--out <dir>', 'output directory (derived series, report.json, report.csv)')
    .option('--scale <n>', '2 or 4', scaleOption, 2)
    .option('--concurrency <n>', 'instances in flight at once', intOption(1, 256), 2)
    .option('--steps <n>', 'denoising steps (model default when absent)', intOption(1, 200))
    .option('--samples <n>', 'samples per slice; more than 1 also writes an uncertainty series', intOption(1, 16))
    .option('--seed <n>', 'seed for reproducible output', intOption(0, 2 ** 32 - 1))
    .option('--prompt <text>', 'override the prompt built from the metadata')
    .option('--model <dir>', 'model directory (MEDSR_MODEL_DIR)')
    .option('--device <device>', 'auto | cpu | cuda | webgpu (MEDSR_DEVICE)', deviceOption)
    .option('--workers <n>', 'inference worker threads (MEDSR_INFERENCE_WORKERS)', intOption(1, 64))
    .action(async (inputs: string[], flags: BatchFlags) => {
      const config = getConfig();
      const workers = flags.workers ?? config.inferenceWorkers;
      const runtime = createRuntime({ modelDir: path.resolve(flags.model ?? config.modelDir), device: flags.device ?? config.device, workers, intraOpThreads: config.intraOpThreads });
      const progress = createBatchProgress();
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
            ...(flags.prompt !== undefined ? { prompt: flags.prompt } : {}),
          },
          concurrency: flags.concurrency,
          readInputs: runtime.readInputs,
          processor: runtime.processor,
          listener: progress,
        });
        progress.stop();
        const { done, failed, resumed } = report.totals;
        process.stdout.write(`${done} done (${resumed} from an earlier run), ${failed} failed; report: ${path.join(report.outDir, 'report.json')}\n`);
        for (const item of report.items.filter((i) => i.status === 'failed')) process.stderr.write(`failed: ${item.input}: ${item.code}: ${item.reason}\n`);
        if (failed > 0) process.exitCode = PARTIAL_FAILURE_EXIT_CODE;
      } finally {
        progress.stop();
        await runtime.dispose();
      }
    });
}
