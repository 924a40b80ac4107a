import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { tempDir } from '../helpers/temp-dirs';
import { ARTIFACTS, CHROMIUM, type LaunchedBrowser, chromiumAvailable, launchBrowser } from './helpers/browser';
import { writeSeries } from './helpers/make-series';
import { writeTwoWaySeries } from '../service/helpers/two-way-series';
import { execFileSync } from 'node:child_process';
import dicomParser from 'dicom-parser';
import { type RunningServer, modelReady, startMedsrServer } from './helpers/medsr-server';
import { makeZip } from '../api/helpers/zip';
import { type ViewerWindow, canvasSignature, canvasStats, correlation, describeViewports, fractionDifferent, settle, stableSignature,
  waitForReconstruction, waitForThumbnail } from './helpers/page-probes';

/** End to end in a real chromium against the real `medsr serve`: upload a real CT series through
 * the page, show it, run a job, and check the compare view (sync, window/level, modes). Each test
 * opens the page afresh and sets up what it needs (openSeries, openReconstruction: idempotent), so
 * any test runs alone (`-t`) or in any order. */
const describeIfChromium = chromiumAvailable() ? describe : describe.skip;
if (!chromiumAvailable()) {
  console.warn(`viewer tests skipped: no chromium at ${CHROMIUM} (apt-get install -y chromium)`);
}

jest.setTimeout(240_000);

