/**
 * Viewer sessions: each sign-in gets its own random token (256 bits from the CSPRNG), which
 * nothing offline can compute, valid for a fixed time and ended at once by logout. Tokens live
 * in this process's memory: a restart (or a rotated key, which needs one) ends every session,
 * and the viewer simply asks for the key again. Only a SHA-256 of each token is kept, so a heap
 * dump does not hand out live cookies.
 */
import { createHash, randomBytes } from 'node:crypto';

export interface SessionStore {
  /** A new session; the token goes into the cookie. */
  create(): { token: string; maxAgeSeconds: number };
  /** Whether the token names a live session (expired ones are dropped on the way). */
  valid(token: string | undefined): boolean;
  /** Ends the session (logout); unknown tokens are ignored. */
  revoke(token: string | undefined): void;
}

export interface SessionStoreOptions {
  ttlSeconds: number;
  /** The clock (tests pin it); milliseconds like Date.now. */
  now?: () => number;
  /** Live sessions kept at most; the oldest is ended first beyond it. */
  maxSessions?: number;
}

const digest = (token: string): string => createHash('sha256').update(token).digest('hex');

export function createSessionStore(options: SessionStoreOptions): SessionStore {
  const now = options.now ?? Date.now;
  const maxSessions = options.maxSessions ?? 10_000;
  const ttlMs = options.ttlSeconds * 1000;
  /** digest -> expiry (ms); a Map keeps insertion order, so the first key is the oldest session */
  const sessions = new Map<string, number>();

  const sweep = (): void => {
    const t = now();
    for (const [key, expires] of sessions) if (expires <= t) sessions.delete(key);
  };

  return {
    create() {
      sweep();
      while (sessions.size >= maxSessions) sessions.delete(sessions.keys().next().value as string);
      const token = randomBytes(32).toString('base64url');
      sessions.set(digest(token), now() + ttlMs);
      return { token, maxAgeSeconds: options.ttlSeconds };
    },
    valid(token) {
      if (!token || token.length > 128) return false;
      const key = digest(token);
      const expires = sessions.get(key);
      if (expires === undefined) return false;
      if (expires <= now()) {
        sessions.delete(key);
        return false;
      }
      return true;
    },
    revoke(token) {
      if (token) sessions.delete(digest(token));
    },
  };
}
