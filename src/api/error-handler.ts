import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import { MedsrError, toMedsrError } from '../shared/errors';
import type { Logger } from '../shared/logger';

const PLACES: Record<string, string> = { query: 'query parameter', params: 'path parameter', body: 'field' };

/**
 * Turns zod issues into one invalid_input error that names each offending field. Unknown keys
 * (strict schemas) get their own code, `request.unknown_field`, with `details.field` naming the
 * first: a misspelled option (`?schedulr=`) must fail loudly, not run with the default.
 */
export function fromZod(err: ZodError, where: string): MedsrError {
  const unknown = err.issues.flatMap((i) => (i.code === 'unrecognized_keys' ? i.keys.map((k) => [...i.path.map(String), k].join('.')) : []));
  if (unknown.length > 0) {
    const place = PLACES[where] ?? 'field';
    const names = unknown.map((k) => `'${k}'`).join(', ');
    const message = `unknown ${place}${unknown.length > 1 ? 's' : ''} ${names}`;
    return new MedsrError('invalid_input', 'request.unknown_field', message, { field: unknown[0], fields: unknown, in: where });
  }
  const issues = err.issues.map((i) => ({ field: [where, ...i.path.map(String)].join('.'), message: i.message }));
  const summary = issues.map((i) => `${i.field}: ${i.message}`).join('; ');
  return new MedsrError('invalid_input', 'request.invalid', `invalid request: ${summary}`, { issues });
}

/**
 * The one error handler: every failure leaves as `{error: {code, message, details}}` with the
 * status MedsrError's kind maps to. Internal errors are logged with their stack and answered
 * without it.
 */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    let e: MedsrError;
    if (err instanceof ZodError) e = fromZod(err, 'body');
    else if (err instanceof SyntaxError && 'body' in (err as object)) e = new MedsrError('invalid_input', 'request.bad_json', 'request body is not valid JSON');
    else if (isHttpError(err)) e = new MedsrError(err.status === 413 ? 'too_large' : 'invalid_input', `request.${err.type ?? 'invalid'}`, err.message);
    else e = toMedsrError(err);

    if (e.kind === 'internal' || e.kind === 'model') log.error({ err, code: e.code, method: req.method, path: req.path }, 'request failed');
    else if (e.kind === 'cancelled') log.info({ code: e.code, method: req.method, path: req.path }, 'request cancelled: the client went away');
    else log.info({ code: e.code, method: req.method, path: req.path }, 'request refused');
    // nobody is left to read an answer (its socket is closed); writing one would only log noise
    if (e.kind === 'cancelled' && res.destroyed) return;

    const retryAfter = e.details.retryAfterSeconds;
    if (e.kind === 'overloaded') res.setHeader('Retry-After', String(typeof retryAfter === 'number' ? retryAfter : 5));
    if (res.headersSent) {
      res.end();
      return;
    }
    const details = e.kind === 'internal' ? {} : e.details;
    res.status(e.kind === 'overloaded' && e.code === 'request.rate_limited' ? 429 : e.httpStatus).json({ error: { code: e.code, message: e.message, details } });
  };
}

function isHttpError(err: unknown): err is { status: number; type?: string; message: string } {
  return typeof err === 'object' && err !== null && typeof (err as { status?: unknown }).status === 'number' && 'expose' in err;
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new MedsrError('not_found', 'route.not_found', `no route ${req.method} ${req.path}`));
};
