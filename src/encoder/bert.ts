// The BERT forward pass in tfjs, with optional adapters at Pfeiffer or Houlsby sites. Module names
// follow the checkpoint (embeddings, encoder.layer.N.attention/intermediate/output). Frozen: the
// PLM's weights are plain tensors, so gradients reach only what the caller passes in (adapters).

import * as tf from '@tensorflow/tfjs';
import { InputError } from '../errors';
import type { BertConfig } from '../model/config';
import type { Tensor32 } from '../model/safetensors';
import type { TokenBatch } from '../model/tokenizer';
import {
  type AdapterSet,
  adapterLayout,
  adapterOutput,
  type BatchedAdapterSet,
  type BatchedSiteAdapter,
  batchedAdapterOutput,
  gelu,
  type SiteAdapter,
  validateAdapterSet,
} from './adapter';
import { siteIndex } from './placement';
import { type BertWeights, createBertWeights, disposeBertWeights, type LayerNormWeights } from './weights';

export type Pooling = 'mean' | 'cls';
export const POOLINGS: readonly Pooling[] = ['mean', 'cls'];

/** Input ids and token types [B, T] int32; padding mask [B, T] float32 (1 = token, 0 = padding). */
export interface EncoderInputs {
  inputIds: tf.Tensor2D;
  tokenTypeIds: tf.Tensor2D;
  attentionMask: tf.Tensor2D;
}

export function toEncoderInputs(batch: TokenBatch): EncoderInputs {
  const shape: [number, number] = [batch.batch, batch.seqLen];
  return {
    inputIds: tf.tensor2d(batch.inputIds, shape, 'int32'),
    tokenTypeIds: tf.tensor2d(batch.tokenTypeIds, shape, 'int32'),
    // float32 from the start: casting an int32 mask on the tfjs WebGPU backend returned garbage when
    // the cast ran a second time on the same tensor (tfjs 4.22, SwiftShader), so the mask is never cast.
    attentionMask: tf.tensor2d(Float32Array.from(batch.attentionMask), shape, 'float32'),
  };
}

function layerNorm(x: tf.Tensor2D, w: LayerNormWeights, eps: number): tf.Tensor2D {
  const { mean, variance } = tf.moments(x, -1, true); // [M, 1] each
  const normed = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))); // [M, d]
  return tf.add(tf.mul(normed, w.gamma), w.beta) as tf.Tensor2D;
}

export class BertEncoder {
  private constructor(
    readonly config: BertConfig,
    private readonly w: BertWeights,
  ) {}

  /** Uploads checked weights to the active backend; call dispose() to free them. */
  static create(
    config: BertConfig,
    tensors: Map<string, Tensor32>,
    skipped?: Map<string, string>,
  ): BertEncoder {
    return new BertEncoder(config, createBertWeights(config, tensors, skipped));
  }

  dispose(): void {
    disposeBertWeights(this.w);
  }

  /** Last hidden states [B, T, d]. Differentiable with respect to the adapters' tensors. */
  forward(inputs: EncoderInputs, adapters?: AdapterSet | BatchedAdapterSet): tf.Tensor3D {
    const [B] = inputs.inputIds.shape;
    if (adapters) validateAdapterSet(adapters, this.config.numLayers, this.config.hiddenSize, B);
    return tf.tidy(() => this.layers(this.embed(inputs), inputs.attentionMask, 0, adapters));
  }

  /**
   * The hidden states [B, T, d] that enter layer `layer` (0 = the embeddings), with no adapters: what a
   * bank whose sites start at that layer leaves unchanged, so it can be computed once per text.
   */
  hiddenBefore(inputs: EncoderInputs, layer: number): tf.Tensor3D {
    this.checkLayer(layer);
    return tf.tidy(() => this.layers(this.embed(inputs), inputs.attentionMask, 0, undefined, layer));
  }

  /**
   * Last hidden states [B, T, d] from the states entering layer `layer` (see hiddenBefore). The adapters'
   * sites must all be at or above that layer. Rows of padding may hold anything: they are masked.
   */
  forwardFrom(
    hidden: tf.Tensor3D,
    attentionMask: tf.Tensor2D,
    layer: number,
    adapters?: AdapterSet | BatchedAdapterSet,
  ): tf.Tensor3D {
    this.checkLayer(layer);
    const [B] = hidden.shape;
    if (adapters) {
      validateAdapterSet(adapters, this.config.numLayers, this.config.hiddenSize, B);
      const { firstLayer } = adapterLayout(adapters);
      if (firstLayer < layer)
        throw new InputError(
          `These adapters have sites from layer ${firstLayer}; a pass from layer ${layer} would skip them.`,
        );
    }
    return tf.tidy(() => this.layers(hidden, attentionMask, layer, adapters));
  }

  private checkLayer(layer: number): void {
    if (!Number.isInteger(layer) || layer < 0 || layer > this.config.numLayers)
      throw new InputError(`Layer must be an integer in [0, ${this.config.numLayers}]; got ${layer}.`);
  }

