import { Command } from 'commander';
import { benchmark, createSuperResolver, loadManifest, syntheticSlice, type BenchRow } from '../pipeline';
import { getConfig } from '../shared/config';
import { describeMachine, peakRssMiB } from './machine';
import { deviceFlag, intOption, type DeviceName } from './options';
import { formatTable } from './table';

interface BenchOptions {
  model?: string;
  device: DeviceName;
  repeats: number;
  batch: number;
  threads?: number;
  json?: boolean;
}

/**
 * The Stable Diffusion x4 upscaler's default for comparison (DESIGN.md): 75 steps with
 * classifier-free guidance (two U-Net evaluations per step), ~1.1 TFLOP per U-Net call at a
 * 128x128 latent (512x512 output).
 */
const SD_X4 = { steps: 75, callsPerStep: 2, flopPerCall: 1.1e12 };

/** `medsr bench`: per-stage medians for one slice, batch throughput, peak memory, on this machine. */
export function register(program: Command): void {
  program
    .command('bench')
    .description('benchmark the pipeline: median ms per stage for 256->512 (x2) and 128->512 (x4) at K=1 and K=4, 512->1024 (x2), batch slices/s, peak RSS')
    .option('--model <dir>', 'model directory (default: the shipped model)')
    .addOption(deviceFlag().default('auto'))
    .option('--repeats <n>', 'timed runs per case (after one warm-up)', intOption(1, 100), 5)
    .option('--batch <n>', 'slices for the batch-throughput run', intOption(0, 1000), 8)
    .option('--threads <n>', 'onnxruntime intra-op threads (default: all cores)', intOption(1, 256))
    .option('--json', 'print the rows as JSON')
    .action(async (options: BenchOptions) => {
      const modelDir = options.model ?? getConfig().modelDir;
      const rows = await benchmark({ modelDir, device: options.device, repeats: options.repeats, ...(options.threads ? { intraOpThreads: options.threads } : {}) });
      const batch = options.batch > 0 ? await batchThroughput(modelDir, options) : undefined;
      const manifest = await loadManifest(modelDir);
      const unetFlop = unetFlopPerCall(manifest.metrics);
      const report = { machine: describeMachine(), model: `${manifest.id} ${manifest.version}`, rows, batch, unetFlopPerCall: unetFlop, peakRssMiB: peakRssMiB() };
      process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${render(report)}\n`);
    });
}

async function batchThroughput(modelDir: string, options: BenchOptions): Promise<{ slices: number; slicesPerSecond: number; inputSize: number; scale: 2 }> {
  const resolver = await createSuperResolver({ modelDir, device: options.device, workers: 1, ...(options.threads ? { intraOpThreads: options.threads } : {}) });
  try {
    const input = syntheticSlice(256);
    const request = { scale: 2 as const, modality: 'MR', prompt: 'mr head t1 axial', seed: 0 };
    await resolver.upscale(input, request);
    const start = performance.now();
    for (let i = 0; i < options.batch; i++) await resolver.upscale(syntheticSlice(256), { ...request, seed: i });
    const seconds = (performance.now() - start) / 1000;
    return { slices: options.batch, slicesPerSecond: options.batch / seconds, inputSize: 256, scale: 2 };
  } finally {
    await resolver.dispose();
  }
}

/** FLOPs of one U-Net call at 512x512 output, when the model card's metrics record it (a
 * convolutional U-Net's FLOPs scale with the area a call covers). */
function unetFlopPerCall(metrics: unknown): number | undefined {
  const flops = (metrics as { flops_512?: Record<string, unknown> } | undefined)?.flops_512;
  const unet = flops?.unet;
  return typeof unet === 'number' ? unet : undefined;
}

function render(report: { machine: string; model: string; rows: BenchRow[]; batch: Awaited<ReturnType<typeof batchThroughput>> | undefined; unetFlopPerCall: number | undefined; peakRssMiB: number }): string {
  const ms = (x: number) => x.toFixed(1);
  const table = formatTable(
    ['case', 'K', 'steps', 'text enc', 'VAE enc', 'U-Net/call', 'U-Net calls', 'VAE dec', 'DC', 'refiner', 'detector', 'total ms', 'GFLOP/s (U-Net)'],
    report.rows.map((r) => [
      `${r.modality === 'CT' ? 'CT ' : r.resampled ? 'MR resampled ' : ''}${r.inputSize}->${r.outputSize} (x${r.scale})`, String(r.samples), String(r.steps), ms(r.textEncoderMs), ms(r.vaeEncoderMs),
      ms(r.unetPerCallMs), String(r.unetCalls), ms(r.vaeDecoderMs), ms(r.consistencyMs), ms(r.refinerMs), ms(r.detectorMs), ms(r.totalMs),
      report.unetFlopPerCall && r.unetPerCallMs > 0
        ? ((report.unetFlopPerCall * (r.unetOutputPixelsPerCall / 512 ** 2)) / (r.unetPerCallMs / 1000) / 1e9).toFixed(0) : 'n/a',
    ]),
  );
  const lines = [`machine: ${report.machine}`, `model: ${report.model}, provider ${report.rows[0]?.provider ?? '?'}, scheduler ${report.rows[0]?.scheduler ?? '?'}; medians`, '', table, ''];
  if (report.batch) lines.push(`batch: ${report.batch.slices} slices ${report.batch.inputSize}->${report.batch.inputSize * 2} through the worker pool: ${report.batch.slicesPerSecond.toFixed(2)} slices/s`);
  lines.push(`peak RSS: ${report.peakRssMiB.toFixed(0)} MiB`);
  const x2 = report.rows.find((r) => r.scale === 2 && r.samples === 1);
  if (report.unetFlopPerCall && x2 && x2.unetPerCallMs > 0) {
    const flopPerSecond = report.unetFlopPerCall / (x2.unetPerCallMs / 1000);
    const sdSeconds = (SD_X4.steps * SD_X4.callsPerStep * SD_X4.flopPerCall) / flopPerSecond;
    lines.push(
      `for comparison: the Stable Diffusion x4 upscaler's default (${SD_X4.steps} steps with guidance, ~1.1 TFLOP per U-Net call) would take ~${(sdSeconds / 60).toFixed(1)} min per 512x512 slice at this U-Net's achieved ${(flopPerSecond / 1e9).toFixed(0)} GFLOP/s, ${(sdSeconds / (x2.totalMs / 1000)).toFixed(0)}x this pipeline's ${ms(x2.totalMs)} ms`,
    );
  }
  return lines.join('\n');
}
