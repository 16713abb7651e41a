// Task heads: a linear layer on the pooled vector, logits for classification or one value for regression.

import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../util/random';
import type { Task } from './task';

/** Plain weights of a head: weight [inputs, outputs] row-major, bias [outputs]. */
export interface HeadWeights {
  inputs: number;
  outputs: number;
  weight: Float32Array;
  bias: Float32Array;
}

export function initHeadWeights(inputs: number, outputs: number, seed: number): HeadWeights {
  const rng = seededRandom(seed ^ 0x5eed);
  return { inputs, outputs, weight: rng.normals(inputs * outputs, 0.02), bias: new Float32Array(outputs) };
}

export interface HeadTensors {
  weight: tf.Tensor2D; // [d, C]
  bias: tf.Tensor1D; // [C]
}

export function headTensors(h: HeadWeights, trainable = false): HeadTensors {
  const weight = () => tf.tensor2d(h.weight, [h.inputs, h.outputs]);
  const bias = () => tf.tensor1d(h.bias);
  if (!trainable) return { weight: weight(), bias: bias() };
  // tf.variable keeps its own reference to the data, so the initial tensors can be freed at once.
  return tf.tidy(() => ({ weight: tf.variable(weight()), bias: tf.variable(bias()) }));
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
 * Mean cross-entropy (classification; targets one-hot float32 [B, C]) or mean squared error (regression;
 * targets float32 [B]). Targets are built on the CPU, so the graph needs no oneHot or cast kernels.
 */
export function taskLoss(task: Task, out: tf.Tensor2D, targets: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    if (task.kind === 'regression') return tf.mean(tf.square(tf.sub(out.squeeze([1]), targets))) as tf.Scalar;
    return tf.losses.softmaxCrossEntropy(targets, out) as tf.Scalar;
  });
}
