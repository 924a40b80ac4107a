/**
 * The few kinds of failure medsr distinguishes. Every layer throws MedsrError with one of these
 * kinds; the HTTP status and the CLI exit code are decided here and nowhere else.
 */
export type ErrorKind =
  | 'invalid_input' // the input is not what we accept (bad DICOM, bad parameter)
  | 'unsupported' // valid, but we do not handle it (colour SR, unknown transfer syntax)
  | 'not_found'
  | 'too_large' // size/count limits, zip bombs, absurd dimensions
  | 'unauthorized'
  | 'forbidden' // authenticated or not, this request is refused (host not allowed, cross-site write)
  | 'conflict'
  | 'overloaded' // queue full: retry later
  | 'model' // model files or manifest wrong, runtime cannot start
  | 'cancelled' // the caller went away or asked to stop: nothing failed, nobody waits for an answer
  | 'internal';

interface KindPolicy {
  httpStatus: number;
  /** sysexits(3)-style codes so scripts can tell user errors from our bugs. */
  exitCode: number;
}

const POLICY: Record<ErrorKind, KindPolicy> = {
  invalid_input: { httpStatus: 400, exitCode: 65 },
  unsupported: { httpStatus: 415, exitCode: 65 },
  not_found: { httpStatus: 404, exitCode: 66 },
  too_large: { httpStatus: 413, exitCode: 65 },
  unauthorized: { httpStatus: 401, exitCode: 77 },
  forbidden: { httpStatus: 403, exitCode: 77 },
  conflict: { httpStatus: 409, exitCode: 75 },
  overloaded: { httpStatus: 503, exitCode: 75 },
  model: { httpStatus: 500, exitCode: 78 },
  // 499 (nginx's "client closed request"): the client is gone, so it never reads this; logs and metrics do
  cancelled: { httpStatus: 499, exitCode: 75 },
  internal: { httpStatus: 500, exitCode: 70 },
};

/** Exit code when a batch finished but some inputs failed (each one reported). */
export const PARTIAL_FAILURE_EXIT_CODE = 1;
/** Exit code for a command line that does not parse. */
export const USAGE_EXIT_CODE = 64;

export interface ErrorDetails {
  /** The file (or archive entry) the error is about, when there is one. */
  file?: string;
  [key: string]: unknown;
}

export class MedsrError extends Error {
  readonly kind: ErrorKind;
  /** Stable machine-readable code, e.g. `dicom.truncated`, `zip.bomb`. */
  readonly code: string;
  readonly details: ErrorDetails;

  constructor(kind: ErrorKind, code: string, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MedsrError';
    this.kind = kind;
    this.code = code;
    this.details = details;
  }

  get httpStatus(): number {
    return POLICY[this.kind].httpStatus;
  }

  get exitCode(): number {
    return POLICY[this.kind].exitCode;
  }

  toJSON(): { code: string; kind: ErrorKind; message: string; details: ErrorDetails } {
    return { code: this.code, kind: this.kind, message: this.message, details: this.details };
  }
}

export function httpStatusOf(kind: ErrorKind): number {
  return POLICY[kind].httpStatus;
}

export function exitCodeOf(kind: ErrorKind): number {
  return POLICY[kind].exitCode;
}

/** Wraps anything thrown into a MedsrError, keeping MedsrErrors as they are. */
export function toMedsrError(err: unknown, fallback: { code?: string; details?: ErrorDetails } = {}): MedsrError {
  if (err instanceof MedsrError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new MedsrError('internal', fallback.code ?? 'internal', message, fallback.details ?? {}, { cause: err });
}

/** Throws kind `cancelled` once `signal` is aborted: the check long loops make between steps. */
export function throwIfCancelled(signal: AbortSignal | undefined, code = 'upscale.cancelled'): void {
  if (signal?.aborted) throw new MedsrError('cancelled', code, 'the upscale was cancelled');
}
