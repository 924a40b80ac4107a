import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, Option } from 'commander';
import { optionConflict, RESAMPLERS, SIMULATED_DEGRADATIONS, UPSCALE_DEFAULTS, type Scale, type SimulatedDegradation } from '../shared/upscale-options';
import { readInputs } from '../ingest';
import { disposeModel, loadModel, logFallback, type EvalRow, type KnownResampler } from '../pipeline';
import type { Plane } from '../pipeline/plane';
import { evaluateInstance, type SliceEvaluation } from '../service/evaluate-instances';
import { getConfig } from '../shared/config';
import { MedsrError, PARTIAL_FAILURE_EXIT_CODE } from '../shared/errors';
import { evalFigurePng } from './eval-figure';
import { deviceFlag, intOption, scaleOption, upscaleFlags, type DeviceName } from './options';
import { formatTable } from './table';

interface EvalCommandOptions {
  scale: Scale;
  degradation?: SimulatedDegradation;
  resampler?: KnownResampler;
  steps?: number;
  samples?: number;
  seed: number;
  prompt?: string;
  model?: string;
  device: DeviceName;
  limit?: number;
  out: string;
}

const CLASSICAL = new Set(['bicubic', 'lanczos', 'zero-fill']);
const FIGURE_METHODS = ['bicubic', 'regression+dc', 'diffusion+dc'];

/** `medsr eval`: degrade real HR slices, upscale them, and score every method against the original. */
export function register(program: Command): void {
  program
    .command('eval')
    .description('degrade high-resolution slices, super-resolve them, and report PSNR/SSIM against bicubic, Lanczos and zero-filled Fourier baselines')
    .argument('<inputs...>', 'high-resolution DICOM files, folders or zips')
    .requiredOption('--scale <n>', 'scale factor: 2 or 4', scaleOption)
    .addOption(new Option('--degradation <kind>', 'degradation to simulate (default: by modality from the model: MR kspace, CT area)').choices(SIMULATED_DEGRADATIONS))
    .addOption(new Option('--resampler <name>', 'simulate resampling by this downsampler (implies --degradation bicubic); the told run is told it').choices(RESAMPLERS.filter((r) => r !== 'auto')))
    // the same bounds as upscale and the API (shared/upscale-options): what passes here runs
    .addOption(upscaleFlags.steps())
    .addOption(upscaleFlags.samples())
    .addOption(upscaleFlags.seed().default(UPSCALE_DEFAULTS.seed))
    .addOption(upscaleFlags.prompt())
    .option('--model <dir>', 'model directory (default: the shipped model)')
    .addOption(deviceFlag('where inference runs').default('auto'))
    .option('--limit <n>', 'evaluate at most n slices', intOption(1, 1_000_000))
    .option('--out <dir>', 'where eval.json and eval.png are written', 'medsr-eval')
    .action(async (inputs: string[], options: EvalCommandOptions) => {
      process.exitCode = await runEval(inputs, options);
    });
}

async function runEval(inputs: string[], options: EvalCommandOptions): Promise<number> {
  const conflict = optionConflict(options);
  if (conflict) throw new MedsrError('invalid_input', 'cli.options', conflict);
  if (options.resampler) options.degradation ??= 'bicubic';
  const model = await loadModel(options.model ?? getConfig().modelDir, { device: options.device });
  logFallback(model.provider, model.fallbacks);
  const evaluations: SliceEvaluation[] = [];
  const failures: Array<{ file: string; code: string; message: string }> = [];
  let figure: { hr: Plane; outputs: Array<[string, Plane]> } | undefined;
  try {
    for await (const result of readInputs(inputs)) {
      if (options.limit !== undefined && evaluations.length >= options.limit) break;
      if (!result.ok) {
        if (!result.skipped) failures.push({ file: result.ref.label, code: result.error.code, message: result.error.message });
        continue;
      }
      const outputs: Array<[string, Plane]> = [];
      try {
        const evaluation = await evaluateInstance(model, result.instance, {
          scale: options.scale,
          seed: options.seed,
          ...pick(options, ['degradation', 'resampler', 'steps', 'samples', 'prompt']),
          ...(figure ? {} : { onOutput: (method: string, image: Plane) => FIGURE_METHODS.includes(method) && outputs.push([method, image]) }),
        });
        evaluations.push(evaluation);
        figure ??= { hr: evaluation.hr, outputs };
        process.stderr.write(`eval: ${evaluation.label} ${summaryOf(evaluation.rows)}\n`);
      } catch (err) {
        const e = err as { code?: string; message?: string };
        failures.push({ file: result.instance.ref.label, code: e.code ?? 'internal', message: e.message ?? String(err) });
      }
    }
  } finally {
    await disposeModel(model);
  }

  const groups = aggregate(evaluations);
  process.stdout.write(`${renderReport(groups, options)}\n`);
  for (const f of failures) process.stdout.write(`failed: ${f.file}: ${f.code}: ${f.message}\n`);
  await mkdir(options.out, { recursive: true });
  const report = { model: model.manifest.id, version: model.manifest.version, scale: options.scale, seed: options.seed, ...(options.resampler ? { resampler: options.resampler } : {}), groups, slices: evaluations.map(({ hr: _hr, ...rest }) => rest), failures };
  await writeFile(path.join(options.out, 'eval.json'), `${JSON.stringify(report, null, 2)}\n`);
  if (figure) await writeFile(path.join(options.out, 'eval.png'), evalFigurePng(figure.hr, figure.outputs));
  process.stdout.write(`wrote ${path.join(options.out, 'eval.json')}${figure ? ` and ${path.join(options.out, 'eval.png')}` : ''}\n`);
  if (evaluations.length === 0) return failures.length > 0 ? 65 : 66;
  return failures.length > 0 ? PARTIAL_FAILURE_EXIT_CODE : 0;
}

