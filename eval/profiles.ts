// The multi-profile protocol (POPQUORN annotators, Amazon reviewers): a fixed set of target people is
// scored on their last items after training on the rest; everyone else is a source. The sources fit the
// population head (each distinct text embedded once) and some of them, spread over the range of mean
// ratings, give the trained bank one adapter each. No text a target is scored on is ever trained on.

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
import { readAmazon } from './amazon';
import { bytesOf, randomBank, trainableParams, trainOptions } from './methods';
import { meanAbsoluteError, meanStd, rootMeanSquaredError } from './metrics';
import { type Annotator, readPopquorn } from './popquorn';
import type { Budget, CellProgress, CellResult, CellSpec } from './protocol';
import { spreadSources } from './sources';

const REGRESSION: Task = { kind: 'regression' };
/** Targets are drawn with this seed whatever the cell's seed, so every method scores the same people. */
const TARGET_SEED = 0x7a67;
/** The population mask's draw of source labels. */
const POPULATION_MASK_SEED = 0x9e37;
/** Amazon targets need enough reviews to train on after the held-out newest ones. */
const AMAZON_MIN_TARGET_REVIEWS = 10;

export interface People {
  targets: Annotator[];
  /** Everyone else, without any text a target is scored on. */
  sources: Annotator[];
}

/** The fixed targets of a task (a seeded draw) and everyone else as sources. */
export function splitPeople(task: 'popquorn' | 'amazon', budget: Budget): People {
  const all = task === 'popquorn' ? readPopquorn() : readAmazon(5);
  const minItems = task === 'popquorn' ? 0 : AMAZON_MIN_TARGET_REVIEWS;
  const eligible = all.filter((a) => a.history.length >= minItems);
  const rng = seededRandom(TARGET_SEED);
  const order = eligible.map((a) => ({ a, key: rng.uniform() })).sort((x, y) => x.key - y.key);
  if (order.length < budget.targets)
    throw new Error(`${task}: ${order.length} people can be targets; the budget asks for ${budget.targets}.`);
  const targets = order.slice(0, budget.targets).map((x) => x.a);
  const chosen = new Set(targets.map((t) => t.id));
  // POPQUORN comments are rated by 5–10 people: a scored comment must not reach the sources either.
  const scored = new Set(
    targets.flatMap((t) => t.history.slice(-budget.testPerProfile).map((e) => String(e.text))),
  );
  const sources = all
    .filter((a) => !chosen.has(a.id))
    .map((a) => ({ ...a, history: a.history.filter((e) => !scored.has(String(e.text))) }))
    .filter((a) => a.history.length > 0);
  return { targets, sources };
}

const cacheName = (task: string, what: string, budget: Budget, model: LanguageModel) =>
  `${task}-${what}-tgt${budget.targets}-test${budget.testPerProfile}-pop${budget.populationTexts}-len${budget.maxLength}-${model.fingerprint.slice(0, 8)}`;

