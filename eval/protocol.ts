// One evaluation cell: a task, a method, a bank, N, k and a seed, trained and scored under a stated budget.
// GLUE tasks are one profile each; POPQUORN and Amazon have one profile per person, split into source
// profiles (which build the trained bank and fit the shared head) and target profiles (which are scored).

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { buildTrainedBank } from '../src/bank/build';
import {
  type AdapterBank,
  type AnyProfile,
  type BankSpec,
  disposeBank,
  Engine,
  type Example,
  type LanguageModel,
  loadBankFile,
  Profile,
  saveBankFile,
  type Task,
  type TrainOptions,
} from '../src/index';
import { seededRandom } from '../src/util/random';
import { readAmazon } from './amazon';
import { type GlueTask, readGlue } from './glue';
import {
  accuracy,
  f1,
  matthews,
  meanAbsoluteError,
  meanStd,
  rootMeanSquaredError,
  spearman,
} from './metrics';
import { type Annotator, readPopquorn } from './popquorn';

export const EVAL_METHODS = ['xpeft-hard', 'xpeft-soft', 'adapter', 'head-only', 'frozen'] as const;
export type EvalMethod = (typeof EVAL_METHODS)[number];
export const GLUE_TASKS = ['sst2', 'mrpc', 'rte', 'cola', 'stsb'] as const;
export const PROFILE_TASKS = ['popquorn', 'amazon'] as const;
export type TaskName = (typeof GLUE_TASKS)[number] | (typeof PROFILE_TASKS)[number];

export interface CellSpec {
  task: TaskName;
  method: EvalMethod;
  bank: 'random' | 'trained' | 'none';
  n: number;
  k: number;
  seed: number;
  /** Random banks only: the recipe's scale (default 0.1, see src/bank/random.ts). */
  scale?: number;
  /** X-PEFT only: the mask scores' learning rate (default 5e-2, see DEFAULT_LEARNING_RATES). */
  maskLr?: number;
}

export interface Budget {
  trainSize: number; // GLUE training subsample
  devLimit: number; // GLUE dev examples scored (0 = the full dev split)
  epochs: number;
  batchSize: number;
  maxLength: number;
  sources: number; // multi-profile: source profiles for the bank and shared head
  targets: number; // multi-profile: target profiles scored
  testPerProfile: number; // multi-profile: each target's last items (by comment id or review time) held out for scoring
  bankEpochs: number; // epochs of adapter tuning per source profile when building a trained bank
}

export interface CellResult {
  key: string;
  spec: CellSpec;
  budget: Budget;
  metrics: Record<string, number>; // GLUE: the task's metrics; profiles: mean and std over targets
  profiles: number; // profiles trained and scored
  bytesPerProfile: { masks: number; head: number; total: number };
  trainableParams: number;
  trainSeconds: number; // mean per profile
  backend: string;
  /** The machine the cell ran on (CPU model × cores, memory, Node version). */
  machine?: string;
  finishedAt: string;
}

export interface CellProgress {
  fraction: number; // 0…1 of this cell
  detail: string;
}

export const cellKey = (s: CellSpec, b: Budget) =>
  [
    s.task,
    s.method,
    s.bank,
    `N${s.n}`,
    `k${s.k}`,
    `seed${s.seed}`,
    `train${b.trainSize}`,
    `dev${b.devLimit}`,
    `ep${b.epochs}`,
    `len${b.maxLength}`,
    `src${b.sources}`,
    `tgt${b.targets}`,
    `test${b.testPerProfile}`,
    `bs${b.batchSize}`,
    `bankep${b.bankEpochs}`,
    ...(s.scale === undefined ? [] : [`scale${s.scale}`]),
    ...(s.maskLr === undefined ? [] : [`masklr${s.maskLr}`]),
  ].join('_');

