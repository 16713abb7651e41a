// The demo page's trained banks: one recipe per dataset (which people become adapters, how long they
// train, what the population head is fitted on) and the build that follows it. The evaluation can
// import the same recipes to score exactly the banks the page ships.

import type { Example, LanguageModel, Task } from '../src/advanced';
import { textKey, textsPerPass } from '../src/model/tokenizer';
import { type BuiltBank, buildTrainedBank, type SourceProfile } from '../src/training/bank-builder';
import { fitPopulationHead, type PopulationHead } from '../src/training/population-head';
import { type Joke, readJester } from './jester';
import {
  AMAZON_SOURCE,
  amazonSamplePeople,
  type DatasetSource,
  JESTER_SOURCE,
  jesterSamplePeople,
  liked,
  POPQUORN_SOURCE,
  popquornSamplePeople,
  readPageAmazon,
} from './page-people';
import type { Annotator } from './popquorn';
import { readPopquorn } from './popquorn';
import { drawSources, spreadSources } from './sources';
import { textMeans } from './text-means';

export interface PageBankRecipe {
  dataset: 'popquorn' | 'amazon' | 'jester';
  preset: 'offensive' | 'like' | 'funny';
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
  /**
   * How the sources are chosen among the people with enough labels: spread over the range of mean
   * answers, or a seeded random draw where people differ in what they like rather than how much (Jester,
   * whose most lenient and strictest raters rate nearly every joke alike).
   */
  sourceDraw: { kind: 'spread' } | { kind: 'random'; seed: number };
  /**
   * The population head's data: every label, or each text once at its mean label (a few texts rated by
   * very many people: Jester's 100 jokes and some 350,000 ratings).
   */
  populationLabels: 'all' | 'text-means';
}

/**
 * What the POPQUORN and Amazon page banks spend, sized so they build in about 4 minutes on a 2-core
 * machine (wasm), where a training step of 16 texts at 64 tokens takes ~3 s and embedding runs at ~13
 * texts/s: 10 sources × 2 epochs × 24 labels and 300 population texts per bank.
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
  sourceDraw: { kind: 'spread' },
  populationLabels: 'all',
};

export const AMAZON_PAGE_BANK: PageBankRecipe = {
  dataset: 'amazon',
  preset: 'like',
  task: { kind: 'classification', labels: ['no', 'yes'] },
  minLabels: 10,
  ...PAGE_BANK_BUDGET,
  sourceDraw: { kind: 'spread' },
  populationLabels: 'all',
};

/**
 * Jester's jokes: sites in the last layer only, so a person's training and every new ranking of the
 * jokes run one layer per joke once the layers below have run once; 256 tokens, since jokes run to
 * 300 and at 64 half of them lose their punchline. Sources are people who rated every joke, all 100
 * labels each; the head is fitted on each joke's mean rating.
 */
export const JESTER_PAGE_BANK: PageBankRecipe = {
  dataset: 'jester',
  preset: 'funny',
  task: { kind: 'regression' },
  sources: 30,
  minLabels: 100,
  labelsPerSource: 100,
  // As the evaluation's bank: at 2 epochs (and 5 a person) the page's profile scored 0.050 ± 0.018
  // MAE worse than the evaluation's on the same 100 people (docs/results.md).
  epochs: 3,
  firstLayer: 5,
  sourceBias: true,
  maxLength: 256,
  adapterLearningRate: 1e-2,
  populationTexts: 100,
  sourceDraw: { kind: 'random', seed: 0x4a35 },
  populationLabels: 'text-means',
};

export const PAGE_BANK_RECIPES = [POPQUORN_PAGE_BANK, AMAZON_PAGE_BANK, JESTER_PAGE_BANK] as const;

/**
 * A recipe's source people among `people` (the evaluation's sources): its own rule, with a draw's
 * minimum capped at the most labels anyone has (jester-new's sources lack the 30 held-out jokes).
 */
export function recipeSources(recipe: PageBankRecipe, people: readonly Annotator[]): SourceProfile[] {
  const { sources: count, minLabels, labelsPerSource, sourceDraw } = recipe;
  if (sourceDraw.kind === 'spread') return spreadSources(people, count, minLabels, labelsPerSource);
  const most = Math.max(...people.map((a) => a.history.length));
  return drawSources(people, count, Math.min(minLabels, most), labelsPerSource, sourceDraw.seed);
}

/** How a recipe's source people were chosen, in words (the page's index states it). */
export function sourceRule(recipe: PageBankRecipe): string {
  const who = 'people the page never shows as samples';
  return recipe.sourceDraw.kind === 'spread'
    ? `${who}, with enough labels and at least two different answers, ordered by their mean answer and taken at even steps from the most lenient to the strictest`
    : `${who} who rated at least ${recipe.minLabels} texts, a seeded random draw`;
}

