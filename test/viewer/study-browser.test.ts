/**
 * The viewer as a client, in a real chromium against the real `medsr serve`: the study browser
 * (patient, ID, date, accession, modality from QIDO-RS, searchable) and the per-series job
 * history, which comes from the server, so after a reload a finished job can be opened again.
 */
import type { UpscaleOptionCatalog } from '../../src/shared/upscale-options';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { MR_SERIES_DIR, MR_SMALL } from '../service/helpers/replicating-processor';
import { CHROMIUM, type LaunchedBrowser, chromiumAvailable, launchBrowser } from './helpers/browser';
import { type RunningServer, modelReady, startMedsrServer } from './helpers/medsr-server';
import { type ViewerWindow, waitForReconstruction } from './helpers/page-probes';

const describeIfChromium = chromiumAvailable() ? describe : describe.skip;
if (!chromiumAvailable()) {
  console.warn(`viewer tests skipped: no chromium at ${CHROMIUM}`);
}

jest.setTimeout(240_000);

const seriesFiles = fs.readdirSync(MR_SERIES_DIR).sort().map((f) => path.join(MR_SERIES_DIR, f));

async function upload(url: string, files: string[]): Promise<void> {
  const form = new FormData();
  for (const f of files) form.append('files', new Blob([new Uint8Array(fs.readFileSync(f))]), path.basename(f));
  expect((await fetch(`${url}/api/v1/studies`, { method: 'POST', body: form })).status).toBe(201);
}

describeIfChromium('study browser and job history (chromium + medsr serve)', () => {
  let server: RunningServer;
  let browser: LaunchedBrowser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await startMedsrServer();
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('after a reload, a study found by patient name opens and its finished job reopens', async () => {
    await upload(server.url, seriesFiles);
    await upload(server.url, [MR_SMALL]);
    expect(await modelReady(server.url, 60_000)).toBe(true);
    const studies = (await (await fetch(`${server.url}/api/v1/studies`)).json()) as { studies: Array<{ studyInstanceUID: string; description?: string; series: Array<{ seriesInstanceUID: string; instanceCount: number }> }> };
    const mr700 = studies.studies.find((s) => s.series.some((x) => x.instanceCount === seriesFiles.length))!;
    const created = await fetch(`${server.url}/api/v1/jobs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ studyInstanceUID: mr700.studyInstanceUID, options: { scale: 2, steps: 1, samples: 1 } }) });
    const job = (await created.json()) as { id: string };
    for (;;) {
      const state = ((await (await fetch(`${server.url}/api/v1/jobs/${job.id}`)).json()) as { state: string }).state;
      if (state === 'succeeded') break;
      expect(['queued', 'running']).toContain(state);
      await new Promise((r) => setTimeout(r, 100));
    }

    await page.goto(server.url);
    await page.reload(); // nothing the page holds itself: what follows comes from the server
    // the job form starts from the same defaults as the CLI and the API
    const { defaults, limits } = (await (await fetch(`${server.url}/api/v1/options`)).json()) as UpscaleOptionCatalog;
    await page.waitForFunction((d) => (document.querySelector('#job-form [name="samples"]') as HTMLInputElement).value === String(d.samples), defaults);
    await expect(page.inputValue('#job-form [name="scale"]')).resolves.toBe(String(defaults.scale));
    await expect(page.inputValue('#job-form [name="seed"]')).resolves.toBe(String(defaults.seed));
    await expect(page.inputValue('#job-form [name="steps"]')).resolves.toBe('');
    await expect(page.inputValue('#job-form [name="guidance"]')).resolves.toBe('');
    // and its bounds: the form offers what the CLI, the API and the pipeline accept
    for (const name of ['steps', 'samples', 'seed', 'guidance'] as const) {
      const bounds = await page.$eval(`#job-form [name="${name}"]`, (e) => [Number((e as HTMLInputElement).min), Number((e as HTMLInputElement).max)]);
      expect(bounds).toEqual(limits[name]);
    }
    const titles = page.locator('.study-title');
    await titles.first().waitFor();
    await expect(titles.count()).resolves.toBe(2);
    const title = page.locator(`.study-title[data-study="${mr700.studyInstanceUID}"]`);
    await expect(title.textContent()).resolves.toMatch(/Doe Peter · ID 98890234 · 2003-05-05 · Acc 2 · MR/);

    await page.fill('#study-search', 'doe 98890234');
    await expect(titles.count()).resolves.toBe(1);
    await page.fill('#study-search', 'nobody-by-this-name');
    await expect(page.locator('#studies-empty').textContent()).resolves.toBe('No study matches the search.');
    await page.fill('#study-search', 'peter');

    await page.locator('.study-list > li').filter({ has: title }).locator('.series').first().click();
    await page.waitForFunction(() => !!(window as unknown as ViewerWindow).medsrViewer.view.describe().left, null, { timeout: 30_000 });
    const entry = page.locator(`#job-history li[data-job="${job.id}"]`);
    await entry.waitFor();
    await expect(entry.textContent()).resolves.toContain('succeeded');
    await entry.locator('button', { hasText: 'Open' }).click();
    expect(await waitForReconstruction(page)).toBe('shown');
    await expect(page.evaluate(() => (window as unknown as ViewerWindow).medsrViewer.state.job?.id)).resolves.toBe(job.id);

    // orientation markers from ImageOrientationPatient, per slice: MR700 is a radial series whose
    // first slice is coronal (rows to the patient's left) and whose last runs posterior
    const edge = (cell: string, which: string) => page.locator(`[data-cell="${cell}"] .orient.${which}`).textContent();
    await expect(edge('original', 'or')).resolves.toBe('L');
    await expect(edge('original', 'ol')).resolves.toBe('R');
    await expect(edge('original', 'ob')).resolves.toBe('F');
    await expect(edge('reconstructed', 'ot')).resolves.toBe('H');
    await page.keyboard.press('End');
    await page.waitForFunction(() => document.querySelector('[data-cell="original"] .orient.or')?.textContent === 'P');
    await expect(edge('original', 'ol')).resolves.toBe('A');
    await expect(edge('reconstructed', 'or')).resolves.toBe('P');
    // the difference map says what its grey levels mean
    await page.keyboard.press('d');
    const legend = page.locator('[data-cell="reconstructed"] .legend');
    await page.waitForFunction(() => (document.querySelector('[data-cell="reconstructed"] .legend')?.textContent ?? '').includes('reconstructed − original'));
    await expect(legend.textContent()).resolves.toMatch(/reconstructed − original-?\d+\+\d+/);
    expect(pageErrors).toEqual([]);
  });
});
