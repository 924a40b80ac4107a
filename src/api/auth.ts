import { timingSafeEqual } from 'node:crypto';
import express, { type Request, type RequestHandler, type Router } from 'express';
import { MedsrError } from '../shared/errors';
import type { SessionStore } from './sessions';

/** The viewer's session cookie: sent by the browser with EventSource, <img> and download
 * links too, none of which can carry an Authorization header. */
export const SESSION_COOKIE = 'medsr_session';
const COOKIE_PATH = '/api/v1';

function sameSecret(given: string | undefined, expected: Buffer): boolean {
  const g = Buffer.from(given ?? '');
  return g.length === expected.length && timingSafeEqual(g, expected);
}

function bearer(req: Request): string | undefined {
  return /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
}

function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

const unauthorized = (): MedsrError =>
  new MedsrError('unauthorized', 'auth.required', 'a valid API key is required (Authorization: Bearer <key>, or the session cookie from POST /api/v1/session)');

/**
 * Optional API key: when configured, every /api/v1 request must carry `Authorization: Bearer KEY`
 * or the session cookie. Health and metrics stay open for orchestrators and scrapers.
 */
export function requireApiKey(apiKey: string | undefined, sessions: SessionStore): RequestHandler {
  if (!apiKey) return (_req, _res, next) => next();
  const key = Buffer.from(apiKey);
  return (req, _res, next) => {
    if (sameSecret(bearer(req), key) || sessions.valid(cookie(req, SESSION_COOKIE))) return next();
    next(unauthorized());
  };
}

/**
 * POST /session trades a valid key (Bearer) for an HttpOnly, SameSite=Strict cookie holding a
 * fresh random session token that expires (Max-Age and on the server); DELETE /session ends that
 * session on the server and clears the cookie. Without a configured key both answer 204 and set
 * nothing. SameSite=Strict keeps other sites' pages from riding on the cookie.
 */
export function sessionRouter(apiKey: string | undefined, sessions: SessionStore): Router {
  const router = express.Router();
  const key = apiKey ? Buffer.from(apiKey) : undefined;
  router.post('/session', (req, res, next) => {
    if (!apiKey || !key) return void res.status(204).end();
    if (!sameSecret(bearer(req), key)) return next(unauthorized());
    const { token, maxAgeSeconds } = sessions.create();
    res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', path: COOKIE_PATH, secure: req.secure, maxAge: maxAgeSeconds * 1000 });
    res.status(204).end();
  });
  router.delete('/session', (req, res) => {
    sessions.revoke(cookie(req, SESSION_COOKIE));
    res.clearCookie(SESSION_COOKIE, { path: COOKIE_PATH });
    res.status(204).end();
  });
  return router;
}
