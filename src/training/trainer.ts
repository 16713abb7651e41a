// Training loop shared by X-PEFT and its baselines: seeded shuffles, minibatches, Adam with one
// learning rate per parameter group, a held-out split with early stopping, progress and cancellation.

import * as tf from '@tensorflow/tfjs';
import type { AdapterBank, BankShape } from '../bank/bank';
import { HiddenCache } from '../encoder/hidden-cache';
import type { LanguageModel } from '../encoder/language-model';
import { firstSite, type SitePoint } from '../encoder/placement';
import { TrainOptionsError } from '../errors';
import { distinctTexts, type TextInput, textKey } from '../model/tokenizer';
import { seededRandom, shuffled } from '../util/random';
import { disposeAdapterSet } from '../xpeft/compose';
import {
  applyHead,
  type HeadTraining,
  type HeadWeights,
  residualBias,
  targetsTensor,
  taskLoss,
} from '../xpeft/head';
import { splitHeldOut } from '../xpeft/held-out';
import { heldOutLoss, heldOutMetric } from '../xpeft/metrics';
import { fullPass, outputsWith, type Pooler } from '../xpeft/predict';
import type { EncodedExample, Task } from '../xpeft/task';
import { START_SCORE_SCALE, type TrainOptions, type TrainResult, trainSettings } from './options';
import { createState, type ParamGroup, type TrainableState, type TrainedValues } from './params';

export interface TrainContext {
  model: LanguageModel;
  /** Adapter placement, activation and sizes (a bank is one). */
  shape: BankShape;
  /** The bank X-PEFT masks select from; not needed by the baselines. */
  bank?: AdapterBank;
  task: Task;
  /** Starting (and, with head 'shared', fixed) head weights. */
  head: HeadWeights;
  /** What of the head trains; with 'bias' the bias first moves to remove the mean residual. */
  trainHead: HeadTraining;
  /**
   * Caches of site states kept across trainings (see Engine's keepSiteStates), owned by the caller. Without
   * it, a training whose sites start above layer 0 keeps its own cache for as long as it runs.
   */
  siteStates?: (at: SitePoint, maxLength: number) => HiddenCache;
}

/** Resolves on a later task of the event loop (not a microtask), without setTimeout's clamping. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(null);
  });
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error
    ? signal.reason
    : new DOMException('Training was cancelled.', 'AbortError');
}

/** Checked, scaled start scores (TrainOptions.startScores). */
function startFrom(scores: Float32Array, shape: BankShape, method: string): Float32Array {
  if (method !== 'xpeft') throw new TrainOptionsError(`startScores are mask scores; ${method} has no mask.`);
  const want = 2 * shape.sites * shape.n;
  if (scores.length !== want || !scores.every(Number.isFinite))
    throw new TrainOptionsError(
      `startScores must be ${want} finite numbers (2 × ${shape.sites} sites × ${shape.n} adapters); got ${scores.length}.`,
    );
  return scores.map((v) => v * START_SCORE_SCALE);
}

