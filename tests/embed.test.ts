// The embedding example (examples/embed/) as another site would ship it: the packed tarball installed
// into a fresh project offline, the example's page and Vite config built there, served with no network,
// and two readers in their own browsers who tick different comments get different new comments hidden.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEmbedExample, installInFreshProject, packLibrary } from '../scripts/pack';
import { launchBrowser } from '../tools/browser';
import { type FileServer, serveFolders } from '../tools/serve-folders';
import { ROOT } from '../tools/site';

const MODEL = join(ROOT, 'models', 'all-MiniLM-L6-v2');
const TIMEOUT = 300_000;

describe('the embedding example', () => {
  let server: FileServer;
  const browsers: BrowserContext[] = [];

  beforeAll(async () => {
    const outDir = await buildEmbedExample(installInFreshProject(packLibrary()));
    server = await serveFolders({ '/models/all-MiniLM-L6-v2/': MODEL, '/': outDir });
  }, TIMEOUT);
  afterAll(async () => {
    for (const b of browsers) await b.close();
    await server?.close();
  });

  /** One reader in a browser of their own: ticks the comments at `ticked`, learns, returns what is hidden. */
  async function reader(ticked: number[]): Promise<string[]> {
    const browser = await launchBrowser();
    browsers.push(browser);
    const page = await browser.newPage();
    page.setDefaultTimeout(TIMEOUT);
    const outside: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).origin !== new URL(server.url).origin) outside.push(r.url());
    });
    await page.goto(server.url);
    await page.waitForFunction(() => !document.querySelector<HTMLButtonElement>('#learn')?.disabled);
    const boxes = page.locator('#teach input');
    for (const i of ticked) await boxes.nth(i).check();
    await page.click('#learn');
    await page.waitForFunction(() => document.body.dataset.hidden !== undefined);
    expect(await page.textContent('#status')).toMatch(/^Your filter hides \d+ of 10 new comments/);
    expect(outside).toEqual([]);
    const hidden = (await page.evaluate(() => document.body.dataset.hidden!)).split('\n').filter(Boolean);
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

  it('keeps the page code small', async () => {
    const code = readFileSync(join(ROOT, 'examples', 'embed', 'main.ts'), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.trim().startsWith('//'));
    expect(code.length).toBeLessThanOrEqual(80);
  });
});
