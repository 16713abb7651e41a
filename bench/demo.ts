// The demo page's first minute, timed in headless Chromium on the real default model and the page's
// trained banks (banks/page/, from `npm run bank:build`): a cold load (files downloaded), a warm load
// (from the verified cache), training a sample person's mask with the page's defaults, and the first and
// second comparisons (the generic answer is the bank's population head: nothing is trained for it), and
// ranking the texts shipped with the bank that the person has not rated. Over Jester's jokes the page
// reads them through the layers below the adapter sites once when the kind of answer is shown (while a
// visitor rates); that read is timed apart, then Train → ranked list.
// Usage: npm run bench:demo -- [--backend wasm] [--sample popquorn-258 | jester-u20148] [--epochs 3]

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { PAGE_TRAINING } from '../src/app/presets';
import { checkFlags, flag } from '../tools/args';
import { MODEL_DIR } from '../tools/paths';
import { ROOT, startSite, writeSamples } from '../tools/site';

checkFlags(import.meta.filename);

const backend = flag('backend', 'wasm');
const sample = flag('sample', 'popquorn-258');
const epochs = flag('epochs', String(PAGE_TRAINING.epochs));
const modelDir = MODEL_DIR;
const banksDir = join(ROOT, 'banks', 'page');
if (!existsSync(modelDir)) throw new Error('Run `npm run model:fetch` first.');
if (!existsSync(join(banksDir, 'index.json'))) throw new Error('Run `npm run bank:build` first.');

const site = await startSite({ '/models/': join(ROOT, 'models'), '/banks/': banksDir });
writeSamples(site.outDir);
const { page } = site;
const url = `${site.server.url}/?backend=${backend}`;

async function timed(what: string, action: (p: Page) => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await action(page);
  const s = (performance.now() - t) / 1000;
  console.log(`| ${what} | ${s.toFixed(1)} |`);
  return s;
}
const ready = (p: Page) =>
  p.waitForFunction(() => document.body.dataset.ready === 'true' || document.body.dataset.error, null, {
    timeout: 600_000,
  });
const counter = (p: Page, key: string, value: string) =>
  p.waitForFunction(([k, v]) => document.body.dataset[k!] === v, [key, value] as const, {
    timeout: 1_800_000,
  });

console.log(
  `Chromium (headless), backend ${backend}, default model, trained bank, sample ${sample}, hard k=5, own bias, ${epochs} epochs`,
);
console.log('| step | seconds |\n|---|---|');
await timed('cold load (download, verify, cache)', async (p) => {
  await p.goto(url);
  await ready(p);
});
await timed('warm load (reload from the verified cache)', async (p) => {
  await p.reload();
  await ready(p);
});
// The sample list holds the people of the selected kind of answer.
const preset = JSON.parse(readFileSync(join(site.outDir, 'samples', `${sample}.json`), 'utf8')).preset;
await page.selectOption('#preset', preset);
await page.selectOption('#sample', `${sample}`);
// Jester's bank keeps each joke's states: the page reads the jokes once when their kind is shown.
const readsFirst = sample.startsWith('jester');
await timed(`load the sample${readsFirst ? ' and read the jokes once' : ''}`, async (p) => {
  await p.click('#load-sample');
  if (readsFirst)
    await p.waitForFunction(
      () => document.getElementById('rank-status')?.textContent?.startsWith('Read the'),
      null,
      { timeout: 1_800_000 },
    );
});
await page.fill('#epochs', epochs);
const trainSeconds = await timed('train the sample person', async (p) => {
  await p.click('#train-go');
  await counter(p, 'trained', '1');
});
console.log(`|   ${await page.textContent('#train-status')} | |`);
await page.fill('#try-text', 'You are a complete idiot and everyone knows it.');
await timed('first comparison', async (p) => {
  await p.click('#try-go');
  await counter(p, 'compared', '1');
});
await timed('second comparison', async (p) => {
  await p.click('#try-go');
  await counter(p, 'compared', '2');
});
const rankSeconds = await timed('rank the texts the person has not rated', async (p) => {
  await p.click('#rank-go');
  await counter(p, 'ranked', '1');
});
console.log(`| Train → ranked list | ${(trainSeconds + rankSeconds).toFixed(1)} |`);
console.log(`|   ${await page.textContent('#rank-summary')} | |`);
console.log(
  `\ngeneric: ${await page.textContent('#answer-generic')}; personal: ${await page.textContent('#answer-personal')}; bytes sent while training and predicting: ${await page.evaluate(() => document.body.dataset.sentDuringJobs)}`,
);
console.log(await page.textContent('#sizes'));
await site.close();
