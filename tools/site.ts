// Builds the site with Vite (index.html plus the browser-test harness page) for the browser tests and
// browser benchmarks, and serves it to a fresh Chromium.

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { launchBrowser } from './browser';
import { ROOT } from './paths';
import { type FileServer, serveFolders } from './serve-folders';

export { ROOT };

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
          harness: join(ROOT, 'bench', 'harness', 'index.html'),
        },
      },
    },
  });
  return outDir;
}

export interface Site {
  outDir: string;
  server: FileServer;
  browser: BrowserContext;
  page: Page;
  /** Closes the browser, then the server. */
  close(): Promise<void>;
}

/**
 * Builds the site, serves it behind `routes` (URL prefix → folder, such as a model folder; matched
 * first) and opens a page in a fresh Chromium.
 */
export async function startSite(routes: Record<string, string> = {}): Promise<Site> {
  const outDir = await buildSite();
  const server = await serveFolders({ ...routes, '/': outDir });
  const browser = await launchBrowser();
  const page = await browser.newPage();
  return {
    outDir,
    server,
    browser,
    page,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');

/** Writes the sample people (scripts/make-samples.ts) into a built site's samples/ folder. */
export function writeSamples(outDir: string): void {
  execFileSync(tsx, ['scripts/make-samples.ts', '--out', join(outDir, 'samples')], { cwd: ROOT });
}

/**
 * Writes the page's trained banks for a (tiny) model into a built site's banks/ folder: the bank
 * builder of `npm start` (scripts/build-bank.ts) with the same recipes cut down to 6 sources, one
 * epoch, 16 tokens and 48 population texts, so it takes seconds.
 */
export function writeTinyPageBanks(outDir: string, modelDir: string): void {
  // Sites in the tiny model's second layer only, as the page's banks sit in the upper layers.
  const small = [
    '--sources',
    '6',
    '--epochs',
    '1',
    '--max-length',
    '16',
    '--population-texts',
    '48',
    '--first-layer',
    '1',
  ];
  const args = ['scripts/build-bank.ts', '--model', modelDir, '--out', join(outDir, 'banks'), ...small];
  execFileSync(tsx, args, { cwd: ROOT });
}

/** Opens the browser-test harness page served at `baseUrl` and waits until it is ready. */
export async function openHarness(page: Page, baseUrl: string): Promise<void> {
  await page.goto(`${baseUrl}/bench/harness/index.html`);
  await page.waitForFunction(() => document.body.dataset.ready === 'true');
}