/** The random bank of a cell; baselines (n = 0) use only its shape, so one adapter stands in. */
function randomBank(spec: CellSpec): BankSpec {
  return {
    kind: 'random',
    seed: spec.seed,
    n: Math.max(1, spec.n),
    ...(spec.scale === undefined ? {} : { scale: spec.scale }),
  };
}

interface GlueDef {
  glue: GlueTask;
  task: Task;
  metrics: (predicted: number[], gold: number[]) => Record<string, number>;
}

const BINARY: Task = { kind: 'classification', labels: ['0', '1'] };
export const GLUE: Record<(typeof GLUE_TASKS)[number], GlueDef> = {
  sst2: { glue: 'SST-2', task: BINARY, metrics: (p, g) => ({ accuracy: accuracy(p, g) }) },
  mrpc: { glue: 'MRPC', task: BINARY, metrics: (p, g) => ({ f1: f1(p, g), accuracy: accuracy(p, g) }) },
  rte: { glue: 'RTE', task: BINARY, metrics: (p, g) => ({ accuracy: accuracy(p, g) }) },
  cola: { glue: 'CoLA', task: BINARY, metrics: (p, g) => ({ mcc: matthews(p, g) }) },
  stsb: { glue: 'STS-B', task: { kind: 'regression' }, metrics: (p, g) => ({ spearman: spearman(p, g) }) },
};

function trainOptions(spec: CellSpec, budget: Budget, onStep: (fraction: number) => void): TrainOptions {
  const base: TrainOptions = {
    epochs: budget.epochs,
    batchSize: budget.batchSize,
    maxLength: budget.maxLength,
    heldOutFraction: 0.1,
    patience: 2,
    seed: spec.seed,
    onProgress: (p) => onStep(p.step / p.totalSteps),
    ...(spec.maskLr === undefined ? {} : { learningRates: { mask: spec.maskLr } }),
  };
  if (spec.method === 'xpeft-hard') return { ...base, method: 'xpeft', mask: { mode: 'hard', k: spec.k } };
  if (spec.method === 'xpeft-soft') return { ...base, method: 'xpeft', mask: { mode: 'soft', k: spec.k } };
  return { ...base, method: spec.method };
}

function bytesOf(profile: AnyProfile): CellResult['bytesPerProfile'] {
  if (profile instanceof Profile) {
    const s = profile.sizes();
    return { masks: s.masks, head: s.head, total: s.total };
  }
  return { masks: profile.bytes.adapter, head: profile.bytes.head, total: profile.bytes.total };
}

function trainableParams(engine: Engine, spec: CellSpec, ownHead: boolean): number {
  const { sites, n, d, r } = engine.bank;
  const outputs = engine.task.kind === 'classification' ? engine.task.labels.length : 1;
  const head = ownHead ? d * outputs + outputs : 0;
  if (spec.method.startsWith('xpeft')) return 2 * sites * n + head;
  if (spec.method === 'adapter') return sites * (2 * d * r + r + d) + head;
  return head;
}

/** Predicted class indices (classification) or values (regression) for examples. */
async function predictTargets(
  engine: Engine,
  profile: AnyProfile,
  examples: readonly Example[],
  maxLength: number,
): Promise<number[]> {
  const out = engine.outputs(
    profile,
    examples.map((e) => e.text),
    maxLength,
  );
  const data = (await out.data()) as Float32Array;
  out.dispose();
  if (engine.task.kind === 'regression') return Array.from(data);
  const C = engine.task.labels.length;
  return examples.map((_, i) => {
    const row = data.subarray(i * C, (i + 1) * C);
    return row.indexOf(Math.max(...row));
  });
}

