// The demo page's trained banks: one recipe per dataset (which people become adapters, how long they
// train, what the population head is fitted on) and the build that follows it. The evaluation can
// import the same recipes to score exactly the banks the page ships.

import type { Example, LanguageModel, Task } from '../src/advanced';
import { type BuiltBank, buildTrainedBank, type SourceProfile } from '../src/training/bank-builder';
import { fitPopulationHead, type PopulationHead } from '../src/training/population-head';
import {
  AMAZON_SOURCE,
  amazonSamplePeople,
  type DatasetSource,
  liked,
  POPQUORN_SOURCE,
  popquornSamplePeople,
  readPageAmazon,
} from './page-people';
import type { Annotator } from './popquorn';
import { readPopquorn } from './popquorn';
import { spreadSources } from './sources';

export interface PageBankRecipe {
  dataset: 'popquorn' | 'amazon';
  preset: 'offensive' | 'like';
  task: Task;
  /** Adapters in the bank, one per source person. */
  sources: number;
  /** A source needs at least this many labels, and at least two different answers. */
  minLabels: number;
  /** A source's adapter trains on their first labels only, up to this many. */
  labelsPerSource: number;
  epochs: number;
  /**
   * The model layer the adapter sites start at. Sites only in the upper layers let a person's training
   * pass each text through the layers below once, instead of at every step (see BankShape.firstLayer).
   */
  firstLayer: number;
  /** Each source adapter trains beside the source's own bias, then dropped (BuildBankOptions.sourceBias). */
  sourceBias: boolean;
  /** Tokens per text, for the adapters and the population head alike (the page trains at 64). */
  maxLength: number;
  /** Adam rate for the adapters: a few steps at the default 1e-3 leave them almost zero. */
  adapterLearningRate: number;
  /** Cap on distinct texts embedded for the population head (one forward pass each). */
  populationTexts: number;
}

/**
 * What both page banks spend, sized so they build in about 4 minutes on a 2-core machine (wasm), where
 * a training step of 16 texts at 64 tokens takes ~3 s and embedding runs at ~13 texts/s: 10 sources ×
 * 2 epochs × 24 labels and 300 population texts per bank.
 */
const PAGE_BANK_BUDGET = {
  sources: 10,
  labelsPerSource: 24,
  epochs: 2,
  firstLayer: 4,
  sourceBias: true,
  maxLength: 64,
  adapterLearningRate: 1e-2,
  populationTexts: 300,
} as const;

export const POPQUORN_PAGE_BANK: PageBankRecipe = {
  dataset: 'popquorn',
  preset: 'offensive',
  task: { kind: 'regression' },
  minLabels: 40,
  ...PAGE_BANK_BUDGET,
};

export const AMAZON_PAGE_BANK: PageBankRecipe = {
  dataset: 'amazon',
  preset: 'like',
  task: { kind: 'classification', labels: ['no', 'yes'] },
  minLabels: 10,
  ...PAGE_BANK_BUDGET,
};

export const PAGE_BANK_RECIPES = [POPQUORN_PAGE_BANK, AMAZON_PAGE_BANK] as const;

export const SOURCE_RULE =
  'people the page never shows as samples, with enough labels and at least two different answers, ' +
  'ordered by their mean answer and taken at even steps from the most lenient to the strictest';

export interface PageBankPeople {
  source: DatasetSource;
  /** The adapters' people, histories in the page's labels and capped to the recipe. */
  sources: SourceProfile[];
  /** Every label of everyone not shown as a sample person: the population head's data. */
  population: Example[];
  /** Whose label each population example is. */
  populationOwners: string[];
}

/** The people of a recipe's dataset, in the page's labels (Amazon: yes/no). */
function people(recipe: PageBankRecipe): { all: Annotator[]; samples: Annotator[]; source: DatasetSource } {
  if (recipe.dataset === 'popquorn') {
    const all = readPopquorn();
    return { all, samples: popquornSamplePeople(all), source: POPQUORN_SOURCE };
  }
  const stars = readPageAmazon();
  const samples = new Set(amazonSamplePeople(stars).map((a) => a.id));
  const all = stars.map((a) => ({
    id: a.id,
    history: a.history.map((e) => ({ ...e, label: liked(e.label) })),
  }));
  return { all, samples: all.filter((a) => samples.has(a.id)), source: AMAZON_SOURCE };
}

/** A person's mean answer: their mean rating, or their share of "yes". */
export function pageBankPeople(recipe: PageBankRecipe): PageBankPeople {
  const { all, samples, source } = people(recipe);
  const shown = new Set(samples.map((a) => a.id));
  const others = all.filter((a) => !shown.has(a.id));
  const sources = spreadSources(others, recipe.sources, recipe.minLabels, recipe.labelsPerSource);
  return {
    source,
    sources,
    population: others.flatMap((a) => a.history),
    populationOwners: others.flatMap((a) => a.history.map(() => a.id)),
  };
}

export interface PageBankBuild extends PageBankPeople {
  built: BuiltBank;
  head: PopulationHead;
  /** People with at least one label among those the population head was fitted on. */
  headPeople: number;
}

/**
 * The work a build does, in units: an embedded text is 1 and a training example is 2 per epoch (a
 * training step costs about twice a forward pass), so one ETA is honest across both phases.
 */
export function pageBankWork(
  recipe: PageBankRecipe,
  data: PageBankPeople,
): { texts: number; perSource: number[]; total: number } {
  const texts = Math.min(recipe.populationTexts, new Set(data.population.map((e) => e.text)).size);
  const perSource = data.sources.map((s) => 2 * recipe.epochs * s.history.length);
  return { texts, perSource, total: texts + perSource.reduce((a, b) => a + b, 0) };
}

/** Builds a recipe's bank: the population head first (each text embedded once), then one adapter per source. */
export async function buildPageBank(
  model: LanguageModel,
  recipe: PageBankRecipe,
  data: PageBankPeople = pageBankPeople(recipe),
  onProgress?: (p: { done: number; total: number; phase: string }) => void,
): Promise<PageBankBuild> {
  const { texts, perSource, total } = pageBankWork(recipe, data);
  const head = await fitPopulationHead(model, recipe.task, data.population, {
    maxTexts: recipe.populationTexts,
    maxLength: recipe.maxLength,
    onProgress: ({ embedded }) =>
      onProgress?.({ done: embedded, total, phase: `population head, ${embedded}/${texts} texts` }),
  });
  const headPeople = new Set(data.populationOwners.filter((_, i) => head.fitted[i])).size;
  onProgress?.({ done: texts, total, phase: `adapters, 0/${data.sources.length} people` });
  const built = await buildTrainedBank(model, recipe.task, data.sources, {
    head: {
      weights: head.head,
      fittedOn: `${head.examples} labels on ${head.texts} texts by ${headPeople} people, none shown as a sample`,
    },
    firstLayer: recipe.firstLayer,
    sourceBias: recipe.sourceBias,
    adapterTraining: {
      epochs: recipe.epochs,
      batchSize: 16,
      heldOutFraction: 0,
      maxLength: recipe.maxLength,
      learningRates: { adapter: recipe.adapterLearningRate },
    },
    onProgress: ({ done, total: n }) =>
      onProgress?.({
        done: texts + perSource.slice(0, done).reduce((a, b) => a + b, 0),
        total,
        phase: `adapters, ${done}/${n} people`,
      }),
  });
  return { ...data, built, head, headPeople };
}
