// Builds the site with Vite (index.html plus the browser-test harness page) for the browser tests.

import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { build } from 'vite';

export const ROOT = join(import.meta.dirname, '..', '..');

/** Builds into `outDir` (default dist-test/) and returns it. */
export async function buildSite(outDir = join(ROOT, 'dist-test')): Promise<string> {
  await build({
    root: ROOT,
    logLevel: 'error',
    build: {
      outDir,
      emptyOutDir: true,
      rollupOptions: {
        input: {
          index: join(ROOT, 'index.html'),
          harness: join(ROOT, 'tests', 'browser', 'harness', 'index.html'),
        },
      },
    },
  });
  return outDir;
}

/** Opens the browser-test harness page served at `baseUrl` and waits until it is ready. */
export async function openHarness(page: Page, baseUrl: string): Promise<void> {
  await page.goto(`${baseUrl}/tests/browser/harness/index.html`);
  await page.waitForFunction(() => document.body.dataset.ready === 'true');
}