  /** Word + position + token type embeddings, then LayerNorm: [B, T, d]. */
  private embed(inputs: EncoderInputs): tf.Tensor3D {
    const [B, T] = inputs.inputIds.shape;
    const positions = tf.range(0, T, 1, 'int32'); // [T]
    const words = tf.gather(this.w.wordEmbeddings, inputs.inputIds.reshape([B * T])); // [B·T, d]
    const pos = tf.tile(tf.gather(this.w.positionEmbeddings, positions), [B, 1]); // [B·T, d]
    const types = tf.gather(this.w.tokenTypeEmbeddings, inputs.tokenTypeIds.reshape([B * T])); // [B·T, d]
    const h = layerNorm(tf.add(tf.add(words, pos), types), this.w.embeddingNorm, this.config.layerNormEps);
    return h.reshape([B, T, this.config.hiddenSize]);
  }

  /** Layers from..to-1 over hidden states [B, T, d]; call inside tf.tidy. */
  private layers(
    hidden: tf.Tensor3D,
    attentionMask: tf.Tensor2D,
    from: number,
    adapters?: AdapterSet | BatchedAdapterSet,
    to = this.config.numLayers,
  ): tf.Tensor3D {
    const c = this.config;
    const [B, T, d] = hidden.shape;
    const H = c.numHeads;
    const dh = d / H;
    const first = adapters?.firstLayer ?? 0;
    /** f(v) of the adapter at a layer's site, or undefined where there is none. */
    const adapter = (v: tf.Tensor2D, layer: number, where: 'attention' | 'ffn') => {
      const i = adapters && layer >= first ? siteIndex(adapters.placement, layer - first, where) : undefined;
      const a = i === undefined ? null : (adapters!.sites[i] ?? null);
      if (!a) return undefined;
      return 'batch' in adapters!
        ? batchedAdapterOutput(v, a as BatchedSiteAdapter)
        : adapterOutput(v, a as SiteAdapter);
    };
    /** A sublayer's end: its output s, its input x and LayerNorm, with the site's adapter (see Placement). */
    const close = (
      s: tf.Tensor2D,
      x: tf.Tensor2D,
      norm: LayerNormWeights,
      layer: number,
      where: 'attention' | 'ffn',
    ) => {
      if (adapters?.placement === 'seq-bn') {
        const v = tf.add(s, x) as tf.Tensor2D;
        const f = adapter(layerNorm(v, norm, c.layerNormEps), layer, where);
        return layerNorm(f ? tf.add(f, v) : v, norm, c.layerNormEps);
      }
      const f = adapter(s, layer, where);
      return layerNorm(tf.add(f ? tf.add(s, f) : s, x), norm, c.layerNormEps);
    };
    // Padding keys get a large negative score so softmax gives them zero weight; -1e4 already underflows
    // exp() in fp32 and, unlike -1e9, stays finite where WebGL stores half floats.
    const maskBias = tf.mul(tf.sub(1, attentionMask), -1e4).reshape([B, 1, 1, T]); // [B, 1, 1, T]
    const scale = 1 / Math.sqrt(dh);
    let h = hidden.reshape([B * T, d]) as tf.Tensor2D; // [B·T, d]
    for (let l = from; l < to; l++) {
      const layer = this.w.layers[l]!;
      const q = layer.query.apply(h).reshape([B, T, H, dh]).transpose([0, 2, 1, 3]); // [B, H, T, dh]
      const kT = layer.key.apply(h).reshape([B, T, H, dh]).transpose([0, 2, 3, 1]); // [B, H, dh, T]
      const v = layer.value.apply(h).reshape([B, T, H, dh]).transpose([0, 2, 1, 3]); // [B, H, T, dh]
      const scores = tf.add(tf.mul(tf.matMul(q, kT), scale), maskBias); // [B, H, T, T]
      const context = tf.matMul(tf.softmax(scores), v); // [B, H, T, dh]
      const merged = context.transpose([0, 2, 1, 3]).reshape([B * T, d]) as tf.Tensor2D; // [B·T, d]

      const attn = layer.attentionOutput.apply(merged); // [B·T, d]
      const afterAttention = close(attn, h, layer.attentionNorm, l, 'attention'); // [B·T, d]

      const pre = layer.intermediate.apply(afterAttention); // [B·T, 4d]
      const act = c.hiddenAct === 'relu' ? tf.relu(pre) : c.hiddenAct === 'gelu' ? gelu(pre) : geluTanh(pre);
      const out = layer.output.apply(act as tf.Tensor2D); // [B·T, d]
      h = close(out, afterAttention, layer.outputNorm, l, 'ffn'); // [B·T, d]
    }
    return h.reshape([B, T, d]);
  }
}

/** The tanh approximation of GELU ("gelu_new" in Hugging Face configs). */
function geluTanh(x: tf.Tensor): tf.Tensor {
  const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(inner)));
}

/** Mean over real tokens, or the [CLS] vector: [B, T, d] → [B, d]. */
export function pool(hidden: tf.Tensor3D, attentionMask: tf.Tensor2D, pooling: Pooling): tf.Tensor2D {
  return tf.tidy(() => {
    if (pooling === 'cls') return hidden.slice([0, 0, 0], [-1, 1, -1]).squeeze([1]) as tf.Tensor2D;
    const mask = attentionMask.expandDims(2); // [B, T, 1]
    const summed = tf.sum(tf.mul(hidden, mask), 1); // [B, d]
    return tf.div(summed, tf.maximum(tf.sum(mask, 1), 1e-9)) as tf.Tensor2D; // [B, d]
  });
}
