// The built bundle in real Chromium: the transformers.js tokenizer and the tfjs encoder work in the
// browser and give the same tokens and similarities as Node, on the cpu and WebGPU backends.

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HarnessWindow as Win } from '../../bench/harness/harness';
import { cosineSimilarity, LanguageModel, useBackend } from '../../src/advanced';
import { openHarness, type Site, startSite } from '../../tools/site';
import { writeTinyModel } from '../helpers/tiny-model';

const SENTENCES = [
  'A man is playing a guitar.',
  'Someone plays an instrument.',
  'The stock market fell sharply today.',
];

describe('the encoder in the browser bundle', () => {
  let site: Site;
  let page: Page;
  let nodeTokens: number[][];
  let nodeSimilarity: number[][];

  beforeAll(async () => {
    const modelDir = writeTinyModel({ seed: 11 });
    site = await startSite({ '/models/tiny/': modelDir });
    page = site.page;
    await useBackend('cpu');
    const model = await LanguageModel.load({ kind: 'dir', path: modelDir });
    const batch = model.tokenize(SENTENCES);
    nodeTokens = SENTENCES.map((_, i) =>
      Array.from(batch.inputIds.subarray(i * batch.seqLen, i * batch.seqLen + batch.lengths[i]!)),
    );
    const emb = await model.embed(SENTENCES);
    nodeSimilarity = emb.map((a) => emb.map((b) => cosineSimilarity(a, b)));
    model.dispose();
    await openHarness(page, site.server.url);
  });
  afterAll(() => site?.close());

  for (const backend of ['cpu', 'webgpu'] as const) {
    it(`tokenizes and encodes like Node on the ${backend} backend`, async () => {
      const out = await page.evaluate(
        ([b, s]) => (window as never as Win).harness.similarity('/models/tiny', b, s),
        [backend, SENTENCES] as const,
      );
      expect(out.report.backend).toBe(backend);
      if (backend === 'webgpu')
        expect(out.report.adapter, JSON.stringify(out.report.adapter)).toMatchObject({
          architecture: 'swiftshader',
          isFallback: true,
        });
      else expect(out.report.adapter).toBeUndefined();
      expect(out.tokens).toEqual(nodeTokens);
      out.similarity.forEach((row, i) => {
        row.forEach((v, j) => {
          expect(Math.abs(v - nodeSimilarity[i]![j]!)).toBeLessThanOrEqual(1e-4);
        });
      });
    });
  }
});
