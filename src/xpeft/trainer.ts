// Training loop shared by X-PEFT and its baselines: seeded shuffles, minibatches, Adam with one
// learning rate per parameter group, a held-out split with early stopping, progress and cancellation.

import * as tf from '@tensorflow/tfjs';
import type { AdapterBank, BankShape } from '../bank/bank';
import { pool, toEncoderInputs } from '../encoder/bert';
import type { LanguageModel } from '../encoder/language-model';
import { XpeftError } from '../errors';
import type { TextInput } from '../model/tokenizer';
import { seededRandom } from '../util/random';
import { applyHead, type HeadWeights, taskLoss } from './head';
import { type MaskSpec, validateMaskSpec } from './mask';
import {
  createState,
  METHODS,
  type Method,
  type ParamGroup,
  type TrainableState,
  type TrainedValues,
} from './params';
import type { EncodedExample, Task } from './task';

export interface TrainProgress {
  step: number; // 1-based
  totalSteps: number;
  epoch: number; // 1-based
  epochs: number;
  loss: number; // this step's training loss
  /** Held-out metric after the latest finished epoch: accuracy (classification) or MSE (regression). */
  heldOut?: { metric: 'accuracy' | 'mse'; value: number };
  elapsedMs: number;
  etaMs: number;
}

export interface TrainOptions {
  method?: Method; // default 'xpeft'
  mask?: MaskSpec; // default hard, k = 10 (clamped to N)
  /** Train a head for this profile ('profile') or use the engine's shared head ('shared'). */
  head?: 'profile' | 'shared';
  epochs?: number; // default 10
  batchSize?: number; // default 16
  /** Share of the history held out for early stopping, 0 ≤ f < 1; 0 trains on everything. Default 0.2. */
  heldOutFraction?: number;
  patience?: number; // epochs without held-out improvement before stopping, default 3
  learningRates?: Partial<Record<ParamGroup, number>>; // defaults: mask 5e-2, adapter 1e-3, head 1e-2
  maxLength?: number; // tokens per input, default 128
  seed?: number; // default 0
  onProgress?: (p: TrainProgress) => void;
  signal?: AbortSignal;
}

export const DEFAULT_LEARNING_RATES: Record<ParamGroup, number> = { mask: 5e-2, adapter: 1e-3, head: 1e-2 };

export interface TrainResult {
  method: Method;
  values: TrainedValues;
  /** Mean training loss per finished epoch. */
  epochLosses: number[];
  heldOut: number[]; // metric per finished epoch (empty without a held-out split)
  bestEpoch: number; // the epoch whose parameters were kept
  steps: number;
  elapsedMs: number;
}

export class TrainOptionsError extends XpeftError {}

export interface TrainContext {
  model: LanguageModel;
  /** Adapter placement, activation and sizes (a bank is one). */
  shape: BankShape;
  /** The bank X-PEFT masks select from; not needed by the baselines. */
  bank?: AdapterBank;
  task: Task;
  /** Starting (and, with head 'shared', fixed) head weights. */
  head: HeadWeights;
  trainHead: boolean;
}

function check(name: string, value: number, ok: boolean, range: string): void {
  if (!ok) throw new TrainOptionsError(`Training option ${name} must be ${range}; got ${value}.`);
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error
    ? signal.reason
    : new DOMException('Training was cancelled.', 'AbortError');
}

function shuffled<T>(items: readonly T[], rng: { uniform(): number }): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Splits off a held-out set: stratified by label for classification so every class is seen in training. */
export function splitHeldOut(
  examples: readonly EncodedExample[],
  fraction: number,
  seed: number,
  task: Task,
) {
  const rng = seededRandom(seed ^ 0xa5a5a5a5);
  if (fraction === 0 || examples.length < 4) return { train: [...examples], heldOut: [] as EncodedExample[] };
  const byLabel = new Map<number, EncodedExample[]>();
  for (const e of examples) byLabel.set(e.target, [...(byLabel.get(e.target) ?? []), e]);
  const groups = task.kind === 'classification' ? [...byLabel.values()] : [examples];
  const train: EncodedExample[] = [];
  const heldOut: EncodedExample[] = [];
  for (const group of groups) {
    const g = shuffled(group, rng);
    const take = g.length > 1 ? Math.min(g.length - 1, Math.round(g.length * fraction)) : 0;
    heldOut.push(...g.slice(0, take));
    train.push(...g.slice(take));
  }
  return { train, heldOut };
}

