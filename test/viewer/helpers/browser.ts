import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';
import { tempDir } from '../../helpers/temp-dirs';

/** Launches Debian's chromium headless with the flags from /work/shared/ENVIRONMENT.md and a
 * fresh profile directory (nothing carried between runs, nothing fetched from the network). */
export const CHROMIUM = process.env.MEDSR_CHROMIUM ?? '/usr/bin/chromium';

export function chromiumAvailable(): boolean {
  return fs.existsSync(CHROMIUM);
}

export interface LaunchedBrowser { context: BrowserContext; close(): Promise<void> }

/** `extraArgs`: more chromium flags, e.g. `--host-resolver-rules=MAP medsr.lan 127.0.0.1`. */
export async function launchBrowser(extraArgs: string[] = []): Promise<LaunchedBrowser> {
  const profile = tempDir('medsr-chromium-');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1400, height: 860 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', ...extraArgs],
  });
  return {
    context,
    close: () => context.close(),
  };
}

export type { Browser };

export const ARTIFACTS = path.resolve(__dirname, '../../../test-artifacts/viewer');
