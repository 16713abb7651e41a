// An example page (examples/embed, examples/esbuild) as one reader meets it: a browser of their own, the
// page loaded until it can learn, every request to another origin recorded, and a round of teaching.

import type { BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from '../../tools/browser';

export const EXAMPLE_TIMEOUT = 300_000;

/**
 * Opens `url` in a fresh browser (added to `browsers`, for the caller to close) and waits until the
 * page's #learn button is enabled; `outside` collects the URLs it requests from other origins.
 */
export async function openExample(
  url: string,
  browsers: BrowserContext[],
): Promise<{ page: Page; outside: string[] }> {
  const browser = await launchBrowser();
  browsers.push(browser);
  const page = await browser.newPage();
  page.setDefaultTimeout(EXAMPLE_TIMEOUT);
  const outside: string[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).origin !== new URL(url).origin) outside.push(r.url());
  });
  await page.goto(url);
  await page.waitForFunction(() => !document.querySelector<HTMLButtonElement>('#learn')?.disabled);
  return { page, outside };
}

/**
 * Ticks the boxes at `ticked` among `boxes` (a selector), presses #learn, and returns the lines the page
 * writes to `document.body.dataset[key]` once it has.
 */
export async function teach(page: Page, boxes: string, ticked: number[], key: string): Promise<string[]> {
  const inputs = page.locator(boxes);
  for (const i of ticked) await inputs.nth(i).check();
  await page.click('#learn');
  await page.waitForFunction((k) => document.body.dataset[k] !== undefined, key);
  return (await page.evaluate((k) => document.body.dataset[k]!, key)).split('\n').filter(Boolean);
}