/** One-hot rows [B, C] for classification, values [B] for regression. */
function targetsTensor(task: Task, batch: readonly EncodedExample[]): tf.Tensor {
  if (task.kind === 'regression') return tf.tensor1d(batch.map((e) => e.target));
  const C = task.labels.length;
  const oneHot = new Float32Array(batch.length * C);
  batch.forEach((e, i) => {
    oneHot[i * C + e.target] = 1;
  });
  return tf.tensor2d(oneHot, [batch.length, C]);
}

/** Head outputs [B, C] (or [B, 1]) for texts, in batches, with the state's current parameters. */
export function predictOutputs(
  model: LanguageModel,
  adapters: () => ReturnType<TrainableState['adapters']>,
  head: TrainableState['head'],
  texts: readonly TextInput[],
  maxLength: number,
  batchSize = 32,
): tf.Tensor2D {
  return tf.tidy(() => {
    const set = adapters();
    const parts: tf.Tensor2D[] = [];
    for (let i = 0; i < texts.length; i += batchSize) {
      const x = toEncoderInputs(model.tokenize(texts.slice(i, i + batchSize), { maxLength }));
      parts.push(applyHead(pool(model.encoder.forward(x, set), x.attentionMask, 'mean'), head));
    }
    return tf.concat(parts, 0);
  });
}

/** Accuracy (classification) or mean squared error (regression) of outputs against targets. */
export function heldOutMetric(
  task: Task,
  outputs: Float32Array,
  examples: readonly EncodedExample[],
): number {
  if (task.kind === 'regression')
    return examples.reduce((s, e, i) => s + (outputs[i]! - e.target) ** 2, 0) / examples.length;
  const C = task.labels.length;
  let correct = 0;
  examples.forEach((e, i) => {
    const row = outputs.subarray(i * C, (i + 1) * C);
    if (row.indexOf(Math.max(...row)) === e.target) correct++;
  });
  return correct / examples.length;
}

