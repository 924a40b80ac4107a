/**
 * Ingest benchmark: slices/s and MB/s reading + decoding a 512 x 512 CT series (uncompressed and
 * JPEG 2000), and the peak RSS of streaming a large zip archive. The series is made from a real
 * CT slice with DCMTK/GDCM tools (dcmodify, gdcmconv, zip), so they must be installed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeFrame } from './pixel-data';
import { readInputs } from './read-inputs';
import { assembleSeries } from './series';
import type { DicomInstance } from './types';

export interface BenchOptions {
  /** A 512 x 512 single-frame CT (or any) slice to replicate. */
  sourceSlice: string;
  slices?: number;
  repeats?: number;
  /** Slices in the archive whose peak RSS is measured. */
  archiveSlices?: number;
  workDir?: string;
}

export interface BenchRow {
  case: string;
  slices: number;
  megabytes: number;
  medianSeconds: number;
  slicesPerSecond: number;
  megabytesPerSecond: number;
}

export interface BenchReport {
  machine: { cpu: string; cores: number; node: string };
  rows: BenchRow[];
  archive: { slices: number; megabytes: number; peakRssMegabytes: number; seconds: number };
}

export async function benchIngest(options: BenchOptions): Promise<BenchReport> {
  const slices = options.slices ?? 300;
  const repeats = options.repeats ?? 5;
  const work = options.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'medsr-bench-'));
  try {
    const raw = makeSeries(options.sourceSlice, path.join(work, 'raw'), slices, []);
    const j2k = makeSeries(options.sourceSlice, path.join(work, 'j2k'), slices, ['--j2k']);
    const rows = [await timeSeries('512x512 uncompressed', raw, repeats), await timeSeries('512x512 JPEG 2000 lossless', j2k, repeats)];
    const archive = measureArchive(raw, path.join(work, 'big.zip'), options.archiveSlices ?? 2000);
    const cpus = os.cpus();
    return { machine: { cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, node: process.version }, rows, archive };
  } finally {
    if (!options.workDir) fs.rmSync(work, { recursive: true, force: true });
  }
}

/** `count` copies of one slice, each its own instance one millimetre further along z. */
function makeSeries(source: string, dir: string, count: number, gdcmArgs: string[]): string {
  fs.mkdirSync(dir, { recursive: true });
  const first = path.join(dir, 'template.dcm');
  if (gdcmArgs.length > 0) execFileSync('gdcmconv', [...gdcmArgs, source, first]);
  else fs.copyFileSync(source, first);
  const series = `2.25.${Date.now()}${process.pid}`;
  for (let i = 0; i < count; i++) {
    const file = path.join(dir, `IM${String(i).padStart(5, '0')}.dcm`);
    fs.copyFileSync(first, file);
    execFileSync('dcmodify', ['-nb', '-q', '-m', `(0008,0018)=${series}.${i + 1}`, '-m', `(0020,000e)=${series}`, '-m', `(0020,0013)=${i + 1}`, '-i', `(0020,0032)=0\\0\\${i}`, '-i', '(0020,0037)=1\\0\\0\\0\\1\\0', file]);
  }
  fs.rmSync(first);
  return dir;
}

async function readAndDecode(dir: string): Promise<number> {
  const instances: DicomInstance[] = [];
  for await (const result of readInputs([dir])) {
    if (!result.ok) throw result.error;
    for (let f = 0; f < result.instance.pixel.frames; f++) await decodeFrame(result.instance, f);
    instances.push({ ...result.instance, bytes: new Uint8Array(0) });
  }
  assembleSeries(instances);
  return instances.length;
}

async function timeSeries(name: string, dir: string, repeats: number): Promise<BenchRow> {
  const bytes = fs.readdirSync(dir).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
  await readAndDecode(dir); // warm: codecs compiled, files in the page cache
  const seconds: number[] = [];
  let slices = 0;
  for (let r = 0; r < repeats; r++) {
    const t0 = process.hrtime.bigint();
    slices = await readAndDecode(dir);
    seconds.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  const median = seconds.sort((a, b) => a - b)[Math.floor(seconds.length / 2)]!;
  const megabytes = bytes / 1e6;
  return { case: name, slices, megabytes, medianSeconds: median, slicesPerSecond: slices / median, megabytesPerSecond: megabytes / median };
}

/** Streams a zip of many slices in a child process and reports that process's peak RSS. */
function measureArchive(sliceDir: string, archive: string, count: number): BenchReport['archive'] {
  const names = fs.readdirSync(sliceDir).sort();
  const staging = path.join(path.dirname(archive), 'staging');
  fs.mkdirSync(staging, { recursive: true });
  for (let i = 0; i < count; i++) fs.linkSync(path.join(sliceDir, names[i % names.length]!), path.join(staging, `S${String(i).padStart(6, '0')}.dcm`));
  execFileSync('zip', ['-q', '-1', '-r', archive, '.'], { cwd: staging, maxBuffer: 1 << 20 });
  fs.rmSync(staging, { recursive: true, force: true });
  const child = `
    const { readInputs, decodeFrame } = require(${JSON.stringify(path.join(__dirname, 'index.js'))});
    (async () => {
      const t0 = Date.now(); let n = 0;
      for await (const r of readInputs([${JSON.stringify(archive)}])) { if (!r.ok) throw r.error; await decodeFrame(r.instance, 0); n++; }
      process.stdout.write(JSON.stringify({ n, seconds: (Date.now() - t0) / 1000, maxRssKb: process.resourceUsage().maxRSS }));
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const run = spawnSync(process.execPath, ['-e', child], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`archive benchmark failed: ${run.stderr}`);
  const result = JSON.parse(run.stdout) as { n: number; seconds: number; maxRssKb: number };
  return { slices: result.n, megabytes: (count * fs.statSync(path.join(sliceDir, names[0]!)).size) / 1e6, peakRssMegabytes: result.maxRssKb / 1024, seconds: result.seconds };
}

export function formatBenchReport(report: BenchReport): string {
  const lines = [
    `machine: ${report.machine.cpu}, ${report.machine.cores} cores, node ${report.machine.node}`,
    '| case | slices | MB | median s | slices/s | MB/s |',
    '|---|---:|---:|---:|---:|---:|',
    ...report.rows.map((r) => `| ${r.case} | ${r.slices} | ${r.megabytes.toFixed(1)} | ${r.medianSeconds.toFixed(3)} | ${r.slicesPerSecond.toFixed(0)} | ${r.megabytesPerSecond.toFixed(1)} |`),
    `archive: ${report.archive.slices} slices, ${report.archive.megabytes.toFixed(0)} MB uncompressed, streamed in ${report.archive.seconds.toFixed(1)} s, peak RSS ${report.archive.peakRssMegabytes.toFixed(0)} MB`,
  ];
  return `${lines.join('\n')}\n`;
}
