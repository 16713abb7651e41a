// The sources file the Python bank builder reads (python/xpeft_bank/sources.py, format
// xpeft-sources/1): a page bank recipe's task, its source people with their histories, the
// population's labels and the training settings, taken from ../shared/data as `npm run bank:build`
// takes them, so both builders train the same people on the same budget.

import { DEFAULT_LEARNING_RATES } from '../src/training/options';
import { type PageBankRecipe, pageBankPeople } from './page-banks';

export function sourcesFile(recipe: PageBankRecipe) {
  const people = pageBankPeople(recipe);
  return {
    format: 'xpeft-sources/1',
    description: `${people.sources.length} source people, population of ${people.population.length} labels`,
    dataset: people.source.dataset,
    licence: people.source.licence,
    task: recipe.task,
    recipe: {
      placement: 'pfeiffer', // buildTrainedBank's default
      activation: 'relu',
      first_layer: recipe.firstLayer,
      epochs: recipe.epochs,
      batch_size: 16,
      max_length: recipe.maxLength,
      learning_rate: recipe.adapterLearningRate,
      population_texts: recipe.populationTexts,
      source_bias: recipe.sourceBias,
      bias_learning_rate: DEFAULT_LEARNING_RATES.head, // the engine's rate for a bias it trains
    },
    sources: people.sources.map((s) => ({ id: s.id, history: s.history })),
    population: people.population.map(({ text, label }, i) => ({
      text,
      label,
      person: people.populationOwners[i],
    })),
  };
}