export interface MethodSummary {
  method: string;
  slices: number;
  psnrMask: number;
  psnr: number;
  ssimMask: number;
  ssim: number;
  /** PSNR (mask) gain over the best classical baseline of the same group. */
  gainOverBestClassical: number;
  dcResidual: number | undefined;
  ms: number;
}

export interface GroupSummary {
  modality: string;
  degradation: string;
  methods: MethodSummary[];
}

/** Means per (modality, degradation, method), as the model card tabulates them. */
export function aggregate(evaluations: SliceEvaluation[]): GroupSummary[] {
  const groups = new Map<string, { modality: string; degradation: string; rows: Map<string, EvalRow[]> }>();
  for (const e of evaluations) {
    const key = `${e.modality}/${e.degradation}`;
    const group = groups.get(key) ?? { modality: e.modality, degradation: e.degradation, rows: new Map() };
    groups.set(key, group);
    for (const row of e.rows) group.rows.set(row.method, [...(group.rows.get(row.method) ?? []), row]);
  }
  return [...groups.values()].map((g) => {
    const methods = [...g.rows.entries()].map(([method, rows]) => ({
      method,
      slices: rows.length,
      psnrMask: mean(rows.map((r) => r.psnrMask)),
      psnr: mean(rows.map((r) => r.psnr)),
      ssimMask: mean(rows.map((r) => r.ssimMask)),
      ssim: mean(rows.map((r) => r.ssim)),
      gainOverBestClassical: 0,
      dcResidual: rows.some((r) => r.dcResidual !== undefined) ? Math.max(...rows.map((r) => r.dcResidual ?? 0)) : undefined,
      ms: mean(rows.map((r) => r.ms)),
    }));
    const best = Math.max(...methods.filter((m) => CLASSICAL.has(m.method)).map((m) => m.psnrMask));
    for (const m of methods) m.gainOverBestClassical = m.psnrMask - best;
    return { modality: g.modality, degradation: g.degradation, methods };
  });
}

function renderReport(groups: GroupSummary[], options: EvalCommandOptions): string {
  if (groups.length === 0) return 'no slice could be evaluated';
  return groups
    .map((g) => {
      const header = `${g.modality} x${options.scale}, ${g.degradation}${options.resampler ? ` (made by ${options.resampler})` : ''} degradation, ${g.methods[0]?.slices ?? 0} slice(s); PSNR in dB (normalised domain, peak 2), mask = body mask of HR`;
      const rows = g.methods.map((m) => [
        m.method, m.psnrMask.toFixed(2), m.psnr.toFixed(2), m.ssimMask.toFixed(4), m.ssim.toFixed(4),
        `${m.gainOverBestClassical >= 0 ? '+' : ''}${m.gainOverBestClassical.toFixed(2)}`,
        m.dcResidual === undefined ? '' : m.dcResidual.toExponential(1), m.ms.toFixed(0),
      ]);
      return `${header}\n${formatTable(['method', 'PSNR mask', 'PSNR', 'SSIM mask', 'SSIM', 'vs best classical', 'DC residual', 'ms/slice'], rows)}`;
    })
    .join('\n\n');
}

function summaryOf(rows: EvalRow[]): string {
  return rows.map((r) => `${r.method} ${r.psnrMask.toFixed(2)}`).join(', ');
}

function mean(xs: number[]): number {
  return xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}


