// Backends side by side in headless Chromium, on the real default model and the page's trained banks:
//  - the page as a user meets it: each run in a fresh browser profile, the default page (backend chosen
//    by measurement) against every forced backend, with Chromium's default flags and with
//    --enable-unsafe-webgpu: which backend the page took, what choosing cost on the first visit and on
//    the next one, the time from clicking Train on a 50-example sample person to done, and to the
//    personal answer shown after clicking Compare. Slow backends are stopped at --cap seconds.
//  - WebAssembly threads: figure 1 (our encoder ÷ transformers.js, both sides on the same threads) and
//    a training step (figure 4), with one thread and with --threads threads.
// Writes results/bench/backends.json and regenerates docs/performance.md.
//  A page run that finishes is repeated (--repeats rounds, interleaved, each in a fresh profile) and
//  reported by its medians.
// Usage: npm run bench:backends -- [--sample popquorn-258] [--cap 150] [--threads 2] [--parts page,threads]
//        [--repeats 3]

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { readSst2 } from '../eval/glue';
import { checkFlags, flag } from '../tools/args';
import { launchBrowser } from '../tools/browser';
import { MODEL_DIR, MODEL_URL } from '../tools/paths';
import { serveFolders } from '../tools/serve-folders';
import { buildSite, openHarness, ROOT, writeSamples } from '../tools/site';
import { median } from '../tools/stats';
import type { HarnessWindow as Win } from './harness/harness';
import { writePerformanceReport } from './report';
import type { BackendsResult, PageRun } from './results';

checkFlags(import.meta.filename);

const sample = flag('sample', 'popquorn-258');
const capS = Number(flag('cap', '150'));
const threads = Number(flag('threads', '2'));
const parts = flag('parts', 'page,threads').split(',');
const repeats = Number(flag('repeats', '3'));
const modelDir = MODEL_DIR;
const banksDir = join(ROOT, 'banks', 'page');
if (!existsSync(join(banksDir, 'index.json'))) throw new Error('Run `npm run bank:build` first.');

const outDir = await buildSite();
writeSamples(outDir);
const server = await serveFolders({
  '/models/': join(ROOT, 'models'),
  '/banks/': banksDir,
  '/ort/': join(ROOT, 'node_modules', 'onnxruntime-web', 'dist'),
  '/': outDir,
});
const body = (page: Page, key: string) => page.evaluate((k) => document.body.dataset[k], key);
const ready = (page: Page, timeout: number) =>
  page.waitForFunction(() => document.body.dataset.ready === 'true' || document.body.dataset.error, null, {
    timeout,
  });

async function pageRun(flags: PageRun['flags'], requested: string, threads?: number): Promise<PageRun> {
  const run: PageRun = { flags, requested, ...(threads ? { threads } : {}) };
  const browser = await launchBrowser({ webgpu: flags === 'webgpu' });
  const page = await browser.newPage();
  try {
    const query = [requested === 'auto' ? '' : `backend=${requested}`, threads ? `threads=${threads}` : '']
      .filter(Boolean)
      .join('&');
    const url = `${server.url}/${query ? `?${query}` : ''}`;
    await page.goto(url);
    await ready(page, 600_000);
    const error = await body(page, 'error');
    if (error) return { ...run, stopped: error.split('\n')[0] };
    run.backend = await body(page, 'backend');
    run.note = (await page.textContent('#backend-note')) ?? '';
    run.selectionFirstMs = Number(await body(page, 'backendSelectionMs'));
    await page.reload();
    await ready(page, 600_000);
    run.selectionLaterMs = Number(await body(page, 'backendSelectionMs'));
    await page.selectOption('#sample', sample);
    await page.click('#load-sample');
    const started = performance.now();
    await page.click('#train-go');
    const wait = (key: string) =>
      page.waitForFunction((k) => document.body.dataset[k] === '1', key, { timeout: capS * 1000 });
    try {
      await wait('trained');
      run.trainS = (performance.now() - started) / 1000;
      await page.fill('#try-text', 'You are a complete idiot and everyone knows it.');
      await page.click('#try-go');
      await wait('compared');
      run.answerS = (performance.now() - started) / 1000;
    } catch {
      run.stopped = `stopped at the ${capS} s cap`;
    }
    return run;
  } finally {
    await browser.close();
  }
}

