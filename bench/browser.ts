// The performance figures (bench/figures.ts) in headless Chromium, on each tfjs backend, on the
// default model; transformers.js runs on onnxruntime-web (wasm, one thread) in the same page. Without a
// GPU, WebGPU runs on SwiftShader and WebGL on a software renderer: compare ratios on one machine, never
// read these as GPU timings. Writes results/bench/chromium-<backend>.json.
// Usage: npm run bench:browser -- [--backends webgpu,webgl,wasm,cpu] [--figures 1,2,3,4,6] [--tokens 32]
//        [--batches 1,8] [--repeats 3]

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readSst2 } from '../eval/glue';
import type { BackendName } from '../src/advanced';
import { checkFlags, flag } from '../tools/args';
import { MODEL_DIR, MODEL_URL } from '../tools/paths';
import { openHarness, ROOT, startSite } from '../tools/site';
import { formatRow, TABLE_HEADER } from './figures';
import type { HarnessWindow as Win } from './harness/harness';
import { saveRows, writePerformanceReport } from './report';

checkFlags(import.meta.filename);

const list = (name: string, fallback: string) => flag(name, fallback).split(',');
const backends = list('backends', 'webgpu,webgl,wasm,cpu') as BackendName[];
const figures = list('figures', '1,2,3,4,6').map(Number);
const shapes = list('batches', '1,8').flatMap((batch) =>
  list('tokens', '32').map((tokens) => ({ batch: Number(batch), tokens: Number(tokens) })),
);
const repeats = Number(flag('repeats', '3'));
const modelDir = MODEL_DIR;
if (!existsSync(join(modelDir, 'onnx', 'model.onnx')) && figures.includes(1))
  throw new Error('Figure 1 needs the ONNX export: run npm run model:onnx first (or leave out figure 1).');

const site = await startSite({
  [`${MODEL_URL}/`]: modelDir,
  '/ort/': join(ROOT, 'node_modules', 'onnxruntime-web', 'dist'),
});
const words = readSst2('dev').flatMap((e) => e.text.split(' '));
for (const backend of backends) {
  const page = await site.browser.newPage();
  await openHarness(page, site.server.url);
  try {
    const result = await page.evaluate(
      ([m, b, w, o]) => (window as never as Win).harness.benchFigures(m, b, w, o),
      [MODEL_URL, backend, words, { figures, shapes, repeats, memorySteps: 0 }] as const,
    );
    const adapter = result.report.adapter;
    console.log(
      `\nChromium (headless), tfjs ${result.report.backend}${adapter ? ` on ${adapter.architecture || adapter.vendor}${adapter.isFallback ? ' (software fallback)' : ''}` : ''}; transformers.js on onnxruntime-web wasm; ${repeats} timed runs after 1 warm-up`,
    );
    console.log(TABLE_HEADER);
    for (const r of result.rows) console.log(formatRow(r));
    const { rows, ...rest } = result;
    const at = new Date().toISOString();
    saveRows(`chromium-${backend}`, { runner: 'chromium', ...rest, repeats, at }, rows, figures);
  } catch (e) {
    console.log(`\n${backend}: ${(e as Error).message.split('\n')[0]}`);
  } finally {
    await page.close();
  }
}
await site.close();
writePerformanceReport();
