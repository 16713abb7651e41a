// After the first visit the page works with the network gone, and no user text ever leaves the
// device: every request is to the page's own origin, none carries history text, and once the model is
// cached there are no requests at all while training and predicting. The engine worker cannot reach
// another origin, and the service worker keeps nothing its server marks no-store.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HarnessWindow as Win } from '../../bench/harness/harness';
import type { FileServer } from '../../tools/serve-folders';
import { openHarness, type Site, startSite } from '../../tools/site';
import { QUICK_TRAINING, sst2Examples } from '../helpers/sst2';
import { writeTinyModel } from '../helpers/tiny-model';

const BANK = { seed: 3, n: 16, r: 4 };
const history = sst2Examples('train', 32);
const probe = sst2Examples('dev', 6).map((e) => e.text as string);
const options = QUICK_TRAINING;

describe('offline and private in Chromium', () => {
  let site: Site;
  let server: FileServer;
  let browser: BrowserContext;
  let page: Page;
  const requests: Request[] = [];

  beforeAll(async () => {
    site = await startSite({ '/models/tiny/': writeTinyModel({ seed: 81 }) });
    ({ server, browser, page } = site);
    browser.on('request', (r) => requests.push(r));
  });
  afterAll(() => site?.close());

  const open = () => openHarness(page, server.url);
  const load = () =>
    page.evaluate(
      (bank) => (window as never as Win).harness.load('/models/tiny', 'webgpu', bank, 'xpeft-models'),
      BANK,
    );
  const train = () =>
    page.evaluate(([h, o]) => (window as never as Win).harness.train(h, o), [history, options] as const);
  const predict = (bytes: number[]) =>
    page.evaluate(([b, t]) => (window as never as Win).harness.predict(b, t), [bytes, probe] as const);
  /** Asks the service worker to keep `urls`, as enableOffline does, and returns those it could not. */
  const precache = (urls: string[]) =>
    page.evaluate(
      (list) =>
        new Promise<string[]>((resolve) => {
          const done = (e: MessageEvent) => {
            if (e.data?.type !== 'precached') return;
            navigator.serviceWorker.removeEventListener('message', done);
            resolve(e.data.failed);
          };
          navigator.serviceWorker.addEventListener('message', done);
          navigator.serviceWorker.controller!.postMessage({ type: 'precache', urls: list });
        }),
      urls,
    );

  it('sends nothing but its own files, never history text, and nothing at all while training and predicting', async () => {
    await open();
    expect(await page.evaluate(() => (window as never as Win).harness.enableOffline())).toEqual({
      failed: [],
      controlled: true,
    });
    await load();
    const modelRequests = () =>
      requests.filter((r) => new URL(r.url()).pathname.startsWith('/models/')).length;
    expect(modelRequests()).toBe(4); // config, tokenizer, tokenizer config, weights: once
    await load(); // a second load reads the verified cache
    expect(modelRequests()).toBe(4);
    const beforeTraining = requests.length;
    const trained = await train();
    expect(trained.error).toBeUndefined();
    await predict(trained.bytes!);
    expect(requests.slice(beforeTraining).map((r) => r.url())).toEqual([]);
    const origin = new URL(server.url).origin;
    for (const r of requests) {
      expect(new URL(r.url()).origin).toBe(origin);
      const carried = `${decodeURIComponent(r.url())} ${r.postData() ?? ''}`;
      for (const e of history) expect(carried.includes(e.text as string)).toBe(false);
    }
    expect(requests.some((r) => r.method() !== 'GET')).toBe(false);
  });

  it('a hard reload (which bypasses the service worker) never leaves offline setup waiting', async () => {
    await open();
    const first = await page.evaluate(() => (window as never as Win).harness.enableOffline());
    expect(first.controlled).toBe(true);
    const cdp = await browser.newCDPSession(page);
    await cdp.send('Page.reload', { ignoreCache: true });
    await page.waitForFunction(() => document.body.dataset.ready === 'true');
    const started = Date.now();
    const after = await page.evaluate(() =>
      Promise.race([
        (window as never as Win).harness.enableOffline(),
        new Promise((resolve) => setTimeout(() => resolve('still waiting after 15 s'), 15_000)),
      ]),
    );
    expect(after).toEqual({ failed: [], controlled: false });
    expect(Date.now() - started).toBeLessThan(5000);
    await open(); // a normal load again, with the engine, for the next test
    await load();
  });

  it('the engine worker reaches no other origin, even one that allows it', async () => {
    const other = createServer((_, res) =>
      res
        .writeHead(200, {
          'access-control-allow-origin': '*',
          'cross-origin-resource-policy': 'cross-origin',
        })
        .end('reached'),
    );
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const engine = page.workers().find((w) => w.url().includes('engine-worker'))!;
      const outcome = await engine.evaluate(
        async (url) => {
          const seen: string[] = [];
          self.addEventListener('securitypolicyviolation', (e) => seen.push(e.effectiveDirective));
          const answer = await fetch(url).then(
            (r) => r.text(),
            () => 'refused',
          );
          await new Promise((resolve) => setTimeout(resolve, 100)); // the report is queued after the fetch
          return { answer, seen };
        },
        `http://127.0.0.1:${(other.address() as AddressInfo).port}/`,
      );
      expect(outcome).toEqual({ answer: 'refused', seen: ['connect-src'] });
    } finally {
      other.close();
    }
  });

  it('the service worker keeps no answer its server marks no-store', async () => {
    await browser.route('**/answer-*.txt', (route) =>
      route.fulfill({
        body: 'answer',
        contentType: 'text/plain',
        headers: {
          'cache-control': route.request().url().includes('no-store') ? 'private, no-store' : 'no-cache',
        },
      }),
    );
    try {
      const origin = new URL(server.url).origin;
      expect(await precache([`${origin}/answer-no-store-1.txt`])).toEqual([
        `${origin}/answer-no-store-1.txt`,
      ]);
      const kept = await page.evaluate(async () => {
        for (const path of ['/answer-no-store-2.txt', '/answer-no-cache.txt'])
          await (await fetch(path)).text();
        while (!(await caches.match('/answer-no-cache.txt'))) await new Promise((r) => setTimeout(r, 20));
        const paths = ['/answer-no-store-1.txt', '/answer-no-store-2.txt', '/answer-no-cache.txt'];
        return Promise.all(paths.map(async (path) => (await caches.match(path)) !== undefined));
      });
      expect(kept).toEqual([false, false, true]);
    } finally {
      await browser.unroute('**/answer-*.txt');
    }
  });

  it('reloads, trains and predicts with the network gone', async () => {
    const online = await train();
    const onlinePredictions = await predict(online.bytes!);
    await browser.setOffline(true);
    await server.close(); // and nothing left to reach
    // Everything the page loaded is kept, so nothing is missing, whatever the page's query; a file
    // never kept is.
    for (const query of ['', '?another=query']) {
      await page.goto(`${server.url}/bench/harness/index.html${query}`);
      await page.waitForFunction(() => document.body.dataset.ready === 'true');
      expect(await page.evaluate(() => (window as never as Win).harness.enableOffline())).toEqual({
        failed: [],
        controlled: true,
      });
    }
    const never = `${new URL(server.url).origin}/never-kept.js`;
    expect(await precache([never])).toEqual([never]);
    const info = await load();
    expect(info.backend.backend).toBe('webgpu');
    const offline = await train();
    expect(offline.error).toBeUndefined();
    expect(offline.bytes).toEqual(online.bytes);
    expect(await predict(offline.bytes!)).toEqual(onlinePredictions);
  });
});
