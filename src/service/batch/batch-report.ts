import path from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../atomic-write';
import { describePaths, type MixedPathWarning, type PathCounts } from '../mixed-paths';

export interface BatchItem {
  /** The input as users know it: file path or `archive.zip!entry`. */
  input: string;
  studyInstanceUID?: string;
  seriesInstanceUID?: string;
  sopInstanceUID?: string;
  /** skipped: not an image (SR, RT plan, ...) or a byte-identical copy of another input; not a failure */
  status: 'done' | 'failed' | 'skipped';
  /** True when a previous run had already written this output. */
  resumed?: boolean;
  reason?: string;
  code?: string;
  output?: string;
  uncertaintyOutput?: string;
  durationMs?: number;
  /** For a duplicate SOP Instance UID: the input that holds it first. */
  duplicateOf?: string;
  /** How the degradation was handled, as the output's DerivationDescription records it (made by this run). */
  degradation?: string;
  /** The paths its frames ran down (made by this run). */
  paths?: PathCounts;
}

export interface BatchReport {
  startedAt: string;
  finishedAt: string;
  outDir: string;
  options: Record<string, unknown>;
  /** resumed: done items whose output an earlier run had written (never one written by this run) */
  totals: { inputs: number; done: number; failed: number; skipped: number; resumed: number };
  items: BatchItem[];
  /** Series whose slices took different paths in this run (mixed-paths.ts); absent when none did. */
  warnings?: MixedPathWarning[];
}

const CSV_COLUMNS: Array<keyof BatchItem> = ['input', 'status', 'reason', 'code', 'resumed', 'durationMs', 'paths', 'output', 'uncertaintyOutput', 'studyInstanceUID', 'seriesInstanceUID', 'sopInstanceUID', 'duplicateOf'];

function csvCell(value: unknown): string {
  const s = value === undefined ? '' : String(value);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(items: BatchItem[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const item of items) lines.push(CSV_COLUMNS.map((c) => csvCell(c === 'paths' && item.paths ? describePaths(item.paths) : item[c])).join(','));
  return `${lines.join('\n')}\n`;
}

/** report.json and report.csv in the output directory, each written atomically. */
export async function writeBatchReport(outDir: string, report: BatchReport): Promise<void> {
  await writeJsonAtomic(path.join(outDir, 'report.json'), report);
  await writeFileAtomic(path.join(outDir, 'report.csv'), toCsv(report.items));
}
