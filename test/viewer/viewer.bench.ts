import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../helpers/temp-dirs';
import { ARTIFACTS, chromiumAvailable, launchBrowser } from './helpers/browser';
import { writeSeries } from './helpers/make-series';
import { startMedsrServer } from './helpers/medsr-server';
import type { ViewerWindow } from './helpers/page-probes';

/** Viewer benchmark (run by scripts/bench-viewer.js, not by `npm test`): a 100-slice 512x512 CT
 * series uploaded through the page, a 2x job, then (1) time from the page seeing the job final
 * to the first reconstructed image on screen and (2) slice scrolling frames per second, both
 * viewports rendering, cold (first pass, images fetched) and warm (cached). Prints, never asserts. */
const SLICES = Number(process.env.BENCH_SLICES ?? 100);
const SIZE = Number(process.env.BENCH_SIZE ?? 512);

(chromiumAvailable() ? test : test.skip)(`viewer bench: ${SLICES} slices ${SIZE}x${SIZE}`, async () => {
  const dir = tempDir('medsr-viewer-bench-');
  const files = writeSeries(dir, { slices: SLICES, size: SIZE });
  const server = await startMedsrServer();
  const browser = await launchBrowser();
  const lines: string[] = [];
  try {
    const page = await browser.context.newPage();
    await page.goto(server.url);
    let t = Date.now();
    await page.setInputFiles('#file-input', files);
    await page.waitForSelector('.series.selected', { timeout: 600_000 });
    await page.waitForFunction(() => !!(window as unknown as ViewerWindow).medsrViewer.view.describe().left, null, { timeout: 60_000 });
    process.stderr.write('bench: uploaded\n');
    lines.push(`upload + ingest + first original on screen: ${Date.now() - t} ms (${SLICES} files, ${(files.reduce((n, f) => n + fs.statSync(f).size, 0) / 2 ** 20).toFixed(1)} MiB)`);
    await page.fill('#job-form [name="samples"]', '1');
    t = Date.now();
    await page.click('#start-job');
    await page.waitForFunction(() => performance.getEntriesByName('medsr:reconstruction-shown').length > 0, null, { timeout: 600_000, polling: 50 });
    const firstImage = await page.evaluate(() => {
      const final = performance.getEntriesByName('medsr:job-final')[0]?.startTime ?? NaN;
      const shown = performance.getEntriesByName('medsr:reconstruction-shown')[0]?.startTime ?? NaN;
      return shown - final;
    });
    lines.push(`job (medsr serve with the shipped model, 1 sample, ${SLICES} slices): ${Date.now() - t} ms wall`);
    lines.push(`first reconstructed image on screen after the job is final: ${firstImage.toFixed(0)} ms`);
    const scroll = async () => page.evaluate(async (count) => {
      const view = (window as unknown as ViewerWindow).medsrViewer.view;
      const start = performance.now();
      // from slice 0 (already shown) to the last: each step must be drawn by both viewports
      for (let i = 1; i < count; i++) {
        const before = view.renders;
        await view.scrollTo(i);
        const limit = performance.now() + 10_000;
        while (view.renders < before + 2 && performance.now() < limit) await new Promise((r) => requestAnimationFrame(r));
      }
      return (count - 1) / ((performance.now() - start) / 1000);
    }, SLICES);
    await page.evaluate(() => (window as unknown as ViewerWindow).medsrViewer.view.scrollTo(0));
    await page.waitForTimeout(300);
    const cold = await scroll();
    await page.evaluate(() => (window as unknown as ViewerWindow).medsrViewer.view.scrollTo(0));
    await page.waitForTimeout(300);
    const warm = await scroll();
    lines.push(`scroll, both viewports (${SIZE}² + ${SIZE * 2}²): cold ${cold.toFixed(1)} frames/s, cached ${warm.toFixed(1)} frames/s`);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'bench-final.png') });
  } finally {
    await browser.close();
    await server.stop();
  }
  console.log(`viewer bench\n  ${lines.join('\n  ')}`);
}, 900_000);
