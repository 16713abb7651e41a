// The esbuild example (examples/esbuild/) as another site would ship it: the packed tarball installed
// into a fresh project, the page built by its own esbuild script (its own worker, the package's wasm
// files copied beside it), served with no network; two readers who opened different stories get
// different stories picked, and the load reports its phases up to 1.

import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEsbuildExample, installInFreshProject, packLibrary } from '../scripts/pack';
import { type FileServer, serveFolders } from '../tools/serve-folders';
import { ROOT } from '../tools/site';
import { EXAMPLE_TIMEOUT, openExample, teach } from './helpers/example-page';

const MODEL = join(ROOT, 'models', 'all-MiniLM-L6-v2');
const TIMEOUT = EXAMPLE_TIMEOUT;

describe('the esbuild example', () => {
  let server: FileServer;
  const browsers: BrowserContext[] = [];

  beforeAll(async () => {
    const outDir = buildEsbuildExample(installInFreshProject(packLibrary()));
    server = await serveFolders({ '/models/all-MiniLM-L6-v2/': MODEL, '/': outDir });
  }, TIMEOUT);
  afterAll(async () => {
    for (const b of browsers) await b.close();
    await server?.close();
  });

  /** One reader in a browser of their own: ticks the stories at `opened`, learns, returns today's picks. */
  async function reader(opened: number[]): Promise<string[]> {
    const { page, outside } = await openExample(server.url, browsers);
    expect(await page.locator('#loading').evaluate((p: HTMLProgressElement) => p.value)).toBe(1);
    expect(page.workers().map((w) => new URL(w.url()).pathname)).toContain('/worker.js');
    const picks = await teach(page, '#read input', opened, 'picks');
    expect(await page.textContent('#status')).toMatch(/^\d of 6 of today's stories are picked for you\.$/);
    expect(outside).toEqual([]);
    console.info(`opened ${opened.join(',')}: picks ${JSON.stringify(picks)}`);
    return picks;
  }

  it(
    'picks different stories for two readers who opened different ones',
    async () => {
      const sport = await reader([0, 2, 4, 6, 8, 10]);
      const business = await reader([1, 3, 5, 7, 9, 11]);
      expect(sport).not.toEqual(business);
    },
    TIMEOUT,
  );
});
