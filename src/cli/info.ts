import type { Command } from 'commander';
import { PARTIAL_FAILURE_EXIT_CODE, toMedsrError, type MedsrError } from '../shared/errors';
import { assembleSeries, computePixelStats, lookupTransferSyntax, readInputs, type DicomInstance, type PixelStats, type Study } from '../ingest';

interface InstanceReport {
  sopInstanceUID: string;
  sopClassUID: string;
  instanceNumber: number | undefined;
  modality: string;
  studyInstanceUID: string;
  seriesInstanceUID: string;
  source: string;
  rows: number;
  columns: number;
  frames: number;
  samplesPerPixel: number;
  photometricInterpretation: string;
  bitsStored: number;
  signed: boolean;
  rescaleSlope: number;
  rescaleIntercept: number;
  transferSyntaxUID: string;
  transferSyntax: string;
  pixels: PixelStats;
}

interface ProblemReport {
  source: string;
  code: string;
  kind: string;
  message: string;
}

export interface InfoReport {
  studies: Array<Omit<Study, 'series'> & { series: Array<{ seriesInstanceUID: string; seriesNumber: number | undefined; modality: string; description: string | undefined; warnings: string[]; instances: InstanceReport[] }> }>;
  failures: ProblemReport[];
  skipped: ProblemReport[];
  summary: { instances: number; failures: number; skipped: number };
}

export function register(program: Command): void {
  program
    .command('info')
    .description('list the studies, series and instances in DICOM files, folders, zips or DICOMDIRs, with decoded pixel statistics')
    .argument('<inputs...>', 'files, folders, .zip archives or DICOMDIRs')
    .option('--json', 'print one JSON document on stdout')
    .action(async (inputs: string[], opts: { json?: boolean }) => {
      const { report, firstError } = await buildInfoReport(inputs);
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatText(report));
      if (report.failures.length > 0) {
        process.exitCode = report.summary.instances > 0 || !firstError ? PARTIAL_FAILURE_EXIT_CODE : firstError.exitCode;
      }
    });
}

/** Reads every input, decodes every frame for its statistics, and groups what was read. */
export async function buildInfoReport(inputs: string[]): Promise<{ report: InfoReport; firstError: MedsrError | undefined }> {
  const kept: DicomInstance[] = [];
  const stats = new Map<DicomInstance, PixelStats>();
  const failures: ProblemReport[] = [];
  const skipped: ProblemReport[] = [];
  let firstError: MedsrError | undefined;
  const problem = (source: string, e: MedsrError): ProblemReport => ({ source, code: e.code, kind: e.kind, message: e.message });
  for await (const result of readInputs(inputs)) {
    if (!result.ok) {
      if (result.skipped) skipped.push(problem(result.ref.label, result.error));
      else {
        failures.push(problem(result.ref.label, result.error));
        firstError ??= result.error;
      }
      continue;
    }
    try {
      const pixels = await computePixelStats(result.instance);
      // drop the bytes: an archive of thousands of slices must not stay in memory
      const light = { ...result.instance, bytes: new Uint8Array(0) };
      stats.set(light, pixels);
      kept.push(light);
    } catch (err) {
      const e = toMedsrError(err, { details: { file: result.instance.ref.label } });
      failures.push(problem(result.instance.ref.label, e));
      firstError ??= e;
    }
  }
  const studies = assembleSeries(kept).map((study) => ({
    studyInstanceUID: study.studyInstanceUID,
    description: study.description,
    series: study.series.map((s) => ({
      seriesInstanceUID: s.seriesInstanceUID,
      seriesNumber: s.seriesNumber,
      modality: s.modality,
      description: s.description,
      warnings: s.warnings,
      instances: s.instances.map((i) => instanceReport(i, stats.get(i)!)),
    })),
  }));
  return { report: { studies, failures, skipped, summary: { instances: kept.length, failures: failures.length, skipped: skipped.length } }, firstError };
}

function instanceReport(i: DicomInstance, pixels: PixelStats): InstanceReport {
  const p = i.pixel;
  return {
    sopInstanceUID: i.sopInstanceUID,
    sopClassUID: i.sopClassUID,
    instanceNumber: i.instanceNumber,
    modality: i.modality,
    studyInstanceUID: i.studyInstanceUID,
    seriesInstanceUID: i.seriesInstanceUID,
    source: i.ref.label,
    rows: p.rows,
    columns: p.columns,
    frames: p.frames,
    samplesPerPixel: p.samplesPerPixel,
    photometricInterpretation: p.photometricInterpretation,
    bitsStored: p.bitsStored,
    signed: p.pixelRepresentation === 1,
    rescaleSlope: p.rescaleSlope,
    rescaleIntercept: p.rescaleIntercept,
    transferSyntaxUID: p.transferSyntaxUID,
    transferSyntax: lookupTransferSyntax(p.transferSyntaxUID)?.name ?? p.transferSyntaxUID,
    pixels,
  };
}

function formatText(report: InfoReport): string {
  const lines: string[] = [];
  const num = (v: number): string => (Number.isInteger(v) ? String(v) : v.toFixed(2));
  for (const study of report.studies) {
    lines.push(`Study ${study.studyInstanceUID}${study.description ? `  "${study.description}"` : ''}`);
    for (const s of study.series) {
      lines.push(`  Series ${s.seriesNumber ?? '-'} ${s.modality} ${s.seriesInstanceUID}${s.description ? `  "${s.description}"` : ''}  (${s.instances.length} instance(s))`);
      for (const w of s.warnings) lines.push(`    warning: ${w}`);
      for (const i of s.instances) {
        lines.push(
          `    ${i.source}  ${i.columns}x${i.rows}x${i.frames}  ${i.transferSyntax}  min ${num(i.pixels.min)} max ${num(i.pixels.max)} mean ${num(i.pixels.mean)}`,
        );
      }
    }
  }
  if (report.skipped.length > 0) {
    lines.push('Skipped (not images):');
    for (const f of report.skipped) lines.push(`  ${f.source}: ${f.message}`);
  }
  if (report.failures.length > 0) {
    lines.push('Failed:');
    for (const f of report.failures) lines.push(`  ${f.source}: ${f.code}: ${f.message}`);
  }
  const { instances, failures, skipped } = report.summary;
  lines.push(`${instances} instance(s) read, ${failures} failed, ${skipped} skipped`);
  return `${lines.join('\n')}\n`;
}
