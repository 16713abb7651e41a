// One evaluation cell: a task, a method, a bank, N, k and a seed, trained and scored under a stated budget.
// GLUE tasks are one profile each; POPQUORN and Amazon have one profile per person, split into source
// profiles (which build the trained bank and fit the shared head) and target profiles (which are scored).

import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import {
  type AnyProfile,
  type BankSpec,
  disposeBank,
  Engine,
  type Example,
  type LanguageModel,
  Profile,
  type Task,
} from '../src/advanced';
import { argmax } from '../src/util/argmax';
import { seededRandom } from '../src/util/random';
import {
  type Budget,
  type CellProgress,
  type CellResult,
  type CellSpec,
  cellKey,
  GLUE_TASKS,
  type GlueName,
  isProfileTask,
  type TaskName,
} from './cell';
import { type GlueTask, readGlue } from './glue';
import { glueAdapterPath, leaveOneTaskOutBank, saveGlueAdapter } from './glue-bank';
import { bytesOf, randomBank, trainableParams, trainOptions } from './methods';
import { accuracy, f1, matthews, spearman } from './metrics';
import { runProfilesCell } from './profiles';

interface GlueDef {
  glue: GlueTask;
  task: Task;
  metrics: (predicted: number[], gold: number[]) => Record<string, number>;
}

const BINARY: Task = { kind: 'classification', labels: ['0', '1'] };
export const GLUE: Record<GlueName, GlueDef> = {
  sst2: { glue: 'SST-2', task: BINARY, metrics: (p, g) => ({ accuracy: accuracy(p, g) }) },
  mrpc: { glue: 'MRPC', task: BINARY, metrics: (p, g) => ({ f1: f1(p, g), accuracy: accuracy(p, g) }) },
  rte: { glue: 'RTE', task: BINARY, metrics: (p, g) => ({ accuracy: accuracy(p, g) }) },
  cola: { glue: 'CoLA', task: BINARY, metrics: (p, g) => ({ mcc: matthews(p, g) }) },
  stsb: { glue: 'STS-B', task: { kind: 'regression' }, metrics: (p, g) => ({ spearman: spearman(p, g) }) },
};

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
  return examples.map((_, i) => argmax(data.subarray(i * C, (i + 1) * C)));
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

const glueDef = (task: TaskName) => GLUE[task as GlueName];

/** A GLUE task's training subsample for a seed and its dev split, as engine examples. */
function glueData(task: GlueName, budget: Budget, seed: number): { train: Example[]; dev: Example[] } {
  const def = GLUE[task];
  const asExample = (e: { text: string | [string, string]; label: number }): Example => ({
    text: e.text,
    label: def.task.kind === 'classification' ? String(e.label) : e.label,
  });
  const train = subsample(readGlue(def.glue, 'train'), budget.trainSize, seed).map(asExample);
  const devAll = readGlue(def.glue, 'dev').map(asExample);
  return { train, dev: budget.devLimit > 0 ? devAll.slice(0, budget.devLimit) : devAll };
}

/** The bank a GLUE cell trains over: the other tasks' adapters (trained bank) or a random one. */
async function glueBank(
  model: LanguageModel,
  spec: CellSpec,
  budget: Budget,
  cacheDir: string,
  onProgress: (p: CellProgress) => void,
): Promise<BankSpec> {
  // Baselines (n = 0) use only the bank's shape (placement, r), so a one-adapter bank stands in.
  if (spec.bank !== 'trained') return randomBank(spec);
  const { seed } = spec;
  const bank = await leaveOneTaskOutBank(
    model,
    spec.task as GlueName,
    seed,
    GLUE_TASKS,
    budget,
    cacheDir,
    async (peer) => {
      onProgress({ fraction: 0, detail: `training the ${GLUE[peer].glue} adapter for the bank` });
      const peerSpec: CellSpec = { task: peer, method: 'adapter', bank: 'none', n: 0, k: 0, seed };
      const { train } = glueData(peer, budget, seed);
      const { profile, engine } = await trainGlue(
        model,
        peerSpec,
        budget,
        randomBank(peerSpec),
        train,
        () => {},
      );
      engine.dispose();
      return adapterOf(profile)!;
    },
  );
  if (bank.n !== spec.n) {
    disposeBank(bank);
    throw new Error(`${spec.task}: the leave-one-task-out bank has ${bank.n} adapters, not ${spec.n}.`);
  }
  return { kind: 'bank', bank };
}

/** Adapter tuning's trained adapter (per-site flat weights); other methods have none. */
const adapterOf = (profile: AnyProfile) => (profile instanceof Profile ? undefined : profile.adapter);

/** Trains a GLUE cell's profile; the caller disposes the engine. */
async function trainGlue(
  model: LanguageModel,
  spec: CellSpec,
  budget: Budget,
  bank: BankSpec,
  train: readonly Example[],
  onProgress: (p: CellProgress) => void,
) {
  const engine = await Engine.load({ model, bank, task: glueDef(spec.task).task });
  try {
    const started = performance.now();
    const { profile } = await engine.train(train, {
      ...trainOptions(spec, budget, (f) =>
        onProgress({ fraction: 0.9 * f, detail: `training ${(100 * f).toFixed(0)}%` }),
      ),
      // Hundreds of examples a task: a tenth is held out to keep the best epoch, stopping after 2 worse.
      heldOutFraction: 0.1,
      patience: 2,
    });
    return { engine, profile, trainSeconds: (performance.now() - started) / 1000 };
  } catch (e) {
    engine.dispose();
    throw e;
  }
}

async function runGlueCell(
  model: LanguageModel,
  spec: CellSpec,
  budget: Budget,
  onProgress: (p: CellProgress) => void,
  cacheDir: string,
): Promise<Omit<CellResult, 'key' | 'backend' | 'finishedAt'>> {
  const def = glueDef(spec.task);
  const { train, dev } = glueData(spec.task as GlueName, budget, spec.seed);
  const bank = await glueBank(model, spec, budget, cacheDir, onProgress);
  try {
    const { engine, profile, trainSeconds } = await trainGlue(model, spec, budget, bank, train, onProgress);
    try {
      // Adapter tuning's adapters are kept: they make up the other tasks' trained banks.
      const adapter = adapterOf(profile);
      if (adapter)
        saveGlueAdapter(glueAdapterPath(cacheDir, spec.task as GlueName, spec.seed, budget, model), adapter);
      onProgress({ fraction: 0.9, detail: 'scoring dev' });
      const predicted = await predictTargets(engine, profile, dev, budget.maxLength);
      const gold = dev.map((e) =>
        def.task.kind === 'classification' ? Number(e.label) : (e.label as number),
      );
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
  } finally {
    if (bank.kind === 'bank') disposeBank(bank.bank);
  }
}

export const RESULTS_DIR = join(import.meta.dirname, '..', 'results');

/** Runs one cell; trained banks are built once per task and budget and kept in `bankCacheDir`. */
export async function runCell(
  model: LanguageModel,
  spec: CellSpec,
  budget: Budget,
  backend: string,
  onProgress: (p: CellProgress) => void,
  bankCacheDir = join(RESULTS_DIR, 'banks'),
): Promise<CellResult> {
  const isGlue = !isProfileTask(spec.task);
  const result = isGlue
    ? await runGlueCell(model, spec, budget, onProgress, bankCacheDir)
    : { spec, budget, ...(await runProfilesCell(model, spec, budget, onProgress, bankCacheDir)) };
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  return {
    key: cellKey(spec, budget),
    ...result,
    backend,
    machine,
    finishedAt: new Date().toISOString(),
    headStart: 'data',
  };
}
