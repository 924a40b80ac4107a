/** The Debian DICOM checkers every written file goes through (dicom3tools' dciodvfy, dcmtk's dcmdump). */
import { spawnSync } from 'node:child_process';

export interface IodReport {
  errors: string[];
  warnings: string[];
  output: string;
}

/** dciodvfy prints its findings on stderr; lines starting "Error" are IOD violations. */
export function dciodvfy(path: string): IodReport {
  const run = spawnSync('dciodvfy', [path], { encoding: 'utf8' });
  if (run.error) throw run.error;
  const output = `${run.stdout}${run.stderr}`;
  const lines = output.split('\n').map((l) => l.trim());
  return { errors: lines.filter((l) => l.startsWith('Error')), warnings: lines.filter((l) => l.startsWith('Warning')), output };
}

export function dcmdump(path: string): { status: number | null; output: string } {
  const run = spawnSync('dcmdump', ['-E', path], { encoding: 'utf8' });
  if (run.error) throw run.error;
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}
