// The population head: a task head fitted on the untouched model's pooled vectors of many people's
// labelled texts. Each distinct text is embedded once and the head is then fitted on the vectors alone,
// so thousands of labels cost one forward pass per text rather than one per label and epoch.

import * as tf from '@tensorflow/tfjs';
import type { LanguageModel } from '../encoder/language-model';
import { distinctTexts, textKey } from '../model/tokenizer';
import { seededRandom, shuffled } from '../util/random';
import {
  applyHead,
  type HeadWeights,
  headTensors,
  initHeadWeights,
  readHead,
  targetsTensor,
  taskLoss,
} from '../xpeft/head';
import { type EncodedExample, type Example, encodeHistory, type Task } from '../xpeft/task';

export interface PopulationHeadOptions {
  /** Distinct texts embedded; beyond this a seeded random subset is kept (default: all). */
  maxTexts?: number;
  maxLength?: number; // tokens per text, default 128 (as the engine predicts), at most the model's
  batchSize?: number; // texts per forward pass, default 32
  steps?: number; // full-batch Adam steps on the vectors, default 500
  learningRate?: number; // default 1e-2
  /** Share of the texts (with all their labels) held out to choose the best step, default 0.1. */
  heldOutFraction?: number;
  seed?: number; // default 0
  onProgress?: (p: { embedded: number; total: number }) => void;
  signal?: AbortSignal;
}

export interface PopulationHead {
  head: HeadWeights;
  /** Distinct texts embedded and labels fitted (after the text cap). */
  texts: number;
  examples: number;
  /** For each example of the history, whether it was fitted (its text was kept under the cap). */
  fitted: boolean[];
  /** Loss on the held-out texts at the kept step (NaN without a held-out set). */
  heldOutLoss: number;
}

export async function fitPopulationHead(
  model: LanguageModel,
  task: Task,
  history: readonly Example[],
  options: PopulationHeadOptions = {},
): Promise<PopulationHead> {
  const seed = options.seed ?? 0;
  const all = encodeHistory(task, history, 1);
  let texts = [...distinctTexts(all.map((e) => e.text)).entries()];
  if (options.maxTexts !== undefined && texts.length > options.maxTexts)
    texts = shuffled(texts, seededRandom(seed)).slice(0, options.maxTexts);
  const row = new Map(texts.map(([key], i) => [key, i]));
  const examples = all.filter((e) => row.has(textKey(e.text)));

  // Embed each text once, in chunks so progress and cancellation are honest.
  const d = model.config.hiddenSize;
  const vectors = new Float32Array(texts.length * d);
  const chunk = options.batchSize ?? 32;
  const maxLength = Math.min(options.maxLength ?? 128, model.config.maxPositions);
  for (let start = 0; start < texts.length; start += chunk) {
    options.signal?.throwIfAborted();
    const part = texts.slice(start, start + chunk).map(([, text]) => text);
    const pooled = model.embedTensor(part, { maxLength, batchSize: chunk }); // [b, d]
    vectors.set((await pooled.data()) as Float32Array, start * d);
    pooled.dispose();
    options.onProgress?.({ embedded: start + part.length, total: texts.length });
  }

  // Held out by text, so a text's other labels cannot leak its answer into the choice of step.
  const heldOutTexts = new Set(
    shuffled([...texts.keys()], seededRandom(seed + 1)).slice(
      0,
      Math.floor(texts.length * (options.heldOutFraction ?? 0.1)),
    ),
  );
  const isHeld = (e: EncodedExample) => heldOutTexts.has(row.get(textKey(e.text))!);
  const fit = examples.filter((e) => !isHeld(e));
  const held = examples.filter(isHeld);
  const start = initHeadWeights(task, d, fit, seed);
  const head = headTensors(start, true);
  const optimizer = tf.train.adam(options.learningRate ?? 1e-2);
  const table = tf.tensor2d(vectors, [texts.length, d]); // [T, d]
  const gather = (rows: readonly EncodedExample[]) =>
    tf.tidy(() =>
      tf.gather(
        table,
        tf.tensor1d(
          rows.map((e) => row.get(textKey(e.text))!),
          'int32',
        ),
      ),
    ); // [E, d]
  const fitX = gather(fit);
  const fitY = targetsTensor(task, fit);
  const heldX = held.length > 0 ? gather(held) : undefined;
  const heldY = held.length > 0 ? targetsTensor(task, held) : undefined;
  let best = { loss: Number.POSITIVE_INFINITY, head: start };
  try {
    const steps = options.steps ?? 500;
    for (let step = 1; step <= steps; step++) {
      optimizer.minimize(() => taskLoss(task, applyHead(fitX as tf.Tensor2D, head), fitY));
      if (heldX && (step % 10 === 0 || step === steps)) {
        const loss = tf.tidy(() => taskLoss(task, applyHead(heldX as tf.Tensor2D, head), heldY!));
        const value = (await loss.data())[0]!;
        loss.dispose();
        if (value < best.loss) best = { loss: value, head: await readHead(head) };
      }
    }
    if (!heldX) best = { loss: Number.NaN, head: await readHead(head) };
  } finally {
    tf.dispose([table, fitX, fitY, head.weight, head.bias, ...(heldX ? [heldX, heldY!] : [])]);
    optimizer.dispose();
  }
  return {
    head: best.head,
    texts: texts.length,
    examples: examples.length,
    fitted: all.map((e) => row.has(textKey(e.text))),
    heldOutLoss: best.loss,
  };
}
