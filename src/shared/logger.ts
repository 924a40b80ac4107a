import pino, { type Logger } from 'pino';

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
export function createLogger(level: string = process.env.MEDSR_LOG_LEVEL ?? 'info', bindings: Record<string, unknown> = {}): Logger {
  return pino({ level, base: { service: 'medsr', ...bindings }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, pino.destination(2));
}

let root: Logger | undefined;

export function logger(): Logger {
  root ??= createLogger();
  return root;
}
