// Hidden states entering one layer, kept per distinct text. When every adapter site is at or above that
// layer, the layers below never change during training, so each text passes through them once instead
// of at every step and every epoch.

import * as tf from '@tensorflow/tfjs';
import { InputError } from '../errors';
import { distinctTexts, type TextInput, textKey } from '../model/tokenizer';
import type { AdapterSet } from './adapter';
import { pool, toEncoderInputs } from './bert';
import type { LanguageModel } from './language-model';

export class HiddenCache {
  /** Per text: the states of its real tokens [tokens, d] (padding is rebuilt per batch). */
  private readonly rows = new Map<string, tf.Tensor2D>();

  constructor(
    private readonly model: LanguageModel,
    /** The layer whose input is cached: adapters used with this cache must start at or above it. */
    readonly layer: number,
    private readonly maxLength: number,
  ) {}

  /** Runs the texts not yet cached through the layers below `layer`, `batchSize` at a time. */
  add(texts: readonly TextInput[], batchSize = 32): void {
    const missing = [...distinctTexts(texts).entries()].filter(([key]) => !this.rows.has(key));
    for (let i = 0; i < missing.length; i += batchSize) {
      const chunk = missing.slice(i, i + batchSize);
      const batch = this.model.tokenize(
        chunk.map(([, t]) => t),
        { maxLength: this.maxLength, padding: 'longest' },
      );
      const kept = tf.tidy(() => {
        const hidden = this.model.encoder.hiddenBefore(toEncoderInputs(batch), this.layer); // [B, T, d]
        return chunk.map((_, b) => {
          let tokens = 0;
          for (let t = 0; t < batch.seqLen; t++) tokens += batch.attentionMask[b * batch.seqLen + t]!;
          return hidden.slice([b, 0, 0], [1, tokens, -1]).squeeze([0]) as tf.Tensor2D;
        });
      });
      for (const [b, [key]] of chunk.entries()) this.rows.set(key, kept[b]!);
    }
  }

  /**
   * Mean-pooled last hidden states [B, d] of cached texts under the adapters, equal to a full forward
   * pass's. Differentiable with respect to the adapters; call inside tf.tidy.
   */
  pooled(texts: readonly TextInput[], adapters: AdapterSet | undefined): tf.Tensor2D {
    const parts = texts.map((t) => {
      const row = this.rows.get(textKey(t));
      if (!row) throw new InputError('A text was not added to the hidden-state cache before use.');
      return row;
    });
    const T = Math.max(...parts.map((p) => p.shape[0]));
    const mask = new Float32Array(parts.length * T);
    for (const [b, p] of parts.entries()) mask.fill(1, b * T, b * T + p.shape[0]);
    const hidden = tf.stack(
      parts.map((p) =>
        p.shape[0] === T
          ? p
          : tf.pad(p, [
              [0, T - p.shape[0]],
              [0, 0],
            ]),
      ),
    );
    const attentionMask = tf.tensor2d(mask, [parts.length, T]);
    const last = this.model.encoder.forwardFrom(hidden as tf.Tensor3D, attentionMask, this.layer, adapters);
    return pool(last, attentionMask, 'mean');
  }

  dispose(): void {
    tf.dispose([...this.rows.values()]);
    this.rows.clear();
  }
}
