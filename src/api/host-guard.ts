/**
 * Without an API key, anyone who can reach the port may use the API; that must not include web
 * pages in a browser on this machine. Two checks close that door:
 * - Host: a page on evil.example that re-points its DNS name at 127.0.0.1 (DNS rebinding) sends
 *   `Host: evil.example`; only the allowed names (loopback by default, MEDSR_ALLOWED_HOSTS) pass.
 * - Origin: a cross-site form or fetch that writes (POST, DELETE: uploads, jobs) carries the
 *   other site's Origin; only the allowed hosts and the configured CORS origin pass.
 * Health and metrics stay open for orchestrators, whose probes use whatever address they have.
 * With an API key the key is the guard (the browser cannot send it cross-site) and this is off.
 */
import type { RequestHandler } from 'express';
import { MedsrError } from '../shared/errors';

const OPEN_PATHS = new Set(['/healthz', '/readyz', '/metrics']);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** "Example.org:8080" -> "example.org", "[::1]:80" -> "[::1]". */
export function hostName(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  return colon >= 0 ? h.slice(0, colon) : h;
}

function originHost(origin: string): string | undefined {
  try {
    return hostName(new URL(origin).host);
  } catch {
    return undefined;
  }
}

export function hostGuard(options: { apiKey: string | undefined; allowedHosts: readonly string[]; corsOrigin: string | undefined }): RequestHandler {
  if (options.apiKey) return (_req, _res, next) => next();
  const allowed = new Set(options.allowedHosts.map((h) => h.toLowerCase()));
  return (req, _res, next) => {
    if (OPEN_PATHS.has(req.path)) return next();
    const host = hostName(req.headers.host ?? '');
    if (!allowed.has(host)) {
      return next(new MedsrError('forbidden', 'request.host_not_allowed', `this server does not answer for host "${host}" without an API key; add it to MEDSR_ALLOWED_HOSTS or set MEDSR_API_KEY`));
    }
    const origin = req.headers.origin;
    if (origin && !SAFE_METHODS.has(req.method) && origin !== options.corsOrigin) {
      const from = originHost(origin);
      if (!from || !allowed.has(from)) {
        return next(new MedsrError('forbidden', 'request.cross_origin', `a ${req.method} from origin ${origin} is refused (cross-site requests may only read, unless MEDSR_CORS_ORIGIN names that origin)`));
      }
    }
    next();
  };
}