/**
 * Page runs of each configuration, `repeats` rounds of them interleaved (so drift in the machine's speed
 * falls on every configuration alike); a configuration that stops runs once. Each comes back as one run
 * with the medians of its times.
 */
async function repeatedRuns(
  configs: readonly { flags: PageRun['flags']; requested: string; threads?: number }[],
): Promise<PageRun[]> {
  const runs = configs.map((): PageRun[] => []);
  for (let round = 0; round < repeats; round++) {
    for (const [i, c] of configs.entries()) {
      if (runs[i]!.some((r) => r.stopped)) continue;
      const run = await pageRun(c.flags, c.requested, c.threads);
      console.log(JSON.stringify(run));
      runs[i]!.push(run);
    }
  }
  return runs.map((each) => {
    const stopped = each.find((r) => r.stopped);
    if (stopped) return stopped;
    const mid = (pick: (r: PageRun) => number | undefined) => median(each.map((r) => pick(r)!));
    return {
      ...each[0]!,
      selectionFirstMs: mid((r) => r.selectionFirstMs),
      selectionLaterMs: mid((r) => r.selectionLaterMs),
      trainS: mid((r) => r.trainS),
      answerS: mid((r) => r.answerS),
      trainRuns: each.map((r) => r.trainS!),
    };
  });
}

// A run of one part keeps the other part's results from the last run.
const file = join(ROOT, 'results', 'bench', 'backends.json');
const previous = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as BackendsResult) : undefined;
const results: BackendsResult = {
  at: new Date().toISOString(),
  sample,
  // The cap the kept page runs ran under, when this run leaves them as they were.
  capS: parts.includes('page') ? capS : (previous?.capS ?? capS),
  pageRuns: parts.includes('page') ? [] : (previous?.pageRuns ?? []),
  ...(!parts.includes('threads') && previous?.threads
    ? { threads: previous.threads, ...(previous.threadRuns ? { threadRuns: previous.threadRuns } : {}) }
    : {}),
};
if (parts.includes('page')) {
  const requested = ['auto', 'wasm', 'webgl', 'webgpu', 'cpu'];
  for (const flags of ['default', 'webgpu'] as const)
    results.pageRuns.push(...(await repeatedRuns(requested.map((r) => ({ flags, requested: r })))));
}

if (parts.includes('threads')) {
  const words = readSst2('dev').flatMap((e) => e.text.split(' '));
  // Figure 1 at 32 and 256 tokens (Jester's jokes run to ~250); figure 4 (a training step) at 32 only:
  // at 8 × 256 it aborts tfjs's wasm backend (out of WebAssembly memory) on this machine.
  const short = { batch: 8, tokens: 32 };
  const runs: { figures: number[]; shapes: { batch: number; tokens: number }[] }[] = existsSync(
    join(modelDir, 'onnx', 'model.onnx'),
  )
    ? [
        { figures: [1], shapes: [short, { batch: 8, tokens: 256 }] },
        { figures: [4], shapes: [short] },
      ]
    : [{ figures: [2, 4], shapes: [short] }]; // figure 1 needs the ONNX export (npm run model:onnx)
  const byThreads: NonNullable<BackendsResult['threads']> = {};
  const browser = await launchBrowser();
  for (const count of [1, threads]) {
    for (const { figures, shapes } of runs) {
      const page = await browser.newPage();
      await openHarness(page, server.url);
      const run = await page.evaluate(
        ([m, w, o, t]) => (window as never as Win).harness.benchFigures(m, 'wasm', w, o, t),
        [MODEL_URL, words, { figures, shapes, repeats: 3, memorySteps: 0 }, count] as const,
      );
      console.log(count, JSON.stringify(run));
      const seen = byThreads[count];
      byThreads[count] = {
        rows: [...(seen?.rows ?? []), ...run.rows],
        used: {
          ...seen?.used,
          ...Object.fromEntries(Object.entries(run.used).filter(([, v]) => v !== undefined)),
        },
      };
      await page.close();
    }
  }
  await browser.close();
  results.threads = byThreads;
  results.threadRuns = await repeatedRuns(
    [1, threads].map((count) => ({ flags: 'default' as const, requested: 'wasm', threads: count })),
  );
}

await server.close();
mkdirSync(join(ROOT, 'results', 'bench'), { recursive: true });
writeFileSync(file, `${JSON.stringify(results, null, 1)}\n`);
writePerformanceReport();
