// Writes the sources file the Python bank builder reads (python/xpeft_bank, format xpeft-sources/1):
// a page bank recipe's task, source people with their histories, the population's labels and the
// training settings, taken from ../shared/data exactly as `npm run bank:build` takes them.
// Usage: npm run bank:sources -- --dataset popquorn|amazon --out sources.json [--sources N]

import { writeFileSync } from 'node:fs';
import { PAGE_BANK_RECIPES, pageBankPeople } from '../eval/page-banks';
import { checkFlags, flag } from '../tools/args';

checkFlags(import.meta.filename);

const dataset = flag('dataset', 'popquorn');
const base = PAGE_BANK_RECIPES.find((r) => r.dataset === dataset);
if (!base) throw new Error(`--dataset must be one of ${PAGE_BANK_RECIPES.map((r) => r.dataset).join(', ')}.`);
const recipe = { ...base, sources: Number(flag('sources', String(base.sources))) };
const out = flag('out', `sources-${dataset}.json`);
const people = pageBankPeople(recipe);
const file = {
  format: 'xpeft-sources/1',
  description: `${people.source.dataset} (${people.source.licence}): ${people.sources.length} source people, population of ${people.population.length} labels`,
  task: recipe.task,
  recipe: {
    placement: 'pfeiffer',
    activation: 'relu',
    first_layer: recipe.firstLayer,
    epochs: recipe.epochs,
    batch_size: 16,
    max_length: recipe.maxLength,
    learning_rate: recipe.adapterLearningRate,
    population_texts: recipe.populationTexts,
  },
  sources: people.sources.map((s) => ({ id: s.id, history: s.history })),
  population: people.population.map(({ text, label }) => ({ text, label })),
};
writeFileSync(out, `${JSON.stringify(file)}\n`);
console.log(`${out}: ${file.description}`);
