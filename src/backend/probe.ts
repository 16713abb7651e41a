// The probe that times a tfjs backend before the engine commits to it: one training step (forward,
// gradient of an adapter) of a one-layer encoder shaped like the default model's layers (d 384, 12 heads,
// feed-forward 1536, a Pfeiffer adapter of width 24) at batch 8 × 32 tokens. It runs the encoder's own
// code, so it measures the ops and shapes that training and prediction use, at a sixth of the layers.

import * as tf from '@tensorflow/tfjs';
import type { SiteAdapter } from '../encoder/adapter';
import { BertEncoder } from '../encoder/bert';
import { expectedShapes } from '../encoder/weights';
import { ProbeTimeoutError } from '../errors';
import type { BertConfig } from '../model/config';
import type { Tensor32 } from '../model/safetensors';

export const PROBE_SHAPE = { batch: 8, tokens: 32, layers: 1, d: 384, heads: 12, ffn: 1536, r: 24 } as const;

const CONFIG: BertConfig = {
  vocabSize: 128,
  hiddenSize: PROBE_SHAPE.d,
  numLayers: PROBE_SHAPE.layers,
  numHeads: PROBE_SHAPE.heads,
  intermediateSize: PROBE_SHAPE.ffn,
  hiddenAct: 'gelu',
  maxPositions: PROBE_SHAPE.tokens,
  typeVocabSize: 2,
  layerNormEps: 1e-12,
  padTokenId: 0,
};

export interface ProbeTiming {
  /** The first step: shader compilation, kernel set-up and uploads. */
  warmupMs: number;
  /** The fastest of the timed steps after the warm-up: the pace the backend can keep. */
  msPerStep: number;
}

export interface ProbeLimits {
  /** Longest the warm-up step may take. */
  warmupMs: number;
  /** Longest one timed step may take. */
  stepMs: number;
  /** Timed steps after the warm-up (default 2). */
  steps?: number;
  /**
   * A cheap first check, for candidates that must prove they can compete: one product of the step's
   * widest shape ([256, 384]·[384, 1536], about a ninth of a step's arithmetic) may take at most this
   * long once compiled. Failing it costs little work, where a full warm-up cut off by its cap leaves
   * seconds of work running on the device.
   */
  gateMs?: number;
}

/** A step's arithmetic in units of the gate's product: forward 4 d×d and 2 d×4d products, backward twice. */
export const STEP_PER_GATE = 9;

async function gate(capMs: number, warmupMs: number): Promise<void> {
  const { batch, tokens, d, ffn } = PROBE_SHAPE;
  const a = tf.randomNormal([batch * tokens, d]);
  const b = tf.randomNormal([d, ffn]);
  const product = async () => {
    const started = performance.now();
    const c = tf.matMul(a, b);
    await c.data();
    c.dispose();
    return performance.now() - started;
  };
  let settled: Promise<unknown> = Promise.resolve();
  try {
    const first = product();
    settled = first;
    await within(first, warmupMs, 'compiling one matrix product');
    const second = product();
    settled = second;
    await within(second, capMs, 'one matrix product of the step');
  } finally {
    const release = () => tf.dispose([a, b]);
    settled.then(release, release);
  }
}

/**
 * The milliseconds a step took, or ProbeTimeoutError once it passes `cap`: when the cap passes while it
 * runs (GPU backends, whose work cannot be stopped), or when it returns later than the cap (a synchronous
 * backend gives the timer no chance to fire first).
 */
async function within(step: Promise<number>, cap: number, what: string): Promise<number> {
  const late = () => new ProbeTimeoutError(`${what} took longer than its cap of ${Math.round(cap)} ms`);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const capped = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(late()), cap);
  });
  const took = await Promise.race([step, capped]).finally(() => clearTimeout(timer));
  if (took > cap) throw late();
  return took;
}

/** Times the probe step on the active backend; throws ProbeTimeoutError past a cap. */
export async function probeActiveBackend(limits: ProbeLimits): Promise<ProbeTiming> {
  if (limits.gateMs !== undefined) await gate(limits.gateMs, limits.warmupMs);
  // Timing does not depend on the values: a cheap fixed pattern of the usual scale, ones for gains.
  const tensors = new Map<string, Tensor32>();
  for (const [name, shape] of expectedShapes(CONFIG)) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    if (name.endsWith('LayerNorm.weight')) data.fill(1);
    else for (let i = 0; i < data.length; i++) data[i] = ((i * 7919) % 101) / 2500 - 0.02;
    tensors.set(name, { shape, data });
  }
  const { batch, tokens, d, r } = PROBE_SHAPE;
  const encoder = BertEncoder.create(CONFIG, tensors);
  const ids = Int32Array.from({ length: batch * tokens }, (_, i) => 1 + (i % (CONFIG.vocabSize - 1)));
  const inputs = {
    inputIds: tf.tensor2d(ids, [batch, tokens], 'int32'),
    tokenTypeIds: tf.zeros([batch, tokens], 'int32') as tf.Tensor2D,
    attentionMask: tf.ones([batch, tokens]) as tf.Tensor2D,
  };
  const adapter: SiteAdapter = {
    down: tf.variable(tf.fill([d, r], 0.05) as tf.Tensor2D),
    downBias: tf.variable(tf.zeros<tf.Rank.R1>([r])),
    up: tf.variable(tf.fill([r, d], 0.05) as tf.Tensor2D),
    upBias: tf.variable(tf.zeros<tf.Rank.R1>([d])),
    activation: 'relu',
  };
  const trainable = [adapter.down, adapter.downBias, adapter.up, adapter.upBias] as tf.Variable[];
  const step = async (): Promise<number> => {
    const started = performance.now();
    const { value, grads } = tf.variableGrads(
      () => tf.mean(tf.square(encoder.forward(inputs, { placement: 'pfeiffer', sites: [adapter] }))),
      trainable,
    );
    await Promise.all([value.data(), ...Object.values(grads).map((g) => g.data())]);
    tf.dispose([value, ...Object.values(grads)]);
    return performance.now() - started;
  };
  const release = () => {
    encoder.dispose();
    tf.dispose([...Object.values(inputs), ...trainable]);
  };
  let settled: Promise<unknown> = Promise.resolve();
  try {
    const warm = step();
    settled = warm;
    const warmupMs = await within(warm, limits.warmupMs, 'the warm-up step');
    const times: number[] = [];
    for (let i = 0; i < (limits.steps ?? 2); i++) {
      const timed = step();
      settled = timed;
      times.push(await within(timed, limits.stepMs, 'a probe step'));
    }
    return { warmupMs, msPerStep: Math.min(...times) };
  } finally {
    // A step cut off by its cap keeps running on the device: free the tensors when it ends.
    settled.then(release, release);
  }
}
