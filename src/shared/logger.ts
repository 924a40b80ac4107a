import pino, { type Logger } from 'pino';
import { getConfig, type LogLevel } from './config';

export type { Logger };

/**
 * Patient-identifying DICOM attributes must never reach the logs, wherever they appear in a
 * logged object.
 */
const REDACT_PATHS = [
  'PatientName', 'PatientID', 'PatientBirthDate', 'OtherPatientIDs', 'PatientAddress',
  '*.PatientName', '*.PatientID', '*.PatientBirthDate', '*.OtherPatientIDs', '*.PatientAddress',
  'req.headers.authorization',
];

/**
 * Logs go to stderr so that commands printing JSON on stdout (`medsr info --json`) stay clean.
 */
export function createLogger(level: LogLevel, bindings: Record<string, unknown> = {}): Logger {
  return pino({ level, base: { service: 'medsr', ...bindings }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, pino.destination(2));
}

let root: Logger | undefined;
let chosen: LogLevel | undefined;

/**
 * The level an entry point chose (the CLI from --log-level / MEDSR_LOG_LEVEL / its command's
 * default, an inference worker thread from its pool). Call it before the loggers of components
 * are made: a child logger keeps the level it was made with.
 */
export function setLogLevel(level: LogLevel): void {
  chosen = level;
  if (root) root.level = level;
}

/** The process-wide logger: the level set by setLogLevel, else the parsed config's, else info. */
export function logger(): Logger {
  root ??= createLogger(chosen ?? configuredLevel());
  return root;
}

function configuredLevel(): LogLevel {
  try {
    return getConfig().logLevel ?? 'info';
  } catch {
    return 'info'; // an invalid environment is reported by whoever needs the rest of it
  }
}
