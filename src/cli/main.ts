import { Command, CommanderError } from 'commander';
import { MedsrError, USAGE_EXIT_CODE, toMedsrError } from '../shared/errors';
import { COMMANDS } from './commands';

/** Builds the `medsr` program; each command lives in its own file and registers itself. */
export function buildProgram(): Command {
  const program = new Command('medsr')
    .description('Medical image super-resolution: DICOM in, derived DICOM out')
    .version(readVersion())
    .showHelpAfterError()
    .exitOverride();
  for (const register of COMMANDS) register(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = exitCodeFor(err);
  }
}

function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    // --help and --version end through here with exit code 0
    return err.exitCode === 0 ? 0 : USAGE_EXIT_CODE;
  }
  const e = err instanceof MedsrError ? err : toMedsrError(err);
  process.stderr.write(`medsr: ${e.code}: ${e.message}\n`);
  if (e.kind === 'internal' && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  return e.exitCode;
}

function readVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../../package.json') as { version: string }).version;
}
