// Backend choice in real Chromium (WebGPU and WebGL there run on SwiftShader, a software adapter): the
// page is cross-origin isolated, threaded WebAssembly gives the outputs of one thread, 'auto' measures
// every backend and takes the fastest, and a later load remembers the choice without probing.

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HarnessWindow as Win } from '../../bench/harness/harness';
import { openHarness, type Site, startSite } from '../../tools/site';
import { QUICK_TRAINING, sst2Examples } from '../helpers/sst2';
import { writeTinyModel } from '../helpers/tiny-model';

const BANK = { seed: 7, n: 16, r: 4 };
const history = sst2Examples('train', 32);
const texts = sst2Examples('dev', 8).map((e) => e.text as string);
const options = QUICK_TRAINING;

describe('backend choice in Chromium', () => {
  let site: Site;
  let page: Page;

  beforeAll(async () => {
    site = await startSite({ '/models/tiny/': writeTinyModel({ seed: 61 }) });
    page = site.page;
    await openHarness(page, site.server.url);
  });
  afterAll(() => site?.close());

  const load = (backend: string, threads?: number) =>
    page.evaluate(
      ([b, bank, t]) =>
        (window as never as Win).harness.load('/models/tiny', b as 'auto', bank, undefined, t),
      [backend, BANK, threads] as const,
    );
  const trainAndPredict = async () => {
    const trained = await page.evaluate(([h, o]) => (window as never as Win).harness.train(h, o), [
      history,
      options,
    ] as const);
    expect(trained.error).toBeUndefined();
    return page.evaluate(([b, t]) => (window as never as Win).harness.predict(b, t), [
      trained.bytes!,
      texts,
    ] as const);
  };

  it('serves the page cross-origin isolated, and wasm with threads gives the outputs of one thread', async () => {
    const one = await load('wasm', 1);
    expect(one.isolated).toBe(true);
    expect(one.backend.threads).toBe(1);
    const single = await trainAndPredict();
    const many = await load('wasm', 2);
    expect(many.backend.threads).toBe(2);
    const threaded = await trainAndPredict();
    expect(threaded.length).toBe(single.length);
    const gap = Math.max(...threaded.flatMap((row, i) => row.map((p, j) => Math.abs(p - single[i]![j]!))));
    expect(gap).toBeLessThan(1e-5);
  });

  it("'auto' measures every backend that starts, takes the fastest, and remembers it", async () => {
    const first = await load('auto');
    const report = first.backend;
    expect(report.remembered).toBe(false);
    expect(report.timings.map((t) => t.backend).sort()).toEqual(['wasm', 'webgl', 'webgpu']);
    const measured = report.timings.filter((t) => t.msPerStep !== undefined);
    const fastest = measured.reduce((a, b) => (b.msPerStep! < a.msPerStep! ? b : a));
    expect(report.backend).toBe(fastest.backend);
    for (const t of report.timings.filter((t) => t.backend !== 'wasm')) expect(t.software).toBe(true);
    for (const t of report.timings.filter((t) => t.backend !== report.backend))
      expect(report.skipped.find((s) => s.backend === t.backend)?.reason).toBeTruthy();
    const again = await load('auto');
    expect(again.backend).toMatchObject({
      backend: report.backend,
      remembered: true,
      timings: report.timings,
    });
    console.log(
      `auto: ${report.backend} (${report.reason}) — load ${Math.round(first.loadMs)} ms first, ${Math.round(again.loadMs)} ms remembered; selection ${Math.round(report.selectionMs)} ms first, ${Math.round(again.backend.selectionMs)} ms remembered;`,
      JSON.stringify(report.timings),
    );
  });

  it('a lost GPU device moves the engine to wasm, restarts the training there, and keeps stored profiles', async () => {
    await load('wasm', 1);
    const onWasm = await page.evaluate(([h, o]) => (window as never as Win).harness.train(h, o), [
      history,
      options,
    ] as const);
    expect(onWasm.error).toBeUndefined();
    await page.evaluate((b) => (window as never as Win).harness.saveProfile('kept', b), onWasm.bytes!);

    await load('webgpu');
    const outcome = await page.evaluate(
      ([h, o]) => (window as never as Win).harness.train(h, o, undefined, 2),
      [history, options] as const,
    );
    expect(outcome.error).toBeUndefined();
    const { changes, now } = await page.evaluate(() => (window as never as Win).harness.backendChanges());
    expect(now).toBe('wasm');
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ from: 'webgpu', to: { backend: 'wasm' } });
    expect(changes[0]!.reason).toMatch(/GPU device was lost/);
    // Restarted from its start: steps 1, 2 on WebGPU, then all of them again on wasm.
    expect(outcome.steps.slice(0, 3)).toEqual([1, 2, 1]);
    expect(outcome.bytes).toEqual(onWasm.bytes);
    const kept = await page.evaluate(() => (window as never as Win).harness.listProfiles());
    expect(kept.map((p) => p.name)).toContain('kept');
    const predicted = await page.evaluate(([b, t]) => (window as never as Win).harness.predict(b, t), [
      outcome.bytes!,
      texts,
    ] as const);
    expect(predicted).toHaveLength(texts.length);
  });

  it('a worker that dies fails the waiting call, the next call gets a new worker, and errors keep their class', async () => {
    await load('wasm', 1);
    const crash = await page.evaluate(
      ([h, o]) => (window as never as Win).harness.crashDuringTraining(h, o),
      [history, options] as const,
    );
    expect(crash).toEqual({ name: 'WorkerCrashedError', crashed: true });
    expect(await trainAndPredict()).toHaveLength(texts.length);
    const error = await page.evaluate(() => (window as never as Win).harness.trainingError([]));
    expect(error).toMatchObject({ name: 'HistoryError', isHistoryError: true });
  });

  it('a forced backend is not measured', async () => {
    const wasm = await load('wasm');
    console.log(
      `forced wasm: load ${Math.round(wasm.loadMs)} ms, selection ${Math.round(wasm.backend.selectionMs)} ms`,
    );
    const forced = await load('webgl');
    expect(forced.backend).toMatchObject({ backend: 'webgl', timings: [], remembered: false });
  });
});
