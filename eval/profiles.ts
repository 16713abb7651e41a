// The multi-profile protocol (POPQUORN annotators, Amazon reviewers, Jester raters): a fixed set of
// target people is scored on some of their items after training on the rest (eval/splits.ts); everyone
// else is a source. The sources fit the population head (each distinct text embedded once) and some of
// them give the trained bank one adapter each. No text a target is scored on is ever trained on.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type AdapterBank,
  type AnyProfile,
  disposeBank,
  Engine,
  type Example,
  type HeadWeights,
  type LanguageModel,
  loadBankFile,
  saveBankFile,
  type Task,
} from '../src/advanced';
import { buildTrainedBank } from '../src/training/bank-builder';
import { fitPopulationHead } from '../src/training/population-head';
import { seededRandom } from '../src/util/random';
import { dataBias, residualBias } from '../src/xpeft/head';
import { encodeHistory } from '../src/xpeft/task';
import {
  type Budget,
  type CellProgress,
  type CellResult,
  type CellSpec,
  dataSuffix,
  type ProfileTask,
} from './cell';
import { CF_FACTORS, collaborativeReference } from './collaborative';
import { JESTER_SCALE } from './jester';
import { bytesOf, randomBank, trainableParams, trainOptions } from './methods';
import { meanAbsoluteError, meanStd, rootMeanSquaredError } from './metrics';
import { type PageBankRecipe, recipeSources } from './page-banks';
import { pageRecipeFor } from './page-recipe';
import { drawSources, spreadSources } from './sources';
import { type People, splitPeople, type Target } from './splits';
import { textMeans } from './text-means';

const REGRESSION: Task = { kind: 'regression' };
/** The population mask's draw of source labels. */
const POPULATION_MASK_SEED = 0x9e37;
/** Jester's bank sources: a seeded draw among people who rated at least this many of their jokes. */
const JESTER_MIN_SOURCE_RATINGS = 50;
const JESTER_SOURCES_SEED = 0x5eed;

/** Each task's rating scale: predictions are clamped to it. */
const SCALES: Record<ProfileTask, { min: number; max: number }> = {
  popquorn: { min: 1, max: 5 },
  amazon: { min: 1, max: 5 },
  'jester-known': JESTER_SCALE,
  'jester-new': JESTER_SCALE,
};
const isJester = (task: ProfileTask) => task.startsWith('jester');

const cacheName = (task: string, what: string, budget: Budget, model: LanguageModel) =>
  `${task}-${what}-tgt${budget.targets}-test${budget.testPerProfile}-pop${budget.populationTexts}-len${budget.maxLength}${dataSuffix(budget)}-${model.fingerprint.slice(0, 8)}`;

/** The population head of a task, fitted once on all sources and kept on disk. */
async function populationHead(
  model: LanguageModel,
  task: ProfileTask,
  people: People,
  budget: Budget,
  cacheDir: string,
  onProgress: (p: CellProgress) => void,
): Promise<HeadWeights> {
  const path = join(cacheDir, `${cacheName(task, 'head', budget, model)}.json`);
  if (existsSync(path)) {
    const h = JSON.parse(readFileSync(path, 'utf8'));
    return { ...h, weight: Float32Array.from(h.weight), bias: Float32Array.from(h.bias) };
  }
  const fitted = await fitPopulationHead(
    model,
    REGRESSION,
    // Jester's sources give some 350,000 ratings of 100 jokes, far more than a training run takes.
    isJester(task)
      ? textMeans(people.sources.flatMap((s) => s.history))
      : people.sources.flatMap((s) => s.history),
    {
      maxTexts: budget.populationTexts,
      maxLength: budget.maxLength,
      batchSize: 8, // jokes run to 300 tokens: 32 of them at once outgrow WebAssembly's memory
      onProgress: ({ embedded, total }) =>
        onProgress({ fraction: 0, detail: `population head: ${embedded}/${total} texts` }),
    },
  );
  const h = fitted.head;
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(path, JSON.stringify({ ...h, weight: Array.from(h.weight), bias: Array.from(h.bias) }));
  return h;
}

