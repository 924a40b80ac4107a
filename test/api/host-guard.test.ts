/**
 * Without an API key the server answers only the allowed host names (loopback by default), so a
 * page that re-points its DNS name at 127.0.0.1 (DNS rebinding) gets nothing, and refuses
 * cross-site writes (uploads, jobs) by their Origin. Health probes stay open.
 */
import http from 'node:http';
import { startTestServer, type TestServer } from './helpers/api-fixture';

function request(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const codeOf = (body: string): string => (JSON.parse(body) as { error: { code: string } }).error.code;
const MULTIPART = { 'Content-Type': 'multipart/form-data; boundary=x' };
const EMPTY_FORM = '--x--\r\n';

describe('host and origin allow-list without an API key', () => {
  let server: TestServer;
  let port: string;
  beforeAll(async () => {
    server = await startTestServer({ ready: false });
    port = new URL(server.url).port;
  });
  afterAll(() => server.close());

  it('refuses a foreign Host (DNS rebinding) with 403 naming the setting, on the API and the viewer', async () => {
    for (const path of ['/api/v1/studies', '/']) {
      const res = await request(`${server.url}${path}`, { headers: { Host: `evil.example:${port}` } });
      expect(res.status).toBe(403);
      expect(codeOf(res.body)).toBe('request.host_not_allowed');
      expect(res.body).toContain('MEDSR_ALLOWED_HOSTS');
    }
  });

  it('answers the loopback names, and health probes under any Host', async () => {
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'LOCALHOST']) {
      expect((await request(`${server.url}/api/v1/studies`, { headers: { Host: host } })).status).toBe(200);
    }
    expect((await request(`${server.url}/healthz`, { headers: { Host: '10.1.2.3:8080' } })).status).toBe(200);
  });

  it('refuses a cross-site upload by its Origin, but not a same-origin one or a cross-site read', async () => {
    const cross = await request(`${server.url}/api/v1/studies`, { method: 'POST', headers: { ...MULTIPART, Origin: 'https://evil.example' }, body: EMPTY_FORM });
    expect(cross.status).toBe(403);
    expect(codeOf(cross.body)).toBe('request.cross_origin');
    const same = await request(`${server.url}/api/v1/studies`, { method: 'POST', headers: { ...MULTIPART, Origin: `http://localhost:${port}` }, body: EMPTY_FORM });
    expect(same.status).toBe(400); // past the guard: the form simply holds no files
    expect(codeOf(same.body)).toBe('upload.empty');
    const read = await request(`${server.url}/api/v1/studies`, { headers: { Origin: 'https://evil.example' } });
    expect(read.status).toBe(200);
    expect(read.headers['access-control-allow-origin']).toBeUndefined(); // and the browser may not read it
  });

  it('answers the names in MEDSR_ALLOWED_HOSTS, and any Host once an API key guards the API', async () => {
    const lan = await startTestServer({ ready: false, config: { allowedHosts: ['localhost', 'medsr.lan'] } });
    try {
      expect((await request(`${lan.url}/api/v1/studies`, { headers: { Host: 'medsr.lan:8080' } })).status).toBe(200);
      expect((await request(`${lan.url}/api/v1/studies`, { headers: { Host: 'evil.example' } })).status).toBe(403);
    } finally {
      await lan.close();
    }
    const keyed = await startTestServer({ ready: false, config: { apiKey: 'secret-key-123' } });
    try {
      const res = await request(`${keyed.url}/api/v1/studies`, { headers: { Host: 'medsr.example.org', Authorization: 'Bearer secret-key-123' } });
      expect(res.status).toBe(200);
    } finally {
      await keyed.close();
    }
  });
});