export interface PageBankPeople {
  source: DatasetSource;
  /** The texts everyone in the dataset rates, with their ids (Jester's jokes); absent elsewhere. */
  catalogue?: Joke[];
  /** The adapters' people, histories in the page's labels and capped to the recipe. */
  sources: SourceProfile[];
  /** Every label of everyone not shown as a sample person: the population head's data. */
  population: Example[];
  /** Whose label each population example is. */
  populationOwners: string[];
}

/** The people of a recipe's dataset, in the page's labels (Amazon: yes/no). */
function people(recipe: PageBankRecipe): {
  all: Annotator[];
  samples: Annotator[];
  source: DatasetSource;
  catalogue?: Joke[];
} {
  if (recipe.dataset === 'jester') {
    const jester = readJester();
    return {
      all: jester.people,
      samples: jesterSamplePeople(jester),
      source: JESTER_SOURCE,
      catalogue: jester.jokes,
    };
  }
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

/** The people a recipe's bank is built from: its sources, and everyone not shown as a sample. */
export function pageBankPeople(recipe: PageBankRecipe): PageBankPeople {
  const { all, samples, source, catalogue } = people(recipe);
  const shown = new Set(samples.map((a) => a.id));
  const others = all.filter((a) => !shown.has(a.id));
  const sources = recipeSources(recipe, others);
  return {
    source,
    ...(catalogue ? { catalogue } : {}),
    sources,
    population: others.flatMap((a) => a.history),
    populationOwners: others.flatMap((a) => a.history.map(() => a.id)),
  };
}

export interface PageBankBuild extends PageBankPeople {
  built: BuiltBank;
  head: PopulationHead;
  /** People with at least one label on a text the population head was fitted on, and those labels. */
  headPeople: number;
  headLabels: number;
  /** The texts the population head was fitted on. */
  headTexts: Set<string>;
}

/**
 * The work a build does, in units of one text's forward pass, so one ETA is honest across phases: each
 * text the population head embeds; each text an adapter trains on, the first time any source has it,
 * through the layers below the sites (kept for the build, as the builder keeps them); and each training
 * example per epoch, forward and backward (about twice a forward pass) through the layers above the
 * sites' layer, or a twentieth of a pass for the step's own work when there are none (Jester's last
 * layer).
 */
export function pageBankWork(
  recipe: PageBankRecipe,
  data: PageBankPeople,
  numLayers = 6,
): { texts: number; perSource: number[]; total: number } {
  const texts = Math.min(recipe.populationTexts, new Set(data.population.map((e) => e.text)).size);
  const perExample = Math.max(0.05, (2 * (numLayers - recipe.firstLayer - 1)) / numLayers);
  const seen = new Set<string>();
  const perSource = data.sources.map((s) => {
    const before = seen.size;
    for (const e of s.history) seen.add(textKey(e.text));
    const lower = recipe.firstLayer > 0 ? seen.size - before : 0;
    return lower + perExample * recipe.epochs * s.history.length;
  });
  return { texts, perSource, total: texts + perSource.reduce((a, b) => a + b, 0) };
}

/** Builds a recipe's bank: the population head first (each text embedded once), then one adapter per source. */
export async function buildPageBank(
  model: LanguageModel,
  recipe: PageBankRecipe,
  data: PageBankPeople = pageBankPeople(recipe),
  onProgress?: (p: { done: number; total: number; phase: string }) => void,
): Promise<PageBankBuild> {
  const { texts, perSource, total } = pageBankWork(recipe, data, model.config.numLayers);
  const fitOn = recipe.populationLabels === 'text-means' ? textMeans(data.population) : data.population;
  const head = await fitPopulationHead(model, recipe.task, fitOn, {
    maxTexts: recipe.populationTexts,
    maxLength: recipe.maxLength,
    // About 2,048 tokens a pass: 32 texts of 64 tokens, 8 jokes of 256 (32 jokes outgrow wasm's memory).
    batchSize: textsPerPass(recipe.maxLength, 2048),
    onProgress: ({ embedded }) =>
      onProgress?.({ done: embedded, total, phase: `population head, ${embedded}/${texts} texts` }),
  });
  const headTexts = new Set(fitOn.filter((_, i) => head.fitted[i]).map((e) => textKey(e.text)));
  const onHead = data.population.map((e) => headTexts.has(textKey(e.text)));
  const headPeople = new Set(data.populationOwners.filter((_, i) => onHead[i])).size;
  const headLabels = onHead.filter(Boolean).length;
  onProgress?.({ done: texts, total, phase: `adapters, 0/${data.sources.length} people` });
  const built = await buildTrainedBank(model, recipe.task, data.sources, {
    head: {
      weights: head.head,
      fittedOn: `${headLabels} labels on ${head.texts} texts by ${headPeople} people, none shown as a sample${recipe.populationLabels === 'text-means' ? ', each text at its mean label' : ''}`,
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
  return { ...data, built, head, headPeople, headLabels, headTexts };
}
