// Browser benchmark: one training step and one prediction batch of the worker engine in headless
// Chromium, on each backend, for the tiny test model and the real default model. SwiftShader WebGPU is
// a CPU emulation here: compare backends on one machine, never read these as GPU timings.
// Usage: npm run bench:browser -- [--backends webgpu,webgl,wasm,cpu] [--models tiny,default] [--steps 4]

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readSst2 } from '../eval/glue';
import { flag, median } from '../scripts/args';
import { serveFolders } from '../scripts/serve-folders';
import type { BackendName } from '../src/index';
import type { HarnessWindow as Win } from '../tests/browser/harness/harness';
import { launchBrowser } from '../tests/helpers/browser';
import { buildSite, openHarness, ROOT } from '../tests/helpers/site';
import { writeTinyModel } from '../tests/helpers/tiny-model';

const backends = flag('backends', 'webgpu,webgl,wasm,cpu').split(',') as BackendName[];
const models = flag('models', 'tiny,default').split(',');
const steps = Number(flag('steps', '4'));
const batch = 8;
const defaultDir = join(ROOT, 'models', 'all-MiniLM-L6-v2');
if (models.includes('default') && !existsSync(defaultDir))
  throw new Error('Run `npm run model:fetch` first.');

const server = await serveFolders({
  '/models/tiny/': writeTinyModel({ seed: 1 }),
  '/models/default/': defaultDir,
  '/': await buildSite(),
});
const browser = await launchBrowser();
const page = await browser.newPage();
await openHarness(page, server.url);
const history = readSst2('train')
  .slice(0, batch * (steps + 1))
  .map((e) => ({ text: e.text, label: e.label === 1 ? 'positive' : 'negative' }));
const texts = readSst2('dev')
  .slice(0, batch)
  .map((e) => e.text);

console.log(
  `Chromium (headless, ${process.platform}), worker engine, batch ${batch} SST-2 sentences, N=100 random bank, hard k=10`,
);
console.log(
  '| model | backend | adapter | training step, median ms (after 1 warm-up) | prediction batch, median ms |',
);
console.log('|---|---|---|---|---|');
for (const model of models) {
  for (const backend of backends) {
    try {
      const info = await page.evaluate(
        ([m, b]) => (window as never as Win).harness.load(`/models/${m}`, b, { seed: 1, n: 100 }),
        [model, backend] as const,
      );
      const result = await page.evaluate(
        ([h, t, r]) =>
          (window as never as Win).harness.bench(
            h,
            { epochs: 1, batchSize: 8, heldOutFraction: 0, maxLength: 64 },
            t,
            r,
          ),
        [history, texts, 3] as const,
      );
      const adapter = info.backend.adapter?.architecture ?? '–';
      console.log(
        `| ${model} | ${info.backend.backend} | ${adapter} | ${median(result.steps.slice(1)).toFixed(0)} | ${median(result.predictions).toFixed(0)} |`,
      );
    } catch (e) {
      console.log(`| ${model} | ${backend} | – | unavailable: ${(e as Error).message.split('\n')[0]} | – |`);
    }
  }
}
await browser.close();
await server.close();
