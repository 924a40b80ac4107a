import type { Command } from 'commander';
import { addUpscaleFlags, runUpscaleCommand, type UpscaleFlags } from './upscale-run';

/**
 * `medsr upscale`: one derived DICOM per input image (plus an uncertainty series when
 * --samples > 1), each listed as it is written. Same engine and output layout as `batch`.
 */
export function register(program: Command): void {
  addUpscaleFlags(
    program.command('upscale').description('super-resolve DICOM images into derived DICOM series under --out (one per input image)'),
  ).action(async (inputs: string[], flags: UpscaleFlags) => {
    await runUpscaleCommand(inputs, flags, {
      itemFinished: (_series, item) => {
        if (item.status === 'done') process.stdout.write(`${item.resumed ? 'kept' : 'wrote'} ${item.output}${item.uncertaintyOutput ? ` (+ uncertainty ${item.uncertaintyOutput})` : ''}\n`);
      },
      stop: () => undefined,
    });
  });
}
