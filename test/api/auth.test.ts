import { checkedJson } from './helpers/checked-json';
import { createHmac } from 'node:crypto';
import { SESSION_COOKIE } from '../../src/api/auth';
import { startTestServer } from './helpers/api-fixture';

const KEY = 'secret-key-123';

describe('API key and the viewer session cookie', () => {
  const signIn = (url: string) => fetch(`${url}/api/v1/session`, { method: 'POST', headers: { Authorization: `Bearer ${KEY}` } });
  const cookieOf = (res: Response): string => /^[^=]+=([^;]*)/.exec(res.headers.get('set-cookie') ?? '')![1]!;
  const studiesWith = (url: string, value: string) => fetch(`${url}/api/v1/studies`, { headers: { cookie: `other=1; ${SESSION_COOKIE}=${value}` } });

  it('trades a valid key for an HttpOnly, SameSite=Strict cookie that authorises requests without the header', async () => {
    const server = await startTestServer({ config: { apiKey: KEY }, ready: false });
    try {
      const wrong = await fetch(`${server.url}/api/v1/session`, { method: 'POST', headers: { Authorization: 'Bearer wrong-key-1234' } });
      expect(wrong.status).toBe(401);
      expect(wrong.headers.get('set-cookie')).toBeNull();
      expect(((await checkedJson(wrong, 'POST')) as { error: { code: string } }).error.code).toBe('auth.required');

      const ok = await signIn(server.url);
      expect(ok.status).toBe(204);
      const setCookie = ok.headers.get('set-cookie') ?? '';
      expect(setCookie).toMatch(new RegExp(`^${SESSION_COOKIE}=`));
      expect(setCookie).toMatch(/HttpOnly/i);
      expect(setCookie).toMatch(/SameSite=Strict/i);
      expect(setCookie).toMatch(/Path=\/api\/v1/);
      expect(setCookie).toMatch(/Max-Age=43200/); // 12 hours by default
      const value = cookieOf(ok);
      expect(value).not.toContain(KEY);
      expect((await studiesWith(server.url, value)).status).toBe(200);
      // the old scheme's cookie (an HMAC of a fixed label under the key) no longer passes
      const offline = createHmac('sha256', KEY).update('medsr viewer session v1').digest('base64url');
      expect((await studiesWith(server.url, offline)).status).toBe(401);
    } finally {
      await server.close();
    }
  });

  it('gives every session its own random value, and logout ends that session on the server', async () => {
    const server = await startTestServer({ config: { apiKey: KEY }, ready: false });
    try {
      const [a, b] = [cookieOf(await signIn(server.url)), cookieOf(await signIn(server.url))];
      expect(a).not.toBe(b);
      expect(Buffer.from(a, 'base64url').length).toBeGreaterThanOrEqual(32);

      const out = await fetch(`${server.url}/api/v1/session`, { method: 'DELETE', headers: { cookie: `${SESSION_COOKIE}=${a}` } });
      expect(out.status).toBe(204);
      expect(out.headers.get('set-cookie')).toMatch(new RegExp(`^${SESSION_COOKIE}=;`));
      // a copy of the cookie kept after logout is refused; the other session lives on
      expect((await studiesWith(server.url, a)).status).toBe(401);
      expect((await studiesWith(server.url, b)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('expires a session after MEDSR_SESSION_HOURS', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const server = await startTestServer({ config: { apiKey: KEY, sessionHours: 1 }, ready: false, now: () => now });
    try {
      const res = await signIn(server.url);
      expect(res.headers.get('set-cookie')).toMatch(/Max-Age=3600/);
      const value = cookieOf(res);
      now += 59 * 60 * 1000;
      expect((await studiesWith(server.url, value)).status).toBe(200);
      now += 2 * 60 * 1000;
      expect((await studiesWith(server.url, value)).status).toBe(401);
    } finally {
      await server.close();
    }
  });

  it('answers 204 and sets nothing when the server has no key', async () => {
    const server = await startTestServer({ ready: false });
    try {
      const res = await fetch(`${server.url}/api/v1/session`, { method: 'POST' });
      expect(res.status).toBe(204);
      expect(res.headers.get('set-cookie')).toBeNull();
    } finally {
      await server.close();
    }
  });

  it('documents the session route and the cookie scheme in OpenAPI', async () => {
    const server = await startTestServer({ ready: false });
    try {
      const doc = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as { paths: Record<string, unknown>; components: { securitySchemes: Record<string, { in?: string }> } };
      expect(Object.keys(doc.paths)).toContain('/api/v1/session');
      expect(doc.components.securitySchemes.session?.in).toBe('cookie');
    } finally {
      await server.close();
    }
  });
});
