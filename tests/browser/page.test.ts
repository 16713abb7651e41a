// The built site in real Chromium: the transformers.js tokenizer and the tfjs encoder work in the
// browser bundle and give the same tokens and similarities as Node.

import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cosineSimilarity, LanguageModel, useBackend } from '../../src/index';
import { launchBrowser } from '../helpers/browser';
import { type FileServer, serveFolders } from '../helpers/file-server';
import { buildSite } from '../helpers/site';
import { writeTinyModel } from '../helpers/tiny-model';

const SENTENCES = [
  'A man is playing a guitar.',
  'Someone plays an instrument.',
  'The stock market fell sharply today.',
];

describe('the built page in Chromium', () => {
  let server: FileServer;
  let browser: BrowserContext;
  let nodeTokens: string;
  let nodeSimilarity: number[][];

  beforeAll(async () => {
    const outDir = await buildSite();
    const modelDir = writeTinyModel({ seed: 11 });
    server = await serveFolders({ '/models/tiny/': modelDir, '/': outDir });
    await useBackend('cpu');
    const model = await LanguageModel.load({ kind: 'dir', path: modelDir });
    const batch = model.tokenize(SENTENCES);
    nodeTokens = SENTENCES.map((_, i) =>
      Array.from(batch.inputIds.subarray(i * batch.seqLen, i * batch.seqLen + batch.lengths[i]!)).join(' '),
    ).join('\n');
    const emb = await model.embed(SENTENCES);
    nodeSimilarity = emb.map((a) => emb.map((b) => cosineSimilarity(a, b)));
    model.dispose();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const backend of ['cpu', 'webgpu'] as const) {
    it(`tokenizes and encodes like Node on the ${backend} backend`, async () => {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${server.url}/?model=/models/tiny&backend=${backend}`);
      await page.waitForFunction(() => document.body.dataset.backend || document.body.dataset.error, null, {
        timeout: 60_000,
      });
      expect(await page.evaluate(() => document.body.dataset.error)).toBeUndefined();
      expect(await page.evaluate(() => document.body.dataset.backend)).toBe(backend);
      const adapter = JSON.parse((await page.evaluate(() => document.body.dataset.adapter)) ?? 'null');
      if (backend === 'webgpu')
        expect(adapter, JSON.stringify(adapter)).toMatchObject({
          architecture: 'swiftshader',
          isFallback: true,
        });
      else expect(adapter).toBeNull();
      await page.click('#compare');
      await page.waitForFunction(() => document.body.dataset.done === 'true', null, { timeout: 60_000 });
      expect(await page.textContent('#tokens')).toBe(nodeTokens);
      const cells = await page.$$eval('#similarity tr', (rows) =>
        rows.map((r) => Array.from(r.querySelectorAll('td'), (td) => Number(td.textContent))),
      );
      cells.forEach((row, i) => {
        row.forEach((v, j) => {
          expect(Math.abs(v - nodeSimilarity[i]![j]!)).toBeLessThanOrEqual(1e-3); // page prints 3 decimals
        });
      });
      expect(errors).toEqual([]);
      await page.close();
    });
  }
});
