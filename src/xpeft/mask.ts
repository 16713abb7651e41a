// Mask weights from a profile's scores. Soft: softmax(s). Hard: the top-k indicator divided by k in the
// forward pass, with the gradient of softmax(s) in the backward pass (straight-through estimator).

import * as tf from '@tensorflow/tfjs';
import { MaskConfigError } from '../errors';

export type MaskMode = 'hard' | 'soft';
export const MASK_MODES: readonly MaskMode[] = ['hard', 'soft'];

/**
 * How a site's selected adapters combine. 'weights' (X-PEFT's, the default): one adapter whose down and up
 * projections are the masks' weighted means of the bank's, A by the A mask and B by the B mask.
 * 'outputs': the weighted mean of the bank adapters' own outputs, f(h) = Σ_i w_i·f_i(h) with w the mean
 * of the two masks, so a selection of source people's adapters answers as the mean of their answers;
 * adapters trained apart share no basis, so a mean of their weights need not compute anything like them.
 */
export type MaskMix = 'weights' | 'outputs';
export const MASK_MIXES: readonly MaskMix[] = ['weights', 'outputs'];

export interface MaskSpec {
  mode: MaskMode;
  /** Adapters selected per row in hard mode, 1…N; ignored in soft mode. */
  k: number;
  /** How selected adapters combine (default 'weights'). */
  mix?: MaskMix;
}

export function validateMaskSpec(spec: MaskSpec, n: number): void {
  if (!MASK_MODES.includes(spec.mode)) {
    throw new MaskConfigError(`Mask mode must be one of ${MASK_MODES.join(', ')}; got "${spec.mode}".`);
  }
  if (spec.mode === 'hard' && (!Number.isInteger(spec.k) || spec.k < 1 || spec.k > n)) {
    throw new MaskConfigError(`Hard mask k must be an integer in [1, ${n}] (the bank size); got ${spec.k}.`);
  }
  if (spec.mix !== undefined && !MASK_MIXES.includes(spec.mix)) {
    throw new MaskConfigError(`Mask mix must be one of ${MASK_MIXES.join(', ')}; got "${spec.mix}".`);
  }
}

/**
 * Rows of top-k indicators divided by k: [rows, N] → [rows, N], exactly k per row (ties go to the lower
 * index, as tf.topk orders them and as a stored hard profile's bits do). Built by comparing topk's indices
 * with a column range rather than with oneHot: tfjs 4.22's wasm oneHot with a float32 dtype writes
 * integer bit patterns (1 becomes 1.4e-45), which silently zeroed every mask.
 */
export function topkIndicator(scores: tf.Tensor2D, k: number): tf.Tensor2D {
  return tf.tidy(() => {
    const n = scores.shape[1];
    const { indices } = tf.topk(scores, k); // [rows, k]
    const columns = tf.range(0, n, 1, 'int32').reshape([1, 1, n]); // [1, 1, N]
    const hit = tf.equal(indices.expandDims(2), columns); // [rows, k, N]
    const ones = tf.ones(hit.shape);
    return tf.div(tf.sum(tf.where(hit, ones, tf.zerosLike(ones)), 1), k) as tf.Tensor2D; // [rows, N]
  });
}

const straightThrough = (k: number) =>
  tf.customGrad(((s: tf.Tensor2D, save: tf.GradSaveFunc) => {
    save([s]); // kept by the tape: the gradient must not depend on the caller's tensors
    return {
      value: topkIndicator(s, k),
      // d softmax(s)ᵀ·dy = p ⊙ (dy − Σ dy⊙p), row by row.
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
        const p = tf.softmax(saved[0]!);
        return [tf.mul(p, tf.sub(dy, tf.sum(tf.mul(dy, p), 1, true)))];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as (s: tf.Tensor2D) => tf.Tensor2D;

/** Mask weights [rows, N] from scores [rows, N]; differentiable with respect to the scores in both modes. */
export function maskWeights(scores: tf.Tensor2D, spec: MaskSpec): tf.Tensor2D {
  return spec.mode === 'soft' ? tf.softmax(scores) : straightThrough(spec.k)(scores);
}
