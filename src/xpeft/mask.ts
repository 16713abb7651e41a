// Mask weights from a profile's scores. Soft: softmax(s). Hard: the top-k indicator divided by k in the
// forward pass, with the gradient of softmax(s) in the backward pass (straight-through estimator).

import * as tf from '@tensorflow/tfjs';
import { XpeftError } from '../errors';

export type MaskMode = 'hard' | 'soft';
export const MASK_MODES: readonly MaskMode[] = ['hard', 'soft'];

export class MaskConfigError extends XpeftError {}

export interface MaskSpec {
  mode: MaskMode;
  /** Adapters selected per row in hard mode, 1…N; ignored in soft mode. */
  k: number;
}

export function validateMaskSpec(spec: MaskSpec, n: number): void {
  if (!MASK_MODES.includes(spec.mode)) {
    throw new MaskConfigError(`Mask mode must be one of ${MASK_MODES.join(', ')}; got "${spec.mode}".`);
  }
  if (spec.mode === 'hard' && (!Number.isInteger(spec.k) || spec.k < 1 || spec.k > n)) {
    throw new MaskConfigError(`Hard mask k must be an integer in [1, ${n}] (the bank size); got ${spec.k}.`);
  }
}

/**
 * Rows of top-k indicators divided by k: [rows, N] → [rows, N]. Built with a comparison against each
 * row's k-th largest score rather than oneHot: tfjs 4.22's wasm oneHot with a float32 dtype writes
 * integer bit patterns (1 becomes 1.4e-45), which silently zeroed every mask.
 */
export function topkIndicator(scores: tf.Tensor2D, k: number): tf.Tensor2D {
  return tf.tidy(() => {
    const kth = tf.min(tf.topk(scores, k).values, 1, true); // [rows, 1]
    const selected = tf.where(tf.greaterEqual(scores, kth), tf.onesLike(scores), tf.zerosLike(scores)); // [rows, N]
    return tf.div(selected, k) as tf.Tensor2D;
  });
}

const straightThrough = (k: number) =>
  tf.customGrad((s) => {
    const scores = s as tf.Tensor2D;
    return {
      value: topkIndicator(scores, k),
      // d softmax(s)ᵀ·dy = p ⊙ (dy − Σ dy⊙p), row by row.
      gradFunc: (dy) => {
        const p = tf.softmax(scores);
        return [tf.mul(p, tf.sub(dy, tf.sum(tf.mul(dy, p), 1, true)))];
      },
    };
  }) as (s: tf.Tensor2D) => tf.Tensor2D;

/** Mask weights [rows, N] from scores [rows, N]; differentiable with respect to the scores in both modes. */
export function maskWeights(scores: tf.Tensor2D, spec: MaskSpec): tf.Tensor2D {
  return spec.mode === 'soft' ? tf.softmax(scores) : straightThrough(spec.k)(scores);
}