/** The population head of a task, fitted once on all sources and kept on disk. */
async function populationHead(
  model: LanguageModel,
  task: string,
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
    people.sources.flatMap((s) => s.history),
    {
      maxTexts: budget.populationTexts,
      maxLength: budget.maxLength,
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
  task: 'popquorn' | 'amazon',
  from: { people: People; head: HeadWeights; budget: Budget; firstLayer: number; sourceBias: boolean },
  cacheDir: string,
  onProgress: (p: CellProgress) => void,
): Promise<AdapterBank> {
  const { people, head, budget, firstLayer, sourceBias } = from;
  const what = `bank${budget.sources}-ep${budget.bankEpochs}-lr${budget.bankLr}-per${budget.labelsPerSource}-bs${budget.batchSize}${firstLayer ? `-from${firstLayer}` : ''}${sourceBias ? '-srcbias' : ''}`;
  const path = join(cacheDir, `${cacheName(task, what, budget, model)}.safetensors`);
  if (existsSync(path)) return (await loadBankFile(new Uint8Array(readFileSync(path)))).bank;
  const minLabels = task === 'popquorn' ? 40 : AMAZON_MIN_TARGET_REVIEWS;
  const chosen = spreadSources(people.sources, budget.sources, minLabels, budget.labelsPerSource ?? 50);
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
  task: 'popquorn' | 'amazon',
  from: { people: People; spec: CellSpec; budget: Budget },
  cacheDir: string,
  onProgress: (p: CellProgress) => void,
): Promise<Float32Array> {
  const { people, spec, budget } = from;
  const what = `mask-k${spec.k}-ep${budget.epochs}-bs${budget.batchSize}-bank${engine.bank.fingerprint.slice(0, 8)}`;
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
    mask: { mode: 'hard', k: spec.k },
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

/** Values (clamped to the 1–5 scale) for texts under a profile. */
async function values(engine: Engine, profile: AnyProfile, texts: Example['text'][], maxLength: number) {
  const out = engine.outputs(profile, texts, maxLength);
  const data = Array.from((await out.data()) as Float32Array);
  out.dispose();
  return data;
}

const clamp = (v: number) => Math.min(5, Math.max(1, v));

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

export async function runProfilesCell(
  model: LanguageModel,
  spec: CellSpec,
  budget: Budget,
  onProgress: (p: CellProgress) => void,
  cacheDir: string,
): Promise<
  Pick<
    CellResult,
    'metrics' | 'profiles' | 'bytesPerProfile' | 'trainableParams' | 'trainSeconds' | 'perProfile'
  >
> {
  const task = spec.task as 'popquorn' | 'amazon';
  const people = splitPeople(task, budget);
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
    };
    trained = await trainedBank(model, task, from, cacheDir, onProgress);
    bank = { kind: 'bank', bank: trained };
  }
  const engine = await Engine.load({ model, bank, task: REGRESSION, sharedHead: head });
  try {
    const startScores =
      spec.start === 'population'
        ? await populationMask(engine, task, { people, spec, budget }, cacheDir, onProgress)
        : undefined;
    const perProfile: NonNullable<CellResult['perProfile']> = [];
    const seconds: number[] = [];
    // A person's mean or offset is one fp32 number; the frozen model stores nothing per person.
    const fixed = spec.method === 'user-mean' || spec.method === 'user-offset' ? 4 : 0;
    let bytes: CellResult['bytesPerProfile'] = { masks: 0, head: fixed, total: fixed };
    for (const [i, target] of people.targets.entries()) {
      const cut = target.history.length - budget.testPerProfile;
      const [train, test] = [target.history.slice(0, cut), target.history.slice(cut)];
      const onStep = (f: number) =>
        onProgress({
          fraction: (i + f) / people.targets.length,
          detail: `target ${i + 1}/${people.targets.length}`,
        });
      const started = performance.now();
      const { predicted, profile } = await predictTarget(
        engine,
        spec,
        budget,
        train,
        test,
        onStep,
        startScores,
      );
      seconds.push((performance.now() - started) / 1000);
      if (profile && spec.method !== 'frozen' && spec.method !== 'user-offset') bytes = bytesOf(profile);
      const gold = test.map((e) => e.label as number);
      const clamped = predicted.map(clamp);
      perProfile.push({
        id: target.id,
        mae: meanAbsoluteError(clamped, gold),
        rmse: rootMeanSquaredError(clamped, gold),
      });
      onStep(1);
    }
    const m = meanStd(perProfile.map((p) => p.mae));
    const r = meanStd(perProfile.map((p) => p.rmse));
    return {
      metrics: { mae: m.mean, maeStd: m.std, rmse: r.mean, rmseStd: r.std },
      profiles: people.targets.length,
      bytesPerProfile: bytes,
      trainableParams: trainableParams(engine, spec, spec.method === 'head-only'),
      trainSeconds: meanStd(seconds).mean,
      perProfile,
    };
  } finally {
    engine.dispose();
    if (trained) disposeBank(trained);
  }
}
