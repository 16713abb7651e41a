// Length buckets: padding a batch up to 16, 32, 64, … tokens bounds the shapes GPU backends compile
// shaders for, and changes no output: pooled vectors and adapter outputs equal those of longest-padding.

import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRandomBank, disposeBank, LanguageModel, useBackend } from '../src/advanced';
import { pool, toEncoderInputs } from '../src/encoder/bert';
import { paddedLength } from '../src/model/tokenizer';
import { composeCached, disposeAdapterSet } from '../src/xpeft/compose';
import { writeTinyModel } from './helpers/tiny-model';

const TEXTS = [
  'Short.',
  'A somewhat longer sentence about a guitar that stopped working after a week, then again.',
  ['a sentence pair', 'with its second part'] as [string, string],
];

describe('sequence-length buckets', () => {
  let model: LanguageModel;

  beforeAll(async () => {
    await useBackend('cpu');
    model = await LanguageModel.load({ kind: 'dir', path: writeTinyModel({ seed: 31 }) });
  });
  afterAll(() => model.dispose());

  it('rounds up to the next power of two from 16, capped at the maximum length', () => {
    expect([1, 16, 17, 33, 64, 65, 100].map((n) => paddedLength(n, 128, 'buckets'))).toEqual([
      16, 16, 32, 64, 64, 128, 128,
    ]);
    expect(paddedLength(70, 100, 'buckets')).toBe(100);
    expect(paddedLength(70, 100, 'longest')).toBe(70);
  });

  it('gives the same pooled vectors, with and without adapters, as padding to the longest input', async () => {
    const bank = await createRandomBank(
      { seed: 2, n: 8, r: 4 },
      model.config.hiddenSize,
      model.config.numLayers,
    );
    const mask = tf.tidy(() => tf.oneHot(tf.tensor1d([1, 5], 'int32'), 8).mul(1) as tf.Tensor2D);
    const adapters = composeCached(bank, mask, mask);
    try {
      for (const set of [undefined, adapters]) {
        const run = (padding: 'longest' | 'buckets') =>
          tf.tidy(() => {
            const batch = model.tokenize(TEXTS, { maxLength: 64, padding });
            const x = toEncoderInputs(batch);
            return {
              seqLen: batch.seqLen,
              pooled: pool(model.encoder.forward(x, set), x.attentionMask, 'mean'),
            };
          });
        const longest = run('longest');
        const bucketed = run('buckets');
        expect(longest.seqLen).toBe(19); // so the buckets add 13 padding positions
        expect(bucketed.seqLen).toBe(32);
        const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(longest.pooled, bucketed.pooled))).dataSync()[0]!);
        expect(diff).toBeLessThan(1e-5);
        tf.dispose([longest.pooled, bucketed.pooled]);
      }
    } finally {
      disposeAdapterSet(adapters);
      mask.dispose();
      disposeBank(bank);
    }
  });
});
