// A loaded checkpoint ready to encode text: tokenizer + frozen encoder + pooling, in batches.

import * as tf from '@tensorflow/tfjs';
import { InputError } from '../errors';
import { type Checkpoint, type LoadOptions, loadCheckpoint } from '../model/checkpoint';
import type { BertConfig } from '../model/config';
import type { ModelSource } from '../model/source';
import {
  type TextInput,
  type TextTokenizer,
  type TokenBatch,
  type TokenizeOptions,
  type Truncation,
  tokenizeBatch,
} from '../model/tokenizer';
import type { BatchedAdapterSet, ForwardAdapterSet } from './adapter';
import { BertEncoder, POOLINGS, type Pooling, pool, toEncoderInputs } from './bert';

export interface EmbedOptions {
  pooling?: Pooling; // default 'mean', as sentence-transformers' all-MiniLM-L6-v2 does
  truncation?: Truncation; // default 'truncate'
  /** Longest input in tokens; defaults to the model's maximum positions. */
  maxLength?: number;
  batchSize?: number; // default 16
  adapters?: ForwardAdapterSet;
}

export class LanguageModel {
  private constructor(
    readonly config: BertConfig,
    readonly tokenizer: TextTokenizer,
    readonly encoder: BertEncoder,
    /** sha256 of the weights file: the model's fingerprint. */
    readonly fingerprint: string,
    readonly source: ModelSource,
  ) {}

  static async load(source: ModelSource, options: LoadOptions = {}): Promise<LanguageModel> {
    return LanguageModel.fromCheckpoint(await loadCheckpoint(source, options));
  }

  static fromCheckpoint(ckpt: Checkpoint): LanguageModel {
    const encoder = BertEncoder.create(ckpt.config, ckpt.weights, ckpt.skipped);
    return new LanguageModel(ckpt.config, ckpt.tokenizer, encoder, ckpt.sha256, ckpt.source);
  }

  dispose(): void {
    this.encoder.dispose();
  }

  tokenize(
    inputs: readonly TextInput[],
    options: Pick<EmbedOptions, 'truncation' | 'maxLength'> & Pick<TokenizeOptions, 'padding'> = {},
  ): TokenBatch {
    const maxLength = options.maxLength ?? this.config.maxPositions;
    if (!Number.isInteger(maxLength) || maxLength < 2 || maxLength > this.config.maxPositions) {
      throw new InputError(
        `maxLength must be an integer in [2, ${this.config.maxPositions}]; got ${maxLength}.`,
      );
    }
    return tokenizeBatch(
      this.tokenizer,
      inputs,
      { maxLength, truncation: options.truncation ?? 'truncate', padding: options.padding ?? 'longest' },
      this.config.padTokenId,
    );
  }

  /** Pooled embeddings [inputs.length, d] as a tensor the caller disposes. */
  embedTensor(inputs: readonly TextInput[], options: EmbedOptions = {}): tf.Tensor2D {
    const pooling = options.pooling ?? 'mean';
    if (!POOLINGS.includes(pooling))
      throw new InputError(`pooling must be one of ${POOLINGS.join(', ')}; got "${pooling}".`);
    const batchSize = options.batchSize ?? 16;
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new InputError(`batchSize must be a positive integer; got ${batchSize}.`);
    if (inputs.length === 0)
      throw new InputError('Cannot embed an empty list of inputs; pass at least one text.');
    // Tokenize everything first, so bad input fails before any tensor exists.
    const batches: TokenBatch[] = [];
    for (let start = 0; start < inputs.length; start += batchSize) {
      batches.push(this.tokenize(inputs.slice(start, start + batchSize), options));
    }
    const parts = batches.map((batch) => tf.tidy(() => this.poolTokens(batch, options.adapters, pooling)));
    const out = parts.length === 1 ? parts[0]! : tf.concat(parts, 0);
    if (parts.length > 1) tf.dispose(parts);
    return out;
  }

  /**
   * Pooled vectors [B, d] of one tokenized batch under optional adapters (one set, or one per example):
   * the pass that embedding, training and prediction all make. Call inside tf.tidy.
   */
  poolTokens(
    batch: TokenBatch,
    adapters?: ForwardAdapterSet | BatchedAdapterSet,
    pooling: Pooling = 'mean',
  ): tf.Tensor2D {
    const x = toEncoderInputs(batch);
    return pool(this.encoder.forward(x, adapters), x.attentionMask, pooling);
  }

  /** Pooled embeddings, one Float32Array of length d per input. */
  async embed(inputs: readonly TextInput[], options: EmbedOptions = {}): Promise<Float32Array[]> {
    const t = this.embedTensor(inputs, options);
    const data = (await t.data()) as Float32Array;
    t.dispose();
    const d = this.config.hiddenSize;
    return inputs.map((_, i) => data.slice(i * d, (i + 1) * d));
  }
}

export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb || 1);
}
