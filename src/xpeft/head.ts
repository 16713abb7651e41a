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