function subsample<T>(items: readonly T[], count: number, seed: number): T[] {
  const rng = seededRandom(seed ^ 0x5151);
  const idx = items.map((_, i) => i);
  for (let i = idx.length - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  return idx.slice(0, count).map((i) => items[i]!);
}

async function runGlueCell(
  model: LanguageModel,
  spec: CellSpec,
  budget: Budget,
  onProgress: (p: CellProgress) => void,
): Promise<Omit<CellResult, 'key' | 'backend' | 'finishedAt'>> {
  const def = GLUE[spec.task as (typeof GLUE_TASKS)[number]];
  const asExample = (e: { text: string | [string, string]; label: number }): Example => ({
    text: e.text,
    label: def.task.kind === 'classification' ? String(e.label) : e.label,
  });
  const train = subsample(readGlue(def.glue, 'train'), budget.trainSize, spec.seed).map(asExample);
  const devAll = readGlue(def.glue, 'dev').map(asExample);
  const dev = budget.devLimit > 0 ? devAll.slice(0, budget.devLimit) : devAll;
  // Baselines (n = 0) use only the bank's shape (placement, r), so a one-adapter bank stands in.
  const engine = await Engine.load({
    model,
    bank: randomBank(spec),
    task: def.task,
  });
  try {
    const started = performance.now();
    const { profile } = await engine.train(
      train,
      trainOptions(spec, budget, (f) =>
        onProgress({ fraction: 0.9 * f, detail: `training ${(100 * f).toFixed(0)}%` }),
      ),
    );
    const trainSeconds = (performance.now() - started) / 1000;
    onProgress({ fraction: 0.9, detail: 'scoring dev' });
    const predicted = await predictTargets(engine, profile, dev, budget.maxLength);
    const gold = dev.map((e) => (def.task.kind === 'classification' ? Number(e.label) : (e.label as number)));
    return {
      spec,
      budget,
      metrics: def.metrics(predicted, gold),
      profiles: 1,
      bytesPerProfile: bytesOf(profile),
      trainableParams: trainableParams(engine, spec, true),
      trainSeconds,
    };
  } finally {
    engine.dispose();
  }
}

export const RESULTS_DIR = join(import.meta.dirname, '..', 'results');

function readProfiles(task: TaskName): Annotator[] {
  return task === 'popquorn' ? readPopquorn() : readAmazon(10);
}

/** The trained bank of a multi-profile task, built from its source profiles once and cached on disk. */
async function trainedBank(
  model: LanguageModel,
  task: TaskName,
  sources: Annotator[],
  budget: Budget,
  cacheDir: string,
  onProgress: (p: CellProgress) => void,
) {
  const path = join(
    cacheDir,
    `${task}-src${sources.length}-tgt${budget.targets}-test${budget.testPerProfile}-ep${budget.bankEpochs}-bs${budget.batchSize}-len${budget.maxLength}-${model.fingerprint.slice(0, 8)}.safetensors`,
  );
  if (existsSync(path)) return loadBankFile(new Uint8Array(readFileSync(path)));
  const built = await buildTrainedBank(model, { kind: 'regression' }, sources, {
    adapterTraining: {
      epochs: budget.bankEpochs,
      batchSize: budget.batchSize,
      heldOutFraction: 0,
      maxLength: budget.maxLength,
    },
    headTraining: { epochs: 10, batchSize: 32, heldOutFraction: 0.1, maxLength: budget.maxLength },
    onProgress: (p) =>
      onProgress({ fraction: 0, detail: `building the trained bank: source ${p.done}/${p.total}` }),
  });
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(path, await saveBankFile(built.bank, built.info, built.head));
  return { bank: built.bank, head: built.head, info: built.info };
}

async function runProfilesCell(
  model: LanguageModel,
  spec: CellSpec,
  budget: Budget,
  onProgress: (p: CellProgress) => void,
  cacheDir: string,
): Promise<Omit<CellResult, 'key' | 'backend' | 'finishedAt'>> {
  const task: Task = { kind: 'regression' };
  const all = readProfiles(spec.task);
  const targets = all.slice(budget.sources, budget.sources + budget.targets);
  // Items the targets are scored on never reach the shared head or the trained bank, even as other
  // people's ratings of the same text (POPQUORN comments are rated by 5–10 annotators each).
  const scored = new Set(
    targets.flatMap((t) => t.history.slice(-budget.testPerProfile).map((e) => String(e.text))),
  );
  const sources = all
    .slice(0, budget.sources)
    .map((s) => ({ ...s, history: s.history.filter((e) => !scored.has(String(e.text))) }));
  let bankSpec: BankSpec;
  let trained: AdapterBank | undefined; // passed in as { kind: 'bank' }, so freed here, not by the engine
  if (spec.bank === 'trained') {
    const { bank, head } = await trainedBank(model, spec.task, sources, budget, cacheDir, onProgress);
    trained = bank;
    if (bank.n !== spec.n) {
      disposeBank(bank);
      throw new Error(
        `The trained bank has N=${bank.n} (one adapter per source); cells with a trained bank need n = sources.`,
      );
    }
    bankSpec = { kind: 'bank', bank, ...(head ? { head } : {}) };
  } else bankSpec = randomBank(spec); // baselines use only its shape
  const engine = await Engine.load({ model, bank: bankSpec, task });
  try {
    if (!engine.sharedHead) {
      onProgress({ fraction: 0, detail: 'fitting the shared head on the source profiles' });
      await engine.fitSharedHead(
        sources.flatMap((s) => s.history),
        { epochs: 10, batchSize: 32, heldOutFraction: 0.1, maxLength: budget.maxLength, seed: spec.seed },
      );
    }
    const mae: number[] = [];
    const rmse: number[] = [];
    const seconds: number[] = [];
    let bytes: CellResult['bytesPerProfile'] = { masks: 0, head: 0, total: 0 };
    for (const [i, target] of targets.entries()) {
      const cut = target.history.length - budget.testPerProfile;
      const [trainPart, test] = [target.history.slice(0, cut), target.history.slice(cut)];
      const started = performance.now();
      const { profile } = await engine.train(trainPart, {
        ...trainOptions(spec, budget, (f) =>
          onProgress({ fraction: (i + f) / targets.length, detail: `target ${i + 1}/${targets.length}` }),
        ),
        // The task head is shared (fitted on the source profiles); head-only tunes a personal copy of it.
        head: spec.method === 'head-only' ? 'profile' : 'shared',
        heldOutFraction: 0, // a few dozen ratings per person: all of them train
      });
      seconds.push((performance.now() - started) / 1000);
      bytes = bytesOf(profile);
      const predicted = (await predictTargets(engine, profile, test, budget.maxLength)).map((v) =>
        Math.min(5, Math.max(1, v)),
      );
      const gold = test.map((e) => e.label as number);
      mae.push(meanAbsoluteError(predicted, gold));
      rmse.push(rootMeanSquaredError(predicted, gold));
      onProgress({ fraction: (i + 1) / targets.length, detail: `target ${i + 1}/${targets.length}` });
    }
    const m = meanStd(mae);
    const r = meanStd(rmse);
    return {
      spec,
      budget,
      metrics: { mae: m.mean, maeStd: m.std, rmse: r.mean, rmseStd: r.std },
      profiles: targets.length,
      bytesPerProfile: bytes,
      trainableParams: trainableParams(engine, spec, spec.method === 'head-only'),
      trainSeconds: meanStd(seconds).mean,
    };
  } finally {
    engine.dispose();
    if (trained) disposeBank(trained);
  }
}

/** Runs one cell; trained banks are built once per task and budget and kept in `bankCacheDir`. */
export async function runCell(
  model: LanguageModel,
  spec: CellSpec,
  budget: Budget,
  backend: string,
  onProgress: (p: CellProgress) => void,
  bankCacheDir = join(RESULTS_DIR, 'banks'),
): Promise<CellResult> {
  const isGlue = (GLUE_TASKS as readonly string[]).includes(spec.task);
  const result = isGlue
    ? await runGlueCell(model, spec, budget, onProgress)
    : await runProfilesCell(model, spec, budget, onProgress, bankCacheDir);
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  return { key: cellKey(spec, budget), ...result, backend, machine, finishedAt: new Date().toISOString() };
}
