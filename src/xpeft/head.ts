// Task heads: a linear layer on the pooled vector, logits for classification or one value for regression.

import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../util/random';
import type { EncodedExample, Task } from './task';

/** Plain weights of a head: weight [inputs, outputs] row-major, bias [outputs]. */
export interface HeadWeights {
  inputs: number;
  outputs: number;
  weight: Float32Array;
  bias: Float32Array;
}

/**
 * A fresh head for a task: small random weights and the bias where the examples are (see dataBias). A
 * regression head at zero bias with ratings near 3 would spend its first steps, and a loss near 9, just
 * learning the mean.
 */
export function initHeadWeights(
  task: Task,
  inputs: number,
  examples: readonly EncodedExample[],
  seed: number,
): HeadWeights {
  const outputs = task.kind === 'classification' ? task.labels.length : 1;
  const rng = seededRandom(seed ^ 0x5eed);
  return { inputs, outputs, weight: rng.normals(inputs * outputs, 0.02), bias: dataBias(task, examples) };
}

/**
 * The bias that makes a head with near-zero weights predict the data's own summary: the mean target
 * (regression) or the log class priors (classification, add-one smoothed so an absent class stays finite).
 */
export function dataBias(task: Task, examples: readonly EncodedExample[]): Float32Array {
  if (examples.length === 0) throw new RangeError('dataBias needs at least one example.');
  if (task.kind === 'regression') {
    return Float32Array.of(examples.reduce((s, e) => s + e.target, 0) / examples.length);
  }
  const C = task.labels.length;
  const counts = new Float64Array(C).fill(1);
  for (const e of examples) counts[e.target]! += 1;
  const total = examples.length + C;
  return Float32Array.from(counts, (c) => Math.log(c / total));
}

export interface HeadTensors {
  weight: tf.Tensor2D; // [d, C]
  bias: tf.Tensor1D; // [C]
}

/** What of a head trains: nothing, everything, or the bias alone (a personal offset over a shared head). */
export type HeadTraining = false | true | 'bias';

export function headTensors(h: HeadWeights, trainable: HeadTraining = false): HeadTensors {
  const weight = () => tf.tensor2d(h.weight, [h.inputs, h.outputs]);
  const bias = () => tf.tensor1d(h.bias);
  if (!trainable) return { weight: weight(), bias: bias() };
  // tf.variable keeps its own reference to the data, so the initial tensors can be freed at once.
  return tf.tidy(() => ({
    weight: trainable === 'bias' ? weight() : tf.variable(weight()),
    bias: tf.variable(bias()),
  }));
}

export async function readHead(h: HeadTensors): Promise<HeadWeights> {
  const [inputs, outputs] = h.weight.shape;
  return {
    inputs,
    outputs,
    weight: (await h.weight.data()) as Float32Array,
    bias: (await h.bias.data()) as Float32Array,
  };
}

/** pooled [B, d] → [B, C] logits or [B, 1] values. */
export function applyHead(pooled: tf.Tensor2D, h: HeadTensors): tf.Tensor2D {
  return tf.add(tf.matMul(pooled, h.weight), h.bias) as tf.Tensor2D;
}

/** pooled [B, d] with one head per row (all of one shape) → [B, C]: one batched product. */
export function applyHeads(pooled: tf.Tensor2D, heads: readonly HeadWeights[]): tf.Tensor2D {
  const { inputs, outputs } = heads[0]!;
  const weight = new Float32Array(heads.length * inputs * outputs);
  const bias = new Float32Array(heads.length * outputs);
  heads.forEach((h, b) => {
    weight.set(h.weight, b * inputs * outputs);
    bias.set(h.bias, b * outputs);
  });
  return tf.tidy(() => {
    const w = tf.tensor3d(weight, [heads.length, inputs, outputs]);
    const out = tf.matMul(pooled.expandDims(1) as tf.Tensor3D, w).squeeze([1]); // [B, 1, d]·[B, d, C]
    return tf.add(out, tf.tensor2d(bias, [heads.length, outputs])) as tf.Tensor2D;
  });
}

/**
 * The bias that removes a head's average error on examples, given its outputs [B, C] with the current
 * bias: the mean residual is added (regression), or each class's logit moves by log(prior / mean
 * predicted probability), the priors add-one smoothed (classification). A personal offset starts here,
 * where a few optimiser steps could not take it.
 */
export function residualBias(
  task: Task,
  outputs: Float32Array,
  examples: readonly EncodedExample[],
  bias: Float32Array,
): Float32Array {
  if (examples.length === 0) throw new RangeError('residualBias needs at least one example.');
  if (task.kind === 'regression') {
    const residual = examples.reduce((s, e, i) => s + e.target - outputs[i]!, 0) / examples.length;
    return Float32Array.of(bias[0]! + residual);
  }
  const C = task.labels.length;
  const prior = dataBias(task, examples); // log priors
  const meanProb = new Float64Array(C);
  for (let i = 0; i < examples.length; i++) {
    const row = outputs.subarray(i * C, (i + 1) * C);
    const max = Math.max(...row);
    const exps = Array.from(row, (v) => Math.exp(v - max));
    const sum = exps.reduce((a, v) => a + v, 0);
    exps.forEach((v, c) => {
      meanProb[c]! += v / sum / examples.length;
    });
  }
  return Float32Array.from(bias, (b, c) => b + prior[c]! - Math.log(Math.max(meanProb[c]!, 1e-6)));
}

/**
 * Mean cross-entropy (classification; targets one-hot float32 [B, C]) or mean squared error (regression;
 * targets float32 [B]). Targets are built on the CPU, so the graph needs no oneHot or cast kernels.
 */
export function taskLoss(task: Task, out: tf.Tensor2D, targets: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    if (task.kind === 'regression') return tf.mean(tf.square(tf.sub(out.squeeze([1]), targets))) as tf.Scalar;
    return tf.losses.softmaxCrossEntropy(targets, out) as tf.Scalar;
  });
}

/** One-hot rows [B, C] for classification, values [B] for regression, built on the CPU. */
export function targetsTensor(task: Task, batch: readonly EncodedExample[]): tf.Tensor {
  if (task.kind === 'regression') return tf.tensor1d(batch.map((e) => e.target));
  const C = task.labels.length;
  const oneHot = new Float32Array(batch.length * C);
  batch.forEach((e, i) => {
    oneHot[i * C + e.target] = 1;
  });
  return tf.tensor2d(oneHot, [batch.length, C]);
}
