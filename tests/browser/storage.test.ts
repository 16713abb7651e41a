// Profiles saved in the browser's IndexedDB survive a reload, byte for byte.

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HarnessWindow as Win } from '../../bench/harness/harness';
import { Engine, LanguageModel, useBackend } from '../../src/advanced';
import { openHarness, type Site, startSite } from '../../tools/site';
import { SENTIMENT, sst2Examples } from '../helpers/sst2';
import { writeTinyModel } from '../helpers/tiny-model';

describe('profiles in IndexedDB', () => {
  let site: Site;
  let page: Page;
  let bytes: number[];

  beforeAll(async () => {
    site = await startSite();
    page = site.page;
    await useBackend('cpu');
    const model = await LanguageModel.load({ kind: 'dir', path: writeTinyModel({ seed: 91 }) });
    const engine = await Engine.load({
      model,
      bank: { kind: 'random', seed: 1, n: 8, r: 4 },
      task: SENTIMENT,
    });
    const { profile } = await engine.train(sst2Examples('train', 16), {
      epochs: 1,
      batchSize: 8,
      mask: { mode: 'hard', k: 2 },
    });
    bytes = Array.from(profile.toBytes());
    engine.dispose();
    model.dispose();
  });
  afterAll(() => site?.close());

  const open = () => openHarness(page, site.server.url);

  it('restores saved profiles after a reload', async () => {
    await open();
    const saved = await page.evaluate(([b]) => (window as never as Win).harness.saveProfile('Alice', b), [
      bytes,
    ] as const);
    await page.reload();
    await open();
    const listed = await page.evaluate(() => (window as never as Win).harness.listProfiles());
    expect(listed.map((p) => [p.id, p.name])).toEqual([[saved.id, 'Alice']]);
    expect(listed[0]!.data).toEqual(bytes);
  });
});
