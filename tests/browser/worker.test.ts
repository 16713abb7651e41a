// The engine in a Web Worker in real Chromium on WebGPU: the page stays responsive while a profile
// trains, cancellation crosses the boundary, the regenerated bank is bit-identical to Node's, and a
// profile trained on WebGPU predicts like the same profile trained on cpu in Node; createPersonalizer
// runs there in a worker by default.

import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HarnessWindow as Win } from '../../bench/harness/harness';
import {
  CHECKPOINT_FILES,
  createRandomBank,
  disposeBank,
  Engine,
  LanguageModel,
  Profile,
  useBackend,
} from '../../src/advanced';
import { bankFingerprint, readBankArrays } from '../../src/bank/bank';
import { openHarness, ROOT, type Site, startSite } from '../../tools/site';
import { QUICK_TRAINING, SENTIMENT, sst2Examples } from '../helpers/sst2';
import { TINY_CONFIG, writeTinyModel } from '../helpers/tiny-model';

const BANK = { seed: 7, n: 16, r: 4 };
const history = sst2Examples('train', 48);
const probe = sst2Examples('dev', 8).map((e) => e.text as string);
const options = { ...QUICK_TRAINING, epochs: 2 };

describe('worker engine in Chromium', () => {
  let site: Site;
  let page: Page;
  let modelDir: string;

  beforeAll(async () => {
    modelDir = writeTinyModel({ seed: 61 });
    site = await startSite({
      '/models/tiny/': modelDir,
      '/tfjs-wasm/': join(ROOT, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist'),
    });
    page = site.page;
    await openHarness(page, site.server.url);
  });
  afterAll(() => site?.close());

  it('runs on WebGPU in the worker with a bank bit-identical to Node', async () => {
    const info = await page.evaluate(
      (bank) => (window as never as Win).harness.load('/models/tiny', 'webgpu', bank),
      BANK,
    );
    expect(info.backend.backend).toBe('webgpu');
    await useBackend('cpu');
    const bank = await createRandomBank(BANK, TINY_CONFIG.hiddenSize, TINY_CONFIG.numLayers);
    expect(info.bankDigest).toBe(await bankFingerprint(bank, await readBankArrays(bank)));
    disposeBank(bank);
  });

  it('trains without long tasks on the page and predicts like the same training on cpu in Node', async () => {
    const trained = await page.evaluate(([h, o]) => (window as never as Win).harness.train(h, o), [
      history,
      options,
    ] as const);
    expect(trained.error).toBeUndefined();
    expect(trained.steps).toHaveLength(12);
    expect(trained.longTasks.filter((d) => d > 100)).toEqual([]);
    const inBrowser = await page.evaluate(([b, t]) => (window as never as Win).harness.predict(b, t), [
      trained.bytes!,
      probe,
    ] as const);

    await useBackend('cpu');
    const model = await LanguageModel.load({ kind: 'dir', path: modelDir });
    const engine = await Engine.load({ model, bank: { kind: 'random', ...BANK }, task: SENTIMENT });
    const { profile } = await engine.train(history, options);
    const inNode = await engine.predict(profile, probe);
    const webgpuProfile = Profile.fromBytes(new Uint8Array(trained.bytes!));
    // The same selection of adapters on both backends, and probabilities equal to within 1e-6.
    expect(Array.from(webgpuProfile.data.scores)).toEqual(Array.from(profile.data.scores));
    const diffs = inNode.flatMap((p, i) => {
      if (!('probabilities' in p)) throw new Error('A classification engine must predict probabilities.');
      return p.probabilities.map((v, j) => Math.abs(v - inBrowser[i]![j]!));
    });
    expect(diffs).toHaveLength(
      probe.length * (SENTIMENT.kind === 'classification' ? SENTIMENT.labels.length : 1),
    );
    console.info(
      `WebGPU (worker) vs cpu (Node): max probability difference ${Math.max(...diffs).toExponential(2)}`,
    );
    expect(Math.max(...diffs)).toBeLessThan(1e-6);
    engine.dispose();
    model.dispose();
  });

  it('createPersonalizer runs in a worker by default, loads wasm from env.wasmPaths, keeps the model’s files in the Cache API and the profile in IndexedDB, and predicts like Node', async () => {
    const wasmFetched: string[] = [];
    site.browser.on('request', (r) => {
      if (r.url().endsWith('.wasm')) wasmFetched.push(new URL(r.url()).pathname);
    });
    const result = await page.evaluate(
      ([b, h, o, t]) =>
        (window as never as Win).harness.personalize('/models/tiny', b, h, o, t, '/tfjs-wasm/'),
      [BANK, history, options, probe] as const,
    );
    expect(result.runsIn).toBe('worker');
    // The model's files are kept in the Cache API for the next visit (FILE_CACHE, the default).
    for (const file of CHECKPOINT_FILES)
      expect(
        result.cached.some((url) => decodeURIComponent(url).includes(`/models/tiny/${file}`)),
        file,
      ).toBe(true);
    // env.wasmPaths reached the worker: its WebAssembly binary came from there.
    expect(wasmFetched.length).toBeGreaterThan(0);
    for (const path of wasmFetched) expect(path).toMatch(/^\/tfjs-wasm\/tfjs-backend-wasm[\w-]*\.wasm$/);
    await useBackend('cpu');
    const engine = await Engine.load({
      model: { kind: 'dir', path: modelDir },
      bank: { kind: 'random', ...BANK },
      task: SENTIMENT,
    });
    try {
      const { profile } = await engine.train(history, options);
      const inPage = Profile.fromBytes(new Uint8Array(result.bytes));
      expect(Array.from(inPage.data.scores)).toEqual(Array.from(profile.data.scores));
      const inNode = await engine.predict(profile, probe);
      for (const [i, p] of inNode.entries()) {
        const q = result.predictions[i]!;
        if (!('probabilities' in p) || !('probabilities' in q)) throw new Error('expected probabilities');
        for (const [j, v] of p.probabilities.entries())
          expect(Math.abs(v - q.probabilities[j]!)).toBeLessThan(1e-5);
      }
    } finally {
      engine.dispose();
    }
  });

  it('cancels a training job from the page', async () => {
    const result = await page.evaluate(([h, o]) => (window as never as Win).harness.train(h, o, 3), [
      history,
      { ...options, epochs: 20 },
    ] as const);
    expect(result.error).toMatch(/AbortError|cancelled/);
    expect(result.steps.length).toBeGreaterThan(0);
    expect(Math.max(...result.steps)).toBeLessThan(10);
    // A signal aborted before the call never starts a job, and the engine still trains afterwards.
    const before = await page.evaluate(([h, o]) => (window as never as Win).harness.train(h, o, 0), [
      history,
      options,
    ] as const);
    expect(before.error).toMatch(/AbortError|abort/i);
    expect(before.steps).toEqual([]);
    const after = await page.evaluate(([h, o]) => (window as never as Win).harness.train(h, o), [
      history,
      options,
    ] as const);
    expect(after.error).toBeUndefined();
  });
});
