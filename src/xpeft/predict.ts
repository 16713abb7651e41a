// Batched inference: texts → pooled vectors → head outputs, a batch at a time so that only the outputs
// outlive each batch. Training's selection passes and the engine's predictions both run through here.

import * as tf from '@tensorflow/tfjs';
import type { ForwardAdapterSet } from '../encoder/adapter';
import type { LanguageModel } from '../encoder/language-model';
import type { TextInput } from '../model/tokenizer';
import { applyHead, type HeadTensors } from './head';

/** Pooled vectors [B, d] of texts under adapters; call inside tf.tidy. */
export type Pooler = (texts: readonly TextInput[], adapters: ForwardAdapterSet | undefined) => tf.Tensor2D;

/** The full forward pass: tokenize, every layer, mean pooling. */
export function fullPass(model: LanguageModel, maxLength: number): Pooler {
  return (texts, adapters) => {
    return model.poolTokens(model.tokenize(texts, { maxLength, padding: 'buckets' }), adapters);
  };
}

/** Head outputs [B, C] (or [B, 1]) for texts, in batches, with the state's current parameters. */
export function predictOutputs(
  model: LanguageModel,
  adapters: () => ForwardAdapterSet | undefined,
  head: HeadTensors,
  texts: readonly TextInput[],
  maxLength: number,
  batchSize = 32,
): tf.Tensor2D {
  return outputsWith(fullPass(model, maxLength), adapters, head, texts, batchSize);
}

/** Head outputs for texts in batches, pooled by `pooled` (a full pass or a hidden-state cache). */
export function outputsWith(
  pooled: Pooler,
  adapters: () => ForwardAdapterSet | undefined,
  head: HeadTensors,
  texts: readonly TextInput[],
  batchSize = 32,
): tf.Tensor2D {
  return tf.tidy(() => {
    const set = adapters();
    const parts: tf.Tensor2D[] = [];
    for (let i = 0; i < texts.length; i += batchSize) {
      // Each batch in its own scope, so only its [B, C] outputs outlive it, not its hidden states.
      parts.push(tf.tidy(() => applyHead(pooled(texts.slice(i, i + batchSize), set), head)));
    }
    return tf.concat(parts, 0);
  });
}
