import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { MedsrError } from '../shared/errors';

/**
 * Optional API key: when configured, every /api request must carry `Authorization: Bearer KEY`.
 * Health and metrics stay open for orchestrators and scrapers.
 */
export function requireApiKey(apiKey: string | undefined): RequestHandler {
  if (!apiKey) return (_req, _res, next) => next();
  const expected = Buffer.from(apiKey);
  return (req, _res, next) => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    const given = Buffer.from(match?.[1] ?? '');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return next();
    next(new MedsrError('unauthorized', 'auth.required', 'a valid API key is required (Authorization: Bearer <key>)'));
  };
}
