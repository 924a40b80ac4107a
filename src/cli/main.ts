import { Command, CommanderError, Option } from 'commander';
import { LOG_LEVELS, getConfig, type LogLevel } from '../shared/config';
import { MedsrError, USAGE_EXIT_CODE, toMedsrError } from '../shared/errors';
import { setLogLevel } from '../shared/logger';
import { COMMANDS } from './commands';

/** Commands whose job is to run for a long time and log (JSON on stderr at info unless told otherwise). */
const SERVER_COMMANDS = new Set(['serve', 'worker']);

/** Builds the `medsr` program; each command lives in its own file and registers itself. */
export function buildProgram(): Command {
  const program = new Command('medsr')
    .description('Medical image super-resolution: DICOM in, derived DICOM out')
    .version(readVersion())
    .showHelpAfterError()
    .exitOverride()
    .addOption(new Option('--log-level <level>', 'JSON logs on stderr from this level (MEDSR_LOG_LEVEL); default: none, except info for serve and worker').choices(LOG_LEVELS))
    // before any command builds its components (their loggers keep the level they were made with)
    .hook('preAction', (root, command) => setLogLevel(logLevelFor(command.name(), root.opts<{ logLevel?: LogLevel }>().logLevel)));
  for (const register of COMMANDS) register(program);
  return program;
}

/** --log-level, else MEDSR_LOG_LEVEL, else info for the servers and nothing for one-shot commands (they print their own lines). */
export function logLevelFor(command: string, flag: LogLevel | undefined): LogLevel {
  return flag ?? getConfig().logLevel ?? (SERVER_COMMANDS.has(command) ? 'info' : 'silent');
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