/** The trained bank of a task: one adapter per spread source, against the population head; kept on disk. */
async function trainedBank(
  model: LanguageModel,
  task: ProfileTask,
  from: {
    people: People;
    head: HeadWeights;
    budget: Budget;
    firstLayer: number;
    sourceBias: boolean;
    /** The page's recipe chooses the sources (its own rule), not the evaluation's. */
    recipe?: PageBankRecipe;
  },
  cacheDir: string,
  onProgress: (p: CellProgress) => void,
): Promise<AdapterBank> {
  const { people, head, budget, firstLayer, sourceBias, recipe } = from;
  const what = `bank${budget.sources}-ep${budget.bankEpochs}-lr${budget.bankLr}-per${budget.labelsPerSource}-bs${budget.batchSize}${firstLayer ? `-from${firstLayer}` : ''}${sourceBias ? '-srcbias' : ''}${recipe ? '-page' : ''}`;
  const path = join(cacheDir, `${cacheName(task, what, budget, model)}.safetensors`);
  if (existsSync(path)) return (await loadBankFile(new Uint8Array(readFileSync(path)))).bank;
  const perSource = budget.labelsPerSource ?? 50;
  // People differ in taste on Jester, and the extremes of its mean ratings rate nearly every joke alike:
  // a plain draw there; elsewhere the range of mean ratings.
  const chosen = recipe
    ? recipeSources(recipe, people.sources)
    : isJester(task)
      ? drawSources(people.sources, budget.sources, JESTER_MIN_SOURCE_RATINGS, perSource, JESTER_SOURCES_SEED)
      : spreadSources(people.sources, budget.sources, task === 'popquorn' ? 40 : 10, perSource);
  const built = await buildTrainedBank(model, REGRESSION, chosen, {
    head: { weights: head, fittedOn: `the population head of ${people.sources.length} source people` },
    firstLayer,
    sourceBias,
    adapterTraining: {
      epochs: budget.bankEpochs,
      batchSize: budget.batchSize,
      heldOutFraction: 0,
      maxLength: budget.maxLength,
      ...(budget.bankLr === undefined ? {} : { learningRates: { adapter: budget.bankLr } }),
    },
    onProgress: (p) =>
      onProgress({ fraction: 0, detail: `building the trained bank: source ${p.done}/${p.total}` }),
  });
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(path, await saveBankFile(built.bank, built.info, built.head));
  return built.bank;
}

/**
 * A mask trained on the sources' pooled labels over the population head (up to `populationTexts` of
 * them, a seeded draw): where each person's mask starts with `start: 'population'`. Kept on disk.
 */
async function populationMask(
  engine: Engine,
  task: ProfileTask,
  from: { people: People; spec: CellSpec; budget: Budget },
  cacheDir: string,
  onProgress: (p: CellProgress) => void,
): Promise<Float32Array> {
  const { people, spec, budget } = from;
  const what = `mask-k${spec.k}${spec.mix ? `-mix-${spec.mix}` : ''}-ep${budget.epochs}-bs${budget.batchSize}-bank${engine.bank.fingerprint.slice(0, 8)}`;
  const path = join(cacheDir, `${cacheName(task, what, budget, engine.model)}.xpeft`);
  if (existsSync(path)) return engine.importProfile(new Uint8Array(readFileSync(path))).data.scores;
  const rng = seededRandom(POPULATION_MASK_SEED);
  const pooled = people.sources
    .flatMap((s) => s.history)
    .map((e) => ({ e, key: rng.uniform() }))
    .sort((x, y) => x.key - y.key)
    .slice(0, budget.populationTexts)
    .map((x) => x.e);
  const { profile } = await engine.train(pooled, {
    method: 'xpeft',
    mask: { mode: 'hard', k: spec.k, ...(spec.mix ? { mix: spec.mix } : {}) },
    head: 'shared',
    epochs: budget.epochs,
    batchSize: budget.batchSize,
    maxLength: budget.maxLength,
    heldOutFraction: 0,
    onProgress: (p) => onProgress({ fraction: 0, detail: `population mask: step ${p.step}/${p.totalSteps}` }),
  });
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(path, profile.toBytes());
  return profile.data.scores;
}

/** Values for texts under a profile. */
async function values(engine: Engine, profile: AnyProfile, texts: Example['text'][], maxLength: number) {
  const out = engine.outputs(profile, texts, maxLength);
  const data = Array.from((await out.data()) as Float32Array);
  out.dispose();
  return data;
}

/** One target's predictions on their test items under a method (training on their other items). */
async function predictTarget(
  engine: Engine,
  spec: CellSpec,
  budget: Budget,
  train: Example[],
  test: Example[],
  onStep: (fraction: number) => void,
  startScores?: Float32Array,
): Promise<{ predicted: number[]; profile?: AnyProfile }> {
  const texts = test.map((e) => e.text);
  const encoded = encodeHistory(REGRESSION, train);
  if (spec.method === 'user-mean') return { predicted: test.map(() => dataBias(REGRESSION, encoded)[0]!) };
  if (spec.method === 'frozen' || spec.method === 'user-offset') {
    const { profile } = await engine.train(train, { method: 'frozen', head: 'shared', epochs: 1 });
    const predicted = await values(engine, profile, texts, budget.maxLength);
    if (spec.method === 'frozen') return { predicted, profile };
    const fitted = await values(
      engine,
      profile,
      train.map((e) => e.text),
      budget.maxLength,
    );
    const offset = residualBias(REGRESSION, Float32Array.from(fitted), encoded, Float32Array.of(0))[0]!;
    return { predicted: predicted.map((v) => v + offset), profile };
  }
  const { profile } = await engine.train(train, {
    // The shared head is the population head; head-only tunes a personal copy of it.
    head: spec.method === 'head-only' ? 'profile' : 'shared',
    ...trainOptions(spec, budget, onStep),
    ...(startScores ? { startScores } : {}),
    heldOutFraction: 0, // a few dozen ratings per person: all of them train
  });
  return { predicted: await values(engine, profile, texts, budget.maxLength), profile };
}

