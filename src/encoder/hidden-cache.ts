// States at one adapter site (see SitePoint), kept per distinct text. When every adapter site is at or
// after it, everything before it never changes during training, so each text passes through that part
// once instead of at every step, every epoch and (kept by an engine) every person.

import * as tf from '@tensorflow/tfjs';
import { InputError } from '../errors';
import { distinctTexts, type TextInput, textKey, textsPerPass } from '../model/tokenizer';
import type { ForwardAdapterSet } from './adapter';
import { pool, toEncoderInputs } from './bert';
import type { LanguageModel } from './language-model';
import type { SitePoint } from './placement';

export class HiddenCache {
  /** Per text: the site's state over its real tokens, [tokens, d] each (padding is rebuilt per batch). */
  private readonly rows = new Map<string, { s: tf.Tensor2D; x: tf.Tensor2D }>();
  /** Per text: its pooled vector with no adapters [d], once asked for (it never changes). */
  private readonly plain = new Map<string, tf.Tensor1D>();

  constructor(
    private readonly model: LanguageModel,
    /** The site whose state is cached: adapters used with this cache must have no site before it. */
    readonly at: SitePoint,
    readonly maxLength: number,
  ) {}

  /** Distinct texts held. */
  get size(): number {
    return this.rows.size;
  }

  /** Runs the texts not yet cached up to the site, `batchSize` at a time, shortest first (less padding). */
  add(texts: readonly TextInput[], batchSize = 16): void {
    const missing = [...distinctTexts(texts).entries()]
      .filter(([key]) => !this.rows.has(key))
      .sort((a, b) => a[0].length - b[0].length);
    for (let i = 0; i < missing.length; i += batchSize) {
      const chunk = missing.slice(i, i + batchSize);
      const batch = this.model.tokenize(
        chunk.map(([, t]) => t),
        { maxLength: this.maxLength, padding: 'longest' },
      );
      const kept = tf.tidy(() => {
        const state = this.model.encoder.siteState(toEncoderInputs(batch), this.at); // [B, T, d] each
        return chunk.map((_, b) => {
          let tokens = 0;
          for (let t = 0; t < batch.seqLen; t++) tokens += batch.attentionMask[b * batch.seqLen + t]!;
          const row = (v: tf.Tensor3D) => v.slice([b, 0, 0], [1, tokens, -1]).squeeze([0]) as tf.Tensor2D;
          return { s: row(state.s), x: row(state.x) };
        });
      });
      for (const [b, [key]] of chunk.entries()) this.rows.set(key, kept[b]!);
    }
  }

  /**
   * Mean-pooled last hidden states [B, d] of cached texts under the adapters, equal to a full forward
   * pass's. Differentiable with respect to the adapters; call inside tf.tidy.
   */
  pooled(texts: readonly TextInput[], adapters: ForwardAdapterSet | undefined): tf.Tensor2D {
    const parts = texts.map((t) => {
      const row = this.rows.get(textKey(t));
      if (!row) throw new InputError('A text was not added to the hidden-state cache before use.');
      return row;
    });
    const T = Math.max(...parts.map((p) => p.s.shape[0]));
    const mask = new Float32Array(parts.length * T);
    for (const [b, p] of parts.entries()) mask.fill(1, b * T, b * T + p.s.shape[0]);
    const padded = (v: tf.Tensor2D) =>
      v.shape[0] === T
        ? v
        : tf.pad(v, [
            [0, T - v.shape[0]],
            [0, 0],
          ]);
    const state = {
      s: tf.stack(parts.map((p) => padded(p.s))) as tf.Tensor3D,
      x: tf.stack(parts.map((p) => padded(p.x))) as tf.Tensor3D,
    };
    const attentionMask = tf.tensor2d(mask, [parts.length, T]);
    const last = this.model.encoder.forwardFromSite(state, attentionMask, this.at, adapters);
    return pool(last, attentionMask, 'mean');
  }

  /**
   * Pooled vectors [B, d] of cached texts with no adapters, each computed once and kept: about 2,048
   * tokens a pass (32 texts of 64, 8 jokes of 256), each pass's intermediates freed before the next.
   */
  plainPooled(texts: readonly TextInput[]): tf.Tensor2D {
    const missing = [...distinctTexts(texts).entries()].filter(([key]) => !this.plain.has(key));
    const size = textsPerPass(this.maxLength, 2048);
    for (let i = 0; i < missing.length; i += size) {
      const chunk = missing.slice(i, i + size);
      const rows = tf.tidy(
        () =>
          tf.unstack(
            this.pooled(
              chunk.map(([, t]) => t),
              undefined,
            ),
          ) as tf.Tensor1D[],
      );
      // Kept: a caller's enclosing tf.tidy must not free the memo.
      for (const [b, [key]] of chunk.entries()) this.plain.set(key, tf.keep(rows[b]!));
    }
    return tf.stack(texts.map((t) => this.plain.get(textKey(t))!)) as tf.Tensor2D;
  }

  dispose(): void {
    for (const { s, x } of this.rows.values()) tf.dispose([s, x]);
    tf.dispose([...this.plain.values()]);
    this.rows.clear();
    this.plain.clear();
  }
}

/** Caches by site and token length, made on first use: what trainings and predictions share. */
export class SiteStateCaches {
  private readonly caches = new Map<string, HiddenCache>();

  constructor(private readonly model: LanguageModel) {}

  /** The cache at a site for inputs of `maxLength` tokens. */
  readonly get = (at: SitePoint, maxLength: number): HiddenCache => {
    const key = `${at.layer}:${at.where}:${maxLength}`;
    const cache = this.caches.get(key) ?? new HiddenCache(this.model, at, maxLength);
    this.caches.set(key, cache);
    return cache;
  };

  dispose(): void {
    for (const cache of this.caches.values()) cache.dispose();
    this.caches.clear();
  }
}
