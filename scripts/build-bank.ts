// Builds the demo page's trained banks (recipes in eval/page-banks.ts): for each dataset in ../shared/data
// a bank of adapters trained on source people plus the population head, written to banks/page/ with the
// texts the page ranks (<dataset>-texts.json) and an index.json that the page reads (who each adapter's
// person is among it). Bank files derive from research-use data: generated, never committed.
// Usage: npm run bank:build -- [--if-missing] [--out banks/page] [--model ./models/all-MiniLM-L6-v2]
//        [--backend wasm] [--sources N] [--epochs E] [--max-length L] [--population-texts T] [--first-layer F]
// (the last five override both recipes, for quick builds such as the browser tests' tiny ones)

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AMAZON_CSV } from '../eval/amazon';
import { JESTER_DIR } from '../eval/jester';
import { pageTexts, sourcePeople } from '../eval/page-bank-files';
import {
  buildPageBank,
  PAGE_BANK_RECIPES,
  type PageBankRecipe,
  pageBankPeople,
  pageBankWork,
  sourceRule,
} from '../eval/page-banks';
import { POPQUORN_CSV } from '../eval/popquorn';
import { parseModelSource, saveBankFile } from '../src/advanced';
import { PAGE_BANKS_FORMAT, type PageBank, type PageBankIndex } from '../src/app/presets';
import { disposeBank } from '../src/bank/bank';
import { sha256Hex } from '../src/util/sha256';
import { checkFlags, flag } from '../tools/args';
import { checkpointDigests } from '../tools/model-digests';
import { modelFlag, modelFromFlags } from '../tools/model-flags';
import { progressBar } from '../tools/progress';

checkFlags(import.meta.filename);

const out = flag('out', join(import.meta.dirname, '..', 'banks', 'page'));
const modelSpec = modelFlag();
const override = (name: string, key: keyof PageBankRecipe) =>
  process.argv.includes(`--${name}`) ? { [key]: Number(flag(name, '0')) } : {};
const recipes: PageBankRecipe[] = PAGE_BANK_RECIPES.map((r) => ({
  ...r,
  ...override('sources', 'sources'),
  ...override('epochs', 'epochs'),
  ...override('max-length', 'maxLength'),
  ...override('population-texts', 'populationTexts'),
  ...override('first-layer', 'firstLayer'),
}));

/** The index already on disk, if it was built from these recipes for this model and its files are there. */
function upToDate(): boolean {
  const path = join(out, 'index.json');
  if (!existsSync(path)) return false;
  const index = JSON.parse(readFileSync(path, 'utf8')) as PageBankIndex & { model?: string };
  return (
    index.format === PAGE_BANKS_FORMAT &&
    index.model === modelSpec &&
    recipes.every((r) => {
      const bank = index.banks[r.preset];
      const files = [bank?.file, bank?.texts].map((f) => f && existsSync(join(out, f)));
      return bank && JSON.stringify(bank.recipe) === JSON.stringify(r) && files.every(Boolean);
    })
  );
}

const DATASETS = [POPQUORN_CSV, AMAZON_CSV, join(JESTER_DIR, 'ratings.csv')];
if (!DATASETS.every((path) => existsSync(path))) {
  console.log(`No trained banks: the datasets are not all there (${DATASETS.join(', ')}).`);
  process.exit(0);
}
if (process.argv.includes('--if-missing') && upToDate()) {
  console.log(`The page's trained banks are in ${out}.`);
  process.exit(0);
}

console.log(`Building the page's trained banks into ${out} (once; a few minutes)…`);
const { model } = await modelFromFlags();
const people = recipes.map((r) => pageBankPeople(r));
const work = recipes.map((r, i) => pageBankWork(r, people[i]!, model.config.numLayers).total);
const total = work.reduce((a, b) => a + b, 0);
const bar = progressBar();
const index: PageBankIndex & { model: string } = {
  format: PAGE_BANKS_FORMAT,
  model: modelSpec,
  modelFingerprint: model.fingerprint,
  modelFiles: await checkpointDigests(parseModelSource(modelSpec)),
  banks: {},
};
mkdirSync(out, { recursive: true });
for (const [i, recipe] of recipes.entries()) {
  const before = work.slice(0, i).reduce((a, b) => a + b, 0);
  const started = performance.now();
  const build = await buildPageBank(model, recipe, people[i]!, ({ done, phase }) =>
    bar.update(before + done, total, `${recipe.dataset} ${phase}`),
  );
  const { bank, head, info } = build.built;
  const bytes = await saveBankFile(bank, info, head);
  const file = `${recipe.dataset}.safetensors`;
  writeFileSync(join(out, file), bytes);
  const texts = `${recipe.dataset}-texts.json`;
  const list = pageTexts(recipe, build);
  writeFileSync(join(out, texts), `${JSON.stringify(list, null, 1)}\n`);
  const entry: PageBank = {
    file,
    sha256: await sha256Hex(bytes),
    fingerprint: bank.fingerprint,
    n: bank.n,
    sites: bank.sites,
    bytes: bytes.byteLength,
    dataset: build.source.dataset,
    licence: build.source.licence,
    sources: sourceRule(recipe),
    population: { people: build.headPeople, texts: build.head.texts, labels: build.headLabels },
    recipe,
    maxLength: recipe.maxLength,
    people: sourcePeople(recipe, build.sources),
    texts,
    acknowledgement: list.acknowledgement,
    ...(list.contentNote ? { contentNote: list.contentNote } : {}),
  };
  index.banks[recipe.preset] = entry;
  bar.update(before + work[i]!, total, `${recipe.dataset} done`);
  console.log(
    `${process.stdout.isTTY ? '\n' : ''}${recipe.dataset}: ${file}, N=${bank.n}, ${(bytes.byteLength / 1e6).toFixed(1)} MB, population head on ${build.headLabels} labels (${build.head.texts} texts, ${build.headPeople} people), ${list.texts.length} ${list.noun} to rank, ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  disposeBank(bank);
}
writeFileSync(join(out, 'index.json'), `${JSON.stringify(index, null, 1)}\n`);
bar.finish(`wrote ${join(out, 'index.json')}`);
model.dispose();
