/**
 * The viewer over plain HTTP from a LAN host name (not localhost): the page's CSP once carried
 * `upgrade-insecure-requests`, so chromium fetched viewer.js and viewer.css over https and the
 * page stayed blank. Real chromium, the real built viewer, a host name mapped to 127.0.0.1.
 */
import path from 'node:path';
import fs from 'node:fs';
import http from 'node:http';
import { startTestServer, type TestServer } from '../api/helpers/api-fixture';
import { chromiumAvailable, launchBrowser, type LaunchedBrowser } from './helpers/browser';

const VIEWER_DIR = path.resolve(__dirname, '../../dist/viewer');
const LAN_HOST = 'medsr.lan';

function cspOf(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers: { Host: LAN_HOST } }, (res) => {
      res.resume();
      resolve(String(res.headers['content-security-policy'] ?? ''));
    }).on('error', reject);
  });
}

describe('the viewer over plain HTTP on a LAN', () => {
  let server: TestServer;
  beforeAll(async () => {
    if (!fs.existsSync(path.join(VIEWER_DIR, 'index.html'))) throw new Error('dist/viewer is not built: run npm run build');
    server = await startTestServer({ ready: false, viewerDir: VIEWER_DIR, config: { allowedHosts: ['localhost', '127.0.0.1', LAN_HOST] } });
  });
  afterAll(() => server?.close());

  it('sends a CSP without upgrade-insecure-requests, keeping the rest of it', async () => {
    const csp = await cspOf(`${server.url}/`);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("img-src 'self' data: blob:");
    expect(csp).not.toMatch(/upgrade-insecure-requests/);
  });

  (chromiumAvailable() ? it : it.skip)('loads and runs viewer.js when opened as http://medsr.lan:PORT/', async () => {
    const port = new URL(server.url).port;
    let browser: LaunchedBrowser | undefined;
    try {
      browser = await launchBrowser([`--host-resolver-rules=MAP ${LAN_HOST} 127.0.0.1`]);
      const page = await browser.context.newPage();
      const requested: string[] = [];
      page.on('request', (r) => requested.push(r.url()));
      await page.goto(`http://${LAN_HOST}:${port}/`);
      await page.waitForFunction(() => !!(window as unknown as { medsrViewer?: unknown }).medsrViewer, null, { timeout: 20_000 });
      expect(requested).toContain(`http://${LAN_HOST}:${port}/viewer.js`);
      expect(requested.filter((u) => u.startsWith('https:'))).toEqual([]);
    } finally {
      await browser?.close();
    }
  }, 60_000);
});
