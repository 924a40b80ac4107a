import type { Command } from 'commander';
import { createBatchProgress } from './batch-progress';
import { addUpscaleFlags, runUpscaleCommand, type UpscaleFlags } from './upscale-run';

/** `medsr batch`: archives and folders to a resumable output tree with a report and progress bars. */
export function register(program: Command): void {
  addUpscaleFlags(
    program.command('batch').description('upscale archives/folders into --out with progress bars; rerun the same command to resume after an interruption'),
  ).action(async (inputs: string[], flags: UpscaleFlags) => {
    await runUpscaleCommand(inputs, flags, createBatchProgress());
  });
}