type ProfilesCellResult = Pick<
  CellResult,
  'metrics' | 'profiles' | 'bytesPerProfile' | 'trainableParams' | 'trainSeconds' | 'perProfile'
>;

/** Each target's errors (predictions clamped to the task's scale) and their mean and spread. */
function scored(task: ProfileTask, targets: readonly Target[], predicted: readonly number[][]) {
  const { min, max } = SCALES[task];
  const perProfile = targets.map((t, i) => {
    const gold = t.test.map((e) => e.label as number);
    const clamped = predicted[i]!.map((v) => Math.min(max, Math.max(min, v)));
    return { id: t.id, mae: meanAbsoluteError(clamped, gold), rmse: rootMeanSquaredError(clamped, gold) };
  });
  const m = meanStd(perProfile.map((p) => p.mae));
  const r = meanStd(perProfile.map((p) => p.rmse));
  return { metrics: { mae: m.mean, maeStd: m.std, rmse: r.mean, rmseStd: r.std }, perProfile };
}

/** The collaborative-filtering reference (eval/collaborative.ts): its factors are what a person keeps. */
function runCollaborative(task: ProfileTask, people: People, spec: CellSpec): ProfilesCellResult {
  if (task !== 'jester-known')
    throw new Error(`collaborative needs scored items the sources rated: jester-known only, not ${task}.`);
  const started = performance.now();
  const { predicted } = collaborativeReference(people.sources, people.targets, spec.seed);
  const params = CF_FACTORS + 1;
  return {
    ...scored(task, people.targets, predicted),
    profiles: people.targets.length,
    bytesPerProfile: { masks: 0, head: 4 * params, total: 4 * params },
    trainableParams: params,
    trainSeconds: (performance.now() - started) / 1000 / people.targets.length,
  };
}

/** The first `subset` targets (all where unset); refused where the budget has fewer. */
function scoredSubset(people: People, subset: number | undefined): People {
  if (subset === undefined) return people;
  if (!Number.isInteger(subset) || subset < 2 || subset > people.targets.length)
    throw new Error(
      `--subset ${subset}: give a whole number from 2 to the ${people.targets.length} targets.`,
    );
  return { ...people, targets: people.targets.slice(0, subset) };
}

export async function runProfilesCell(
  model: LanguageModel,
  spec: CellSpec,
  budget: Budget,
  onProgress: (p: CellProgress) => void,
  cacheDir: string,
): Promise<ProfilesCellResult> {
  const task = spec.task as ProfileTask;
  const people = scoredSubset(splitPeople(task, budget), spec.subset);
  if (spec.method === 'collaborative') return runCollaborative(task, people, spec);
  const head = await populationHead(model, task, people, budget, cacheDir, onProgress);
  let trained: AdapterBank | undefined; // passed in as { kind: 'bank' }, so freed here, not by the engine
  let bank = randomBank(spec);
  if (spec.bank === 'trained') {
    const from = {
      people,
      head,
      budget,
      firstLayer: spec.firstLayer ?? 0,
      sourceBias: spec.sourceBias ?? false,
      ...(spec.recipe === 'page' ? { recipe: pageRecipeFor(task) } : {}),
    };
    trained = await trainedBank(model, task, from, cacheDir, onProgress);
    bank = { kind: 'bank', bank: trained };
  }
  // Jester's 100 jokes are rated by everyone: each passes the frozen layers once for the whole cell.
  const engine = await Engine.load({
    model,
    bank,
    task: REGRESSION,
    sharedHead: head,
    keepSiteStates: isJester(task),
  });
  try {
    const startScores =
      spec.start === 'population'
        ? await populationMask(engine, task, { people, spec, budget }, cacheDir, onProgress)
        : undefined;
    const predicted: number[][] = [];
    const seconds: number[] = [];
    // A person's mean or offset is one fp32 number; the frozen model stores nothing per person.
    const fixed = spec.method === 'user-mean' || spec.method === 'user-offset' ? 4 : 0;
    let bytes: CellResult['bytesPerProfile'] = { masks: 0, head: fixed, total: fixed };
    for (const [i, target] of people.targets.entries()) {
      const onStep = (f: number) =>
        onProgress({
          fraction: (i + f) / people.targets.length,
          detail: `target ${i + 1}/${people.targets.length}`,
        });
      const started = performance.now();
      const result = await predictTarget(
        engine,
        spec,
        budget,
        target.train,
        target.test,
        onStep,
        startScores,
      );
      seconds.push((performance.now() - started) / 1000);
      const { profile } = result;
      if (profile && spec.method !== 'frozen' && spec.method !== 'user-offset') bytes = bytesOf(profile);
      predicted.push(result.predicted);
      onStep(1);
    }
    return {
      ...scored(task, people.targets, predicted),
      profiles: people.targets.length,
      bytesPerProfile: bytes,
      trainableParams: trainableParams(engine, spec, spec.method === 'head-only'),
      trainSeconds: meanStd(seconds).mean,
    };
  } finally {
    engine.dispose();
    if (trained) disposeBank(trained);
  }
}