export async function train(
  ctx: TrainContext,
  examples: readonly EncodedExample[],
  options: TrainOptions = {},
): Promise<TrainResult> {
  const method = options.method ?? 'xpeft';
  if (!METHODS.includes(method))
    throw new TrainOptionsError(`Training method must be one of ${METHODS.join(', ')}; got "${method}".`);
  const mask = options.mask ?? { mode: 'hard', k: Math.min(10, ctx.shape.n) };
  if (method === 'xpeft') validateMaskSpec(mask, ctx.shape.n);
  const epochs = options.epochs ?? 10;
  const batchSize = options.batchSize ?? 16;
  const fraction = options.heldOutFraction ?? 0.2;
  const patience = options.patience ?? 3;
  const maxLength = Math.min(options.maxLength ?? 128, ctx.model.config.maxPositions);
  const seed = options.seed ?? 0;
  check('epochs', epochs, Number.isInteger(epochs) && epochs >= 1, 'an integer ≥ 1');
  check('batchSize', batchSize, Number.isInteger(batchSize) && batchSize >= 1, 'an integer ≥ 1');
  check('heldOutFraction', fraction, fraction >= 0 && fraction < 1, 'in [0, 1)');
  check('patience', patience, Number.isInteger(patience) && patience >= 1, 'an integer ≥ 1');
  check('seed', seed, Number.isInteger(seed) && seed >= 0, 'a non-negative integer');
  const rates = { ...DEFAULT_LEARNING_RATES, ...options.learningRates };
  for (const [g, lr] of Object.entries(rates))
    check(`learningRates.${g}`, lr, lr > 0 && Number.isFinite(lr), 'a positive number');

  const started = performance.now();
  const { train: trainSet, heldOut } = splitHeldOut(examples, fraction, seed, ctx.task);
  const state = createState(method, {
    shape: ctx.shape,
    ...(ctx.bank ? { bank: ctx.bank } : {}),
    mask,
    head: ctx.head,
    trainHead: ctx.trainHead,
    seed,
  });
  const optimizers = new Map<ParamGroup, tf.Optimizer>();
  for (const { group } of state.variables)
    if (!optimizers.has(group)) optimizers.set(group, tf.train.adam(rates[group]));
  const rng = seededRandom(seed);
  const stepsPerEpoch =
    method === 'frozen' || state.variables.length === 0 ? 0 : Math.ceil(trainSet.length / batchSize);
  const totalSteps = stepsPerEpoch * epochs;
  // head-only: the model never changes, so pooled vectors are computed once and reused every epoch.
  const features =
    method === 'head-only'
      ? ctx.model.embedTensor(
          trainSet.map((e) => e.text),
          { maxLength, batchSize: 32 },
        )
      : undefined;
  const featureRow = new Map(trainSet.map((e, i) => [e, i]));

  const result: TrainResult = {
    method,
    values: {},
    epochLosses: [],
    heldOut: [],
    bestEpoch: 0,
    steps: 0,
    elapsedMs: 0,
  };
  let best: { metric: number; values: TrainedValues } | undefined;
  let sinceBest = 0;
  try {
    for (let epoch = 1; epoch <= epochs && stepsPerEpoch > 0; epoch++) {
      const order = shuffled(trainSet, rng);
      let lossSum = 0;
      for (let b = 0; b < stepsPerEpoch; b++) {
        if (options.signal?.aborted) throw abortError(options.signal);
        const batch = order.slice(b * batchSize, (b + 1) * batchSize);
        const tokens = features
          ? undefined
          : ctx.model.tokenize(
              batch.map((e) => e.text),
              { maxLength },
            );
        const targets = targetsTensor(ctx.task, batch);
        const rows = features
          ? tf.tensor1d(
              batch.map((e) => featureRow.get(e)!),
              'int32',
            )
          : undefined;
        const { value, grads } = tf.variableGrads(
          () =>
            tf.tidy(() => {
              let pooled: tf.Tensor2D;
              if (features && rows) pooled = tf.gather(features, rows);
              else {
                const x = toEncoderInputs(tokens!);
                pooled = pool(ctx.model.encoder.forward(x, state.adapters()), x.attentionMask, 'mean');
              }
              return taskLoss(ctx.task, applyHead(pooled, state.head), targets);
            }),
          state.variables.map((v) => v.variable),
        );
        for (const [group, optimizer] of optimizers) {
          const mine = state.variables.filter((v) => v.group === group).map((v) => v.variable.name);
          optimizer.applyGradients(Object.fromEntries(mine.map((name) => [name, grads[name]!])));
        }
        const loss = (await value.data())[0]!;
        tf.dispose([value, targets, ...(rows ? [rows] : []), ...Object.values(grads)]);
        lossSum += loss;
        result.steps++;
        const elapsedMs = performance.now() - started;
        const last = result.heldOut.at(-1);
        options.onProgress?.({
          step: result.steps,
          totalSteps,
          epoch,
          epochs,
          loss,
          ...(last === undefined
            ? {}
            : { heldOut: { metric: ctx.task.kind === 'regression' ? 'mse' : 'accuracy', value: last } }),
          elapsedMs,
          etaMs: (elapsedMs / result.steps) * (totalSteps - result.steps),
        });
      }
      result.epochLosses.push(lossSum / stepsPerEpoch);
      if (heldOut.length === 0) continue;
      const out = predictOutputs(
        ctx.model,
        () => state.adapters(),
        state.head,
        heldOut.map((e) => e.text),
        maxLength,
      );
      const metric = heldOutMetric(ctx.task, (await out.data()) as Float32Array, heldOut);
      out.dispose();
      result.heldOut.push(metric);
      const better =
        best === undefined || (ctx.task.kind === 'regression' ? metric < best.metric : metric > best.metric);
      if (better) {
        best = { metric, values: await state.snapshot() };
        result.bestEpoch = epoch;
        sinceBest = 0;
      } else if (++sinceBest >= patience) break;
    }
    if (best) state.restore(best.values);
    else result.bestEpoch = result.epochLosses.length;
    result.values = await state.snapshot();
    result.elapsedMs = performance.now() - started;
    return result;
  } finally {
    features?.dispose();
    for (const o of optimizers.values()) o.dispose();
    state.dispose();
  }
}