export async function train(
  ctx: TrainContext,
  examples: readonly EncodedExample[],
  options: TrainOptions = {},
): Promise<TrainResult> {
  const s = trainSettings(options, ctx.shape.n, ctx.model.config.maxPositions);
  const started = performance.now();
  const { train: trainSet, heldOut } = splitHeldOut(examples, s.fraction, s.seed, ctx.task);
  const result: TrainResult = {
    method: s.method,
    mask: s.mask,
    values: {},
    epochLosses: [],
    heldOut: [],
    heldOutLoss: [],
    bestEpoch: 0,
    steps: 0,
    elapsedMs: 0,
  };
  const rng = seededRandom(s.seed);
  const optimizers = new Map<ParamGroup, tf.Optimizer>();
  let state: TrainableState | undefined;
  let features: tf.Tensor2D | undefined;
  let ownCache: HiddenCache | undefined;
  let sharedCache: HiddenCache | undefined;
  let best: { loss: number; values: TrainedValues } | undefined;
  let sinceBest = 0;
  const checkAbort = () => {
    if (options.signal?.aborted) throw abortError(options.signal);
  };
  try {
    checkAbort();
    const startScores = options.startScores && startFrom(options.startScores, ctx.shape, s.method);
    state = createState(s.method, {
      ...(startScores ? { startScores } : {}),
      shape: ctx.shape,
      ...(ctx.bank ? { bank: ctx.bank } : {}),
      mask: s.mask,
      head: ctx.head,
      trainHead: ctx.trainHead,
      seed: s.seed,
    });
    const live = state;
    // Adapter sites only from layer L up: what comes before the first is computed once per text, here
    // (or once per text for good, where the caller keeps the caches).
    const firstLayer = ctx.shape.firstLayer ?? 0;
    const at = firstSite(ctx.shape.placement, firstLayer);
    const texts = [...trainSet, ...heldOut].map((e) => e.text);
    if (ctx.siteStates) sharedCache = ctx.siteStates(at, s.maxLength);
    else if (firstLayer > 0 && s.method !== 'head-only')
      ownCache = new HiddenCache(ctx.model, at, s.maxLength);
    const cache = sharedCache ?? ownCache;
    cache?.add(texts);
    const pooled: Pooler = cache ? cache.pooled.bind(cache) : fullPass(ctx.model, s.maxLength);
    /** The live state's head outputs on examples, read back (the forward pass of every selection). */
    const outputsOn = async (on: readonly EncodedExample[]) => {
      const selected = await live.selection();
      try {
        const out = outputsWith(
          pooled,
          () => selected ?? live.adapters(),
          live.head,
          on.map((e) => e.text),
        );
        const outputs = (await out.data()) as Float32Array;
        out.dispose();
        return outputs;
      } finally {
        if (selected) disposeAdapterSet(selected);
      }
    };
    // A personal bias starts where the state's outputs on the history have no mean residual. The head is
    // linear, so the outputs under the moved bias are these outputs shifted: no second pass is needed.
    let startOutputs: Float32Array | undefined;
    if (ctx.trainHead === 'bias') {
      const outputs = await outputsOn(trainSet);
      const bias = (await live.head.bias.data()) as Float32Array;
      const moved = residualBias(ctx.task, outputs, trainSet, bias);
      tf.tidy(() => (live.head.bias as tf.Variable).assign(tf.tensor1d(moved)));
      startOutputs = outputs.map((v, i) => v + moved[i % moved.length]! - bias[i % bias.length]!);
    }
    for (const { group } of live.variables) {
      if (!optimizers.has(group)) optimizers.set(group, tf.train.adam(s.rates[group]));
    }
    const stepsPerEpoch = live.variables.length === 0 ? 0 : Math.ceil(trainSet.length / s.batchSize);
    const epochs = stepsPerEpoch > 0 ? Math.max(s.epochs, Math.ceil(s.minSteps / stepsPerEpoch)) : s.epochs;
    const totalSteps = stepsPerEpoch * epochs;
    // What the kept parameters are chosen on: the held-out split (stopping early), or for X-PEFT without
    // one the training history itself (all epochs run). A hard mask's selection jumps between sets of
    // adapters, and after a few noisy minibatch steps the last jump can be for the worse: without a
    // held-out split X-PEFT keeps its best selection on the person's own data, where it started included.
    const onTraining = heldOut.length === 0 && s.method === 'xpeft';
    const selectOn = onTraining ? trainSet : heldOut;
    if (onTraining && stepsPerEpoch > 0) {
      const outputs = startOutputs ?? (await outputsOn(selectOn)); // selectOn is the history here
      best = { loss: heldOutLoss(ctx.task, outputs, selectOn), values: await live.snapshot() };
      result.bestEpoch = 0;
    }
    // head-only: the model never changes, so pooled vectors are computed once per distinct text (many
    // people rate the same comments) and reused every epoch.
    let featureRow = new Map<EncodedExample, number>();
    if (s.method === 'head-only') {
      const distinct = distinctTexts(trainSet.map((e) => e.text));
      const row = new Map([...distinct.keys()].map((key, i) => [key, i]));
      featureRow = new Map(trainSet.map((e) => [e, row.get(textKey(e.text))!]));
      features = sharedCache
        ? sharedCache.plainPooled([...distinct.values()])
        : ctx.model.embedTensor([...distinct.values()], { maxLength: s.maxLength, batchSize: 32 });
    }
    for (let epoch = 1; epoch <= epochs && stepsPerEpoch > 0; epoch++) {
      const order = shuffled(trainSet, rng);
      let lossSum = 0;
      for (let b = 0; b < stepsPerEpoch; b++) {
        // One turn of the event loop per step: on a synchronous backend (wasm, cpu) nothing else would
        // run until training ends, so a cancel (or any message to a worker) could not land meanwhile.
        await nextTurn();
        checkAbort();
        const batch = order.slice(b * s.batchSize, (b + 1) * s.batchSize);
        const input = features
          ? { features, rows: batch.map((e) => featureRow.get(e)!) }
          : { pooled, texts: batch.map((e) => e.text) };
        const loss = await step(ctx.task, live, optimizers, batch, input);
        lossSum += loss;
        result.steps++;
        const elapsedMs = performance.now() - started;
        const last = result.heldOut.at(-1);
        const metric = ctx.task.kind === 'regression' ? 'mse' : 'accuracy';
        options.onProgress?.({
          step: result.steps,
          totalSteps,
          epoch,
          epochs,
          loss,
          ...(last === undefined ? {} : { heldOut: { metric, value: last } }),
          elapsedMs,
          etaMs: (elapsedMs / result.steps) * (totalSteps - result.steps),
        });
      }
      result.epochLosses.push(lossSum / stepsPerEpoch);
      if (selectOn.length === 0) continue;
      checkAbort();
      const outputs = await outputsOn(selectOn);
      const loss = heldOutLoss(ctx.task, outputs, selectOn);
      if (heldOut.length > 0) {
        result.heldOut.push(heldOutMetric(ctx.task, outputs, heldOut));
        result.heldOutLoss.push(loss);
      }
      // Early stopping follows the loss: unlike accuracy on a few examples it rarely ties.
      if (best === undefined || loss < best.loss) {
        best = { loss, values: await live.snapshot() };
        result.bestEpoch = epoch;
        sinceBest = 0;
      } else if (++sinceBest >= s.patience && !onTraining) break;
    }
    checkAbort();
    if (best) live.restore(best.values);
    else result.bestEpoch = result.epochLosses.length;
    result.values = await live.snapshot();
    result.elapsedMs = performance.now() - started;
    return result;
  } finally {
    features?.dispose();
    ownCache?.dispose();
    for (const o of optimizers.values()) o.dispose();
    state?.dispose();
  }
}

