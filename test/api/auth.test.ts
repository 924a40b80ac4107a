import { SESSION_COOKIE, sessionToken } from '../../src/api/auth';
import { startTestServer } from './helpers/api-fixture';

const KEY = 'secret-key-123';

describe('API key and the viewer session cookie', () => {
  it('trades a valid key for an HttpOnly, SameSite=Strict cookie that authorises requests without the header', async () => {
    const server = await startTestServer({ config: { apiKey: KEY }, ready: false });
    try {
      const wrong = await fetch(`${server.url}/api/v1/session`, { method: 'POST', headers: { Authorization: 'Bearer wrong-key-1234' } });
      expect(wrong.status).toBe(401);
      expect(wrong.headers.get('set-cookie')).toBeNull();
      expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe('auth.required');

      const ok = await fetch(`${server.url}/api/v1/session`, { method: 'POST', headers: { Authorization: `Bearer ${KEY}` } });
      expect(ok.status).toBe(204);
      const setCookie = ok.headers.get('set-cookie') ?? '';
      expect(setCookie).toMatch(new RegExp(`^${SESSION_COOKIE}=`));
      expect(setCookie).toMatch(/HttpOnly/i);
      expect(setCookie).toMatch(/SameSite=Strict/i);
      expect(setCookie).toMatch(/Path=\/api\/v1/);
      // the cookie proves the key without containing it
      const value = /^[^=]+=([^;]*)/.exec(setCookie)![1]!;
      expect(value).toBe(sessionToken(KEY));
      expect(value).not.toContain(KEY);

      const withCookie = await fetch(`${server.url}/api/v1/studies`, { headers: { cookie: `other=1; ${SESSION_COOKIE}=${value}` } });
      expect(withCookie.status).toBe(200);
      const forged = await fetch(`${server.url}/api/v1/studies`, { headers: { cookie: `${SESSION_COOKIE}=${sessionToken('another-key-99')}` } });
      expect(forged.status).toBe(401);

      const out = await fetch(`${server.url}/api/v1/session`, { method: 'DELETE' });
      expect(out.status).toBe(204);
      expect(out.headers.get('set-cookie')).toMatch(new RegExp(`^${SESSION_COOKIE}=;`));
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
