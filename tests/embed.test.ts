// The embedding example (examples/embed/) as another site would ship it: the packed tarball installed
// into a fresh project offline, the example's page and Vite config built there, served with no network,
// and two readers in their own browsers who tick different comments get different new comments hidden;
// under `vite dev` in the same project the page loads too.

import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEmbedExample, installInFreshProject, packLibrary } from '../scripts/pack';
import { launchBrowser } from '../tools/browser';
import { type FileServer, serveFolders } from '../tools/serve-folders';
import { ROOT } from '../tools/site';
import { EXAMPLE_TIMEOUT, openExample, teach } from './helpers/example-page';

const MODEL = join(ROOT, 'models', 'all-MiniLM-L6-v2');
const TIMEOUT = EXAMPLE_TIMEOUT;

describe('the embedding example', () => {
  let server: FileServer;
  let project: string;
  const browsers: BrowserContext[] = [];

  beforeAll(async () => {
    project = installInFreshProject(packLibrary());
    const outDir = await buildEmbedExample(project);
    server = await serveFolders({ '/models/all-MiniLM-L6-v2/': MODEL, '/': outDir });
  }, TIMEOUT);
  afterAll(async () => {
    for (const b of browsers) await b.close();
    await server?.close();
  });

  /** One reader in a browser of their own: ticks the comments at `ticked`, learns, returns what is hidden. */
  async function reader(ticked: number[]): Promise<string[]> {
    const { page, outside } = await openExample(server.url, browsers);
    const hidden = await teach(page, '#teach input', ticked, 'hidden');
    expect(await page.textContent('#status')).toMatch(/^Your filter hides \d+ of 10 new comments/);
    expect(outside).toEqual([]);
    console.info(`ticked ${ticked.join(',')}: hides ${JSON.stringify(hidden)}`);
    return hidden;
  }

  it(
    'hides different comments for two readers who taught it differently',
    async () => {
      const insults = await reader([0, 2, 4, 6]);
      const politics = await reader([8, 10, 12, 14, 16, 18]);
      expect(insults).not.toEqual(politics);
    },
    TIMEOUT,
  );

  it(
    'loads under `vite dev` in the installing project, with the plugin’s headers',
    async () => {
      // The page's own public/ folder serves the model, as docs/package.md tells a page author.
      mkdirSync(join(project, 'public', 'models'), { recursive: true });
      symlinkSync(MODEL, join(project, 'public', 'models', 'all-MiniLM-L6-v2'));
      const { createServer } = await import('vite');
      const dev = await createServer({
        root: project,
        configFile: join(project, 'vite.config.ts'),
        server: { port: 0 },
        logLevel: 'error',
      });
      await dev.listen();
      try {
        const url = `http://localhost:${(dev.httpServer!.address() as AddressInfo).port}/`;
        const browser = await launchBrowser();
        browsers.push(browser);
        const page = await browser.newPage();
        page.setDefaultTimeout(TIMEOUT);
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        const response = await page.goto(url);
        expect(response!.headers()['cross-origin-embedder-policy']).toBe('require-corp');
        await page.waitForFunction(() => !document.querySelector<HTMLButtonElement>('#learn')?.disabled);
        expect(await page.textContent('#status')).toMatch(/^Tick what you would rather not see/);
        expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
        expect(errors).toEqual([]);
      } finally {
        await dev.close();
      }
    },
    TIMEOUT,
  );

  it('keeps the page code small', async () => {
    const code = readFileSync(join(ROOT, 'examples', 'embed', 'main.ts'), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.trim().startsWith('//'));
    expect(code.length).toBeLessThanOrEqual(80);
  });
});