/** What a step's pooled vectors come from: fixed features by row (head-only), or the encoder. */
type StepInput = { features: tf.Tensor2D; rows: number[] } | { pooled: Pooler; texts: readonly TextInput[] };

/** One optimisation step on a batch; returns its loss. Frees every tensor it made, also on error. */
async function step(
  task: Task,
  state: TrainableState,
  optimizers: Map<ParamGroup, tf.Optimizer>,
  batch: readonly EncodedExample[],
  input: StepInput,
): Promise<number> {
  const targets = targetsTensor(task, batch);
  const rows = 'rows' in input ? tf.tensor1d(input.rows, 'int32') : undefined;
  let value: tf.Scalar | undefined;
  let grads: tf.NamedTensorMap = {};
  try {
    ({ value, grads } = tf.variableGrads(
      () =>
        tf.tidy(() => {
          const pooled =
            'rows' in input ? tf.gather(input.features, rows!) : input.pooled(input.texts, state.adapters());
          return taskLoss(task, applyHead(pooled, state.head), targets);
        }),
      state.variables.map((v) => v.variable),
    ));
    for (const [group, optimizer] of optimizers) {
      const mine = state.variables.filter((v) => v.group === group).map((v) => v.variable.name);
      optimizer.applyGradients(Object.fromEntries(mine.map((name) => [name, grads[name]!])));
    }
    return (await value.data())[0]!;
  } finally {
    tf.dispose([targets, ...(rows ? [rows] : []), ...(value ? [value] : []), ...Object.values(grads)]);
  }
}