describeIfChromium('web viewer (chromium + medsr serve)', () => {
  let server: RunningServer;
  /** a second server for the job checks when `medsr serve` has no model loaded */
  let browser: LaunchedBrowser;
  let page: Page;
  /** Uploaded through the API once and shared (openSeries); the upload test has a series of its own. */
  let seriesFiles: string[];
  let pageUploadFiles: string[];
  let seriesDir = '';
  const pageErrors: string[] = [];
  const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const dir = tempDir('medsr-viewer-series-');
    seriesDir = dir;
    seriesFiles = writeSeries(path.join(dir, 'shared'), { slices: 6, size: 128 });
    pageUploadFiles = writeSeries(path.join(dir, 'page-upload'), { slices: 6, size: 128 });
    server = await startMedsrServer();
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });

  /** A promise made on first use and shared after: the tests' common preconditions. */
  const once = <T>(make: () => Promise<T>): (() => Promise<T>) => {
    let made: Promise<T> | undefined;
    return () => (made ??= make());
  };
  const uidOf = (file: string, tag: string) => dicomParser.parseDicom(new Uint8Array(fs.readFileSync(file))).string(tag) ?? '';

  /** The shared series, on the server: its series UID. */
  const sharedSeries = once(async () => {
    const form = new FormData();
    for (const f of seriesFiles) form.append('files', new Blob([new Uint8Array(fs.readFileSync(f))]), path.basename(f));
    expect((await fetch(`${server.url}/api/v1/studies`, { method: 'POST', body: form })).status).toBe(201);
    return uidOf(seriesFiles[0]!, 'x0020000e');
  });

  /** A finished job (x2, 1 step, 2 samples: with an uncertainty map) over the shared series: its id. */
  const sharedJob = once(async () => {
    await sharedSeries();
    expect(await modelReady(server.url, 60_000)).toBe(true);
    const body = JSON.stringify({ studyInstanceUID: uidOf(seriesFiles[0]!, 'x0020000d'), options: { scale: 2, steps: 1, samples: 2 } });
    const job = (await (await fetch(`${server.url}/api/v1/jobs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body })).json()) as { id: string };
    for (;;) {
      const state = ((await (await fetch(`${server.url}/api/v1/jobs/${job.id}`)).json()) as { state: string }).state;
      if (state === 'succeeded') return job.id;
      expect(['queued', 'running']).toContain(state);
      await new Promise((r) => setTimeout(r, 100)); // polling the job's state, not betting on a duration
    }
  });

  /** A fresh page showing the shared series' original, at its first slice. */
  const openSeries = async () => {
    const uid = await sharedSeries();
    await page.goto(server.url);
    await page.click(`.series[data-series="${uid}"]`);
    await page.waitForFunction(() => !!(window as unknown as ViewerWindow).medsrViewer.view.describe().left, null, { timeout: 30_000 });
  };

  /** A fresh page comparing the shared series with the shared job's reconstruction. */
  const openReconstruction = async () => {
    const job = await sharedJob();
    await openSeries();
    const entry = page.locator(`#job-history li[data-job="${job}"]`);
    await entry.waitFor();
    await entry.locator('button', { hasText: 'Open' }).click();
    expect(await waitForReconstruction(page)).toBe('shown');
  };

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('the page loads its own bundle only, with the not-for-diagnosis label', async () => {
    await page.goto(server.url);
    await expect(page.title()).resolves.toBe('medsr viewer');
    await expect(page.locator('.badge-warning').textContent()).resolves.toContain('NOT FOR DIAGNOSTIC USE');
    const external = await page.evaluate(() => performance.getEntriesByType('resource')
      .map((e) => e.name).filter((n) => !n.startsWith(location.origin) && !n.startsWith('data:')));
    expect(external).toEqual([]);
  });

  const upload = async () => {
    const junk = path.join(seriesDir, 'notes.txt');
    fs.writeFileSync(junk, 'not a DICOM file');
    await page.goto(server.url);
    await page.setInputFiles('#file-input', [...pageUploadFiles, junk]);
    await page.waitForSelector('.series.selected', { timeout: 60_000 });
    await page.waitForFunction(() => !!(window as unknown as ViewerWindow).medsrViewer.view.describe().left);
  };

  /** Opens the page on its own server and uploads `files` there; resolves once the original is shown. */
  const uploadTo = async (own: RunningServer, files: string[]) => {
    await page.goto(own.url);
    await page.setInputFiles('#file-input', files);
    await page.waitForSelector('.series.selected', { timeout: 60_000 });
    await page.waitForFunction(() => !!(window as unknown as ViewerWindow).medsrViewer.view.describe().left, null, { timeout: 30_000 });
  };

  /** Starts the quickest real job (1 step, 1 sample) once the server's model is ready. */
  const startQuickJob = async (own: RunningServer, scale: 2 | 4 = 2) => {
    expect(await modelReady(own.url, 60_000)).toBe(true);
    await page.selectOption('#job-form [name="scale"]', String(scale));
    await page.fill('#job-form [name="steps"]', '1');
    await page.fill('#job-form [name="samples"]', '1');
    await page.click('#start-job');
  };

  test('upload through the page lists the series and shows the original', async () => {
    await upload();
    await expect(page.locator('#upload-status').textContent()).resolves.toMatch(/6 images in 1 series accepted, 1 file rejected/);
    await expect(page.locator('#rejected-list li').first().textContent()).resolves.toContain('notes.txt');
    // the stored files' real size (six 128x128 16-bit slices and their headers), not an estimate
    await expect(page.locator('.series.selected .meta').textContent()).resolves.toMatch(/^CT · 6 slices · 128×128 · (19\d|2\d\d)\.\d KiB$/);
    await page.waitForFunction(() => !!document.querySelector('[data-cell="original"] canvas'));
    const stats = await settle(() => canvasStats(page, 'original'), (s) => s.std > 10 && s.nonBlack > 0.2);
    expect(stats.std).toBeGreaterThan(10); // an image, not a flat fill
    expect(stats.nonBlack).toBeGreaterThan(0.2);
    await expect(page.locator('[data-cell="original"] .corner.tr').textContent()).resolves.toMatch(/128 × 128 px/);
    await expect(page.locator('[data-cell="original"] .corner.bc').textContent()).resolves.toBe('NOT FOR DIAGNOSTIC USE');
    await waitForThumbnail(page); // the server renders it on request: it may come after the original
    await shot('01-original');
  });

  test('scrolling, window/level and the value under the cursor on the original', async () => {
    await openSeries();
    const box = await page.locator('[data-cell="original"] .viewport').boundingBox();
    if (!box) throw new Error('no viewport');
    const before = await stableSignature(page, 'original');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, 120);
    await page.waitForFunction(() => (window as unknown as ViewerWindow).medsrViewer.view.describe().left?.index === 1);
    const scrolled = await settle(() => canvasSignature(page, 'original'), (now) => fractionDifferent(before, now) > 0.05);
    expect(fractionDifferent(before, scrolled)).toBeGreaterThan(0.05);
    await page.keyboard.press('3'); // bone window
    const vp = (await settle(() => describeViewports(page), (d) => d.left?.windowWidth === 2000)).left;
    expect([vp?.windowWidth, vp?.windowCenter]).toEqual([2000, 500]);
    await page.mouse.move(box.x + box.width / 2 + 5, box.y + box.height / 2 + 5);
    const valueText = /\(\d+, \d+\)\s+-?\d+(\.\d+)? HU/;
    expect(await settle(() => page.locator('[data-cell="original"] .corner.br').textContent(), (t) => valueText.test(t ?? ''))).toMatch(valueText);
  });

  test('a job runs with live progress and the reconstruction appears, larger in matrix', async () => {
    await openSeries();
    // the shipped model must load: jobs run real inference
    expect(await modelReady(server.url, 60_000)).toBe(true);
    // the prompt field is pre-filled with what the server built from the metadata
    await expect(page.inputValue('#job-form [name="prompt"]')).resolves.toMatch(/^ct\b/);
    await page.fill('#job-form [name="steps"]', '1');
    await page.fill('#job-form [name="samples"]', '2');
    await page.click('#start-job');
    const outcome = await waitForReconstruction(page);
    await shot('02-after-job');
    expect(outcome).toBe('shown');
    const { left, right } = await describeViewports(page);
    expect(right?.columns).toBeGreaterThan(left?.columns ?? Infinity);
    expect(right?.columns).toBe((left?.columns ?? 0) * 2);
    expect(right?.index).toBe(left?.index);
    const stats = await settle(() => canvasStats(page, 'reconstructed'), (s) => s.std > 10);
    expect(stats.std).toBeGreaterThan(10);
    await shot('03-compare');
  });

  test('scroll, window/level and zoom follow from one viewport to the other', async () => {
    await openReconstruction();
    const rightBox = await page.locator('[data-cell="reconstructed"] .viewport').boundingBox();
    if (!rightBox) throw new Error('no viewport');
    const cx = rightBox.x + rightBox.width / 2;
    const cy = rightBox.y + rightBox.height / 2;
    const initial = await describeViewports(page);
    const start = initial.left?.index ?? NaN;
    const initialWidth = initial.right?.windowWidth;
    await page.mouse.move(cx, cy);
    await page.mouse.wheel(0, 120); // scroll on the reconstruction: the original follows
    let { left, right } = await settle(() => describeViewports(page), (d) => d.left?.shown === start + 1 && d.right?.shown === start + 1);
    expect(right?.index).toBe(start + 1);
    expect(left?.index).toBe(start + 1);
    // left drag = window/level, on the reconstruction
    await page.mouse.down({ button: 'left' });
    await page.mouse.move(cx + 60, cy + 30, { steps: 5 });
    await page.mouse.up({ button: 'left' });
    ({ left, right } = await settle(() => describeViewports(page),
      (d) => d.right?.windowWidth !== initialWidth && Math.abs((d.left?.windowWidth ?? NaN) - (d.right?.windowWidth ?? NaN)) < 1e-6
        && Math.abs((d.left?.windowCenter ?? NaN) - (d.right?.windowCenter ?? NaN)) < 1e-6));
    expect(right?.windowWidth).not.toBe(initialWidth);
    expect(left?.windowWidth).toBeCloseTo(right?.windowWidth ?? NaN, 6);
    expect(left?.windowCenter).toBeCloseTo(right?.windowCenter ?? NaN, 6);
    // right drag = zoom: same anatomy at the same size, so scale x columns is equal on both
    await page.mouse.down({ button: 'right' });
    await page.mouse.move(cx, cy - 60, { steps: 5 });
    await page.mouse.up({ button: 'right' });
    const shownSize = (d: Awaited<ReturnType<typeof describeViewports>>, side: 'left' | 'right') => (d[side]?.scale ?? 0) * (d[side]?.columns ?? 0);
    const zoomed = await settle(() => describeViewports(page), (d) => Math.abs(shownSize(d, 'left') - shownSize(d, 'right')) < 1e-3 && d.left?.scale !== left?.scale);
    ({ left, right } = zoomed);
    expect((left?.scale ?? 0) * (left?.columns ?? 0)).toBeCloseTo((right?.scale ?? 0) * (right?.columns ?? 0), 3);
    await shot('04-synced-zoom');
    await page.keyboard.press('r');
    await page.keyboard.press('1');
  });

  test('swipe, difference and uncertainty modes draw', async () => {
    await openReconstruction();
    const plain = await stableSignature(page, 'reconstructed');
    await page.keyboard.press('u');
    const withUncertainty = await settle(() => canvasSignature(page, 'reconstructed'), (now) => fractionDifferent(plain, now) > 0.05);
    expect(fractionDifferent(plain, withUncertainty)).toBeGreaterThan(0.05);
    await shot('05-uncertainty');
    await page.keyboard.press('u');
    await page.keyboard.press('d');
    const diff = await settle(() => describeViewports(page), (d) => /^medsrdiff:/.test(d.right?.imageId ?? '') && d.right?.windowCenter === 0);
    expect(diff.right?.imageId).toMatch(/^medsrdiff:/);
    expect(diff.right?.windowCenter).toBe(0);
    const difference = await settle(() => canvasSignature(page, 'reconstructed'), (now) => fractionDifferent(plain, now) > 0.05);
    expect(fractionDifferent(plain, difference)).toBeGreaterThan(0.05);
    await shot('06-difference');
    await page.keyboard.press('s');
    await page.waitForSelector('#compare[data-mode="swipe"]');
    const clip = await page.evaluate(() => getComputedStyle(document.querySelector('[data-cell="reconstructed"]')!).clipPath);
    expect(clip).toMatch(/inset/);
    const divider = await page.locator('.swipe-divider').boundingBox();
    if (!divider) throw new Error('no divider');
    await page.mouse.move(divider.x + divider.width / 2, divider.y + divider.height / 2);
    await page.mouse.down();
    await page.mouse.move(divider.x - 150, divider.y + divider.height / 2, { steps: 5 });
    await page.mouse.up();
    const fraction = await page.evaluate(() => (window as unknown as ViewerWindow).medsrViewer.view.swipeFraction as number);
    expect(fraction).toBeLessThan(0.45);
    await shot('07-swipe');
    await page.keyboard.press('c');
  });

  test('downloads: PNG snapshot, one DICOM, the zip', async () => {
    await openReconstruction();
    const [png] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('p')]);
    const pngPath = path.join(ARTIFACTS, 'snapshot.png');
    await png.saveAs(pngPath);
    expect(fs.readFileSync(pngPath).subarray(1, 4).toString()).toBe('PNG');
    const [dicom] = await Promise.all([page.waitForEvent('download'), page.click('#download-dicom')]);
    const dcmPath = path.join(ARTIFACTS, 'slice.dcm');
    await dicom.saveAs(dcmPath);
    expect(fs.readFileSync(dcmPath).subarray(128, 132).toString()).toBe('DICM');
    const [zip] = await Promise.all([page.waitForEvent('download'), page.click('#download-zip')]);
    const zipPath = path.join(ARTIFACTS, 'results.zip');
    await zip.saveAs(zipPath);
    expect(fs.readFileSync(zipPath).subarray(0, 2).toString()).toBe('PK');
    expect(pageErrors).toEqual([]);
  });

  test('a refused job is explained in words, a running job can be cancelled, shortcuts have a help panel', async () => {
    await openSeries();
    expect(await modelReady(server.url, 60_000)).toBe(true);
    await page.fill('#job-form [name="prompt"]', 'x'.repeat(600)); // longer than the API accepts
    await page.click('#start-job');
    await page.waitForFunction(() => document.querySelector('#job-status')?.classList.contains('error'));
    const refused = await page.locator('#job-status').textContent();
    expect(refused).toMatch(/^Could not start: .*prompt/i);
    expect(refused).not.toMatch(/at .*\.js|stack|undefined/);
    await page.fill('#job-form [name="prompt"]', '');
    await page.click('#start-job');
    await page.waitForFunction(() => !(document.querySelector('#cancel-job') as HTMLButtonElement).hidden);
    await page.click('#cancel-job');
    await page.waitForFunction(() => /Cancelled|Done/.test(document.querySelector('#job-status')?.textContent ?? ''));
    await expect(page.locator('#job-status').textContent()).resolves.toBe('Cancelled.');
    await expect(page.locator('#cancel-job').isHidden()).resolves.toBe(true);
    await page.keyboard.press('?');
    await expect(page.locator('#help-dialog').isVisible()).resolves.toBe(true);
    expect(await page.locator('#shortcut-table tr').count()).toBeGreaterThanOrEqual(15);
    await shot('09-help');
    await page.keyboard.press('Escape');
  });

  test('a zip dropped on the drop zone is uploaded and listed', async () => {
    const zipDir = tempDir('zip-', seriesDir);
    const files = writeSeries(zipDir, { slices: 3, size: 64, seriesNumber: 9, description: 'Dropped zip series' });
    const zip = await makeZip(files.map((f) => [`scan/${path.basename(f)}`, fs.readFileSync(f)]));
    // the page lists every series the server holds: count them there, not in a page still loading
    const listed = (await (await fetch(`${server.url}/api/v1/studies`)).json()) as { studies: Array<{ series: unknown[] }> };
    const before = listed.studies.reduce((n, study) => n + study.series.length, 0);
    await page.goto(server.url);
    await page.waitForFunction((n) => document.querySelectorAll('.series').length === n, before, { timeout: 30_000 });
    await page.evaluate(async (b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], 'scan.zip', { type: 'application/zip' }));
      document.querySelector('#drop-zone')?.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }, zip.toString('base64'));
    await page.waitForFunction((n) => document.querySelectorAll('.series').length > n, before, { timeout: 60_000 });
    await expect(page.locator('#upload-status').textContent()).resolves.toMatch(/^3 images in 1 series accepted\.$/);
    await expect(page.locator('.series.selected .name').textContent()).resolves.toBe('Dropped zip series');
    await expect(page.locator('.series.selected .meta').textContent()).resolves.toMatch(/3 slices · 64×64/);
  });

  test('a compressed (JPEG lossless) original is shown with its real values (HU), decoded by the server', async () => {
    const compressed = path.join(seriesDir, 'jpeg-lossless.dcm');
    execFileSync('dcmcjpeg', ['--encode-lossless-sv1', seriesFiles[0] ?? '', compressed]);
    // the uncompressed copies share its SOP UID: upload it to a fresh server of its own
    const own = await startMedsrServer();
    try {
      await uploadTo(own, [compressed]);
      expect((await settle(() => canvasStats(page, 'original'), (s) => s.std > 10)).std).toBeGreaterThan(10);
      await expect(page.locator('[data-cell="original"] .corner.tr').textContent()).resolves.not.toContain('8-bit server preview');
      const box = await page.locator('[data-cell="original"] .viewport').boundingBox();
      if (!box) throw new Error('no viewport');
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      const hu = /-?\d+(\.\d+)? HU/;
      expect(await settle(() => page.locator('[data-cell="original"] .corner.br').textContent(), (t) => hu.test(t ?? ''))).toMatch(hu);
      await shot('08-compressed-original');
    } finally {
      await own.stop();
    }
  });
  test('with an API key: the page asks for it once, then uploads, images, live progress and results work on the session cookie', async () => {
    const key = 'viewer-test-key-0123';
    const own = await startMedsrServer({ MEDSR_API_KEY: key });
    try {
      await page.goto(own.url);
      await page.waitForSelector('#key-dialog[open]');
      await page.fill('#key-input', 'not-the-key-at-all');
      await page.click('#key-form button[type="submit"]');
      // the refusal comes back asynchronously: wait for the message rather than reading it at once
      await page.waitForSelector('#key-error:not([hidden])');
      await expect(page.locator('#key-error').textContent()).resolves.toBe('That key was not accepted.');
      await page.fill('#key-input', key);
      await page.click('#key-form button[type="submit"]');
      await page.waitForFunction(() => !(document.querySelector('#key-dialog') as HTMLDialogElement).open);
      // the page keeps no key: only the HttpOnly cookie, which scripts cannot read
      expect(await page.evaluate(() => document.cookie)).toBe('');
      expect(await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }))).not.toContain(key);

      await page.setInputFiles('#file-input', seriesFiles.slice(0, 2));
      await page.waitForSelector('.series.selected', { timeout: 60_000 });
      await page.waitForFunction(() => !!(window as unknown as ViewerWindow).medsrViewer.view.describe().left, null, { timeout: 30_000 });
      await waitForThumbnail(page);
      await startQuickJob(own);
      expect(await waitForReconstruction(page)).toBe('shown');
      expect((await settle(() => canvasStats(page, 'reconstructed'), (s) => s.std > 10)).std).toBeGreaterThan(10);
      // the same API without the cookie (another browser, a script) still needs the key
      expect((await fetch(`${own.url}/api/v1/studies`)).status).toBe(401);
      await shot('09-api-key-session');
    } finally {
      await own.stop();
    }
  });
  test('a partial job: the failed slice faces a labelled blank, and later slices stay paired with their originals', async () => {
    // slice 2 is 1040 x 1040: at x4 its output would exceed 4096 x 4096, so only it fails
    const dir = tempDir('medsr-viewer-partial-');
    const files = writeSeries(dir, { slices: 3, size: 64, sizeOf: (i) => (i === 1 ? 1040 : 64), description: 'Partial job series' });
    const own = await startMedsrServer();
    try {
      await uploadTo(own, files);
      await startQuickJob(own, 4);
      // the status reports the failed slice as an error; the other slices are still shown
      await page.waitForSelector('#compare[data-reconstruction="shown"]', { timeout: 200_000 });
      await expect(page.locator('#job-status').textContent()).resolves.toMatch(/^Done, but 1 slice failed/);
      const at = async (index: number) => {
        await page.evaluate((i) => (window as unknown as ViewerWindow).medsrViewer.view.scrollTo(i), index);
        return settle(() => describeViewports(page), (d) => d.left?.shown === index && d.right?.shown === index);
      };
      let { left, right } = await at(0);
      expect([left?.columns, right?.columns, right?.count]).toEqual([64, 256, 3]);
      ({ left, right } = await at(1));
      expect(left?.columns).toBe(1040);
      expect(right?.imageId).toMatch(/^medsrmissing:/);
      const corner = page.locator('[data-cell="reconstructed"] .corner.tr');
      expect(await settle(() => corner.textContent(), (t) => !!t?.includes('no reconstruction'))).toContain('no reconstruction');
      expect(await page.locator('#download-dicom').getAttribute('href')).toBeNull();
      await shot('10-partial-job-missing-slice');
      ({ left, right } = await at(2));
      expect([left?.index, right?.index, left?.columns, right?.columns]).toEqual([2, 2, 64, 256]);
      expect(right?.imageId).not.toMatch(/^medsrmissing:/);
    } finally {
      await own.stop();
    }
  });
  test('a series whose slices took two paths: the status says so, in the warning colour', async () => {
    const { files } = writeTwoWaySeries(tempDir('medsr-viewer-two-way-'));
    const own = await startMedsrServer();
    try {
      await uploadTo(own, files);
      await startQuickJob(own);
      await page.waitForFunction(() => document.querySelector('#job-status')?.classList.contains('warn'), null, { timeout: 200_000 });
      await expect(page.locator('#job-status').textContent()).resolves.toMatch(/^Done, but its slices took different paths \(kspace 1, bicubic 1\): .*choose it under "Input made by"/);
      await shot('12-mixed-paths');
    } finally {
      await own.stop();
    }
  });

  test('a multi-frame instance: every reconstructed frame faces its own original frame', async () => {
    const dir = tempDir('medsr-viewer-frames-');
    const files = writeSeries(dir, { slices: 1, frames: 3, size: 64, description: 'Multi-frame series' });
    const own = await startMedsrServer();
    try {
      await uploadTo(own, files);
      expect((await describeViewports(page)).left?.count).toBe(3);
      await startQuickJob(own);
      expect(await waitForReconstruction(page)).toBe('shown');
      const seen: Array<{ left: number[]; right: number[] }> = [];
      for (let frame = 0; frame < 3; frame++) {
        await page.evaluate((i) => (window as unknown as ViewerWindow).medsrViewer.view.scrollTo(i), frame);
        const { left, right } = await settle(() => describeViewports(page), (d) => d.left?.shown === frame && d.right?.shown === frame);
        expect([left?.shown, right?.shown, right?.count, left?.columns, right?.columns]).toEqual([frame, frame, 3, 64, 128]);
        expect(Number(right?.imageId.match(/#frame=(\d+)$/)?.[1] ?? 0)).toBe(frame); // frame 0 has no tag
        seen.push({ left: await stableSignature(page, 'original'), right: await stableSignature(page, 'reconstructed') });
      }
      // the frames differ a lot (shifted 40 pixels apart): each reconstruction must look most like its own original
      for (let frame = 0; frame < 3; frame++) {
        const scores = seen.map((s) => correlation(seen[frame]!.left, s.right));
        expect(scores.indexOf(Math.max(...scores))).toBe(frame);
        expect(scores[frame]).toBeGreaterThan(0.95);
      }
      await shot('11-multi-frame');
    } finally {
      await own.stop();
    }
  });
});
