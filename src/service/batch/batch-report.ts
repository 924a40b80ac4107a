import path from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../atomic-write';

export interface BatchItem {
  /** The input as users know it: file path or `archive.zip!entry`. */
  input: string;
  studyInstanceUID?: string;
  seriesInstanceUID?: string;
  sopInstanceUID?: string;
  status: 'done' | 'failed';
  /** True when a previous run had already written this output. */
  resumed?: boolean;
  reason?: string;
  code?: string;
  output?: string;
  uncertaintyOutput?: string;
  durationMs?: number;
}

export interface BatchReport {
  startedAt: string;
  finishedAt: string;
  outDir: string;
  options: Record<string, unknown>;
  totals: { inputs: number; done: number; failed: number; resumed: number };
  items: BatchItem[];
}

const CSV_COLUMNS: Array<keyof BatchItem> = ['input', 'status', 'reason', 'code', 'resumed', 'durationMs', 'output', 'uncertaintyOutput', 'studyInstanceUID', 'seriesInstanceUID', 'sopInstanceUID'];

function csvCell(value: unknown): string {
  const s = value === undefined ? '' : String(value);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(items: BatchItem[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const item of items) lines.push(CSV_COLUMNS.map((c) => csvCell(item[c])).join(','));
  return `${lines.join('\n')}\n`;
}

/** report.json and report.csv in the output directory, each written atomically. */
export async function writeBatchReport(outDir: string, report: BatchReport): Promise<void> {
  await writeJsonAtomic(path.join(outDir, 'report.json'), report);
  await writeFileAtomic(path.join(outDir, 'report.csv'), toCsv(report.items));
}
