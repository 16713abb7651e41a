// The BERT forward pass in tfjs, with optional adapters at Pfeiffer or Houlsby sites. Module names
// follow the checkpoint (embeddings, encoder.layer.N.attention/intermediate/output). Frozen: the
// PLM's weights are plain tensors, so gradients reach only what the caller passes in (adapters).

import * as tf from '@tensorflow/tfjs';
import { InputError } from '../errors';
import type { BertConfig } from '../model/config';
import type { Tensor32 } from '../model/safetensors';
import type { TokenBatch } from '../model/tokenizer';
import {
  adapterLayout,
  adapterOutput,
  type BatchedAdapterSet,
  type BatchedSiteAdapter,
  batchedAdapterOutput,
  type ForwardAdapterSet,
  gelu,
  isFunctionAdapter,
  type SiteAdapter,
  validateAdapterSet,
} from './adapter';
import { compareSites, firstSite, type SitePoint, siteIndex } from './placement';
import { type BertWeights, createBertWeights, disposeBertWeights, type LayerNormWeights } from './weights';

export type Pooling = 'mean' | 'cls';

/** A sublayer's output s and its input x [B, T, d] at a site, before the site's adapter and LayerNorm. */
export interface SiteState {
  s: tf.Tensor3D;
  x: tf.Tensor3D;
}
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

/** Where a pass enters: a layer's input states [B·T, d], or a site's state (see SiteState), flattened. */
type LayerEntry = { layer: number; h: tf.Tensor2D };
type SiteEntry = { at: SitePoint; s: tf.Tensor2D; x: tf.Tensor2D };

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
  forward(inputs: EncoderInputs, adapters?: ForwardAdapterSet | BatchedAdapterSet): tf.Tensor3D {
    const [B, T] = inputs.inputIds.shape;
    if (adapters) validateAdapterSet(adapters, this.config.numLayers, this.config.hiddenSize, B);
    return tf.tidy(() => {
      const h = this.run(B, T, inputs.attentionMask, { layer: 0, h: this.embed(inputs) }, adapters);
      return h.reshape([B, T, this.config.hiddenSize]);
    });
  }

  /**
   * The state [B, T, d] at a site (see SitePoint), with no adapters: what adapters whose sites are all at
   * or after it leave unchanged, so it can be computed once per text.
   */
  siteState(inputs: EncoderInputs, at: SitePoint): SiteState {
    this.checkSite(at);
    const [B, T] = inputs.inputIds.shape;
    const shape: [number, number, number] = [B, T, this.config.hiddenSize];
    return tf.tidy(() => {
      const { s, x } = this.run(
        B,
        T,
        inputs.attentionMask,
        { layer: 0, h: this.embed(inputs) },
        undefined,
        at,
      );
      return { s: s.reshape(shape) as tf.Tensor3D, x: x.reshape(shape) as tf.Tensor3D };
    });
  }

  /**
   * Last hidden states [B, T, d] from a site's state (see siteState). The adapters' sites must all be at
   * or after that site. Rows of padding may hold anything: they are masked.
   */
  forwardFromSite(
    state: SiteState,
    attentionMask: tf.Tensor2D,
    at: SitePoint,
    adapters?: ForwardAdapterSet | BatchedAdapterSet,
  ): tf.Tensor3D {
    this.checkSite(at);
    const [B, T, d] = state.s.shape;
    if (adapters) {
      validateAdapterSet(adapters, this.config.numLayers, this.config.hiddenSize, B);
      const { placement, firstLayer } = adapterLayout(adapters);
      if (compareSites(firstSite(placement, firstLayer), at) < 0)
        throw new InputError(
          `These adapters have sites from layer ${firstLayer}'s ${firstSite(placement, firstLayer).where} output; a pass from layer ${at.layer}'s ${at.where} output would skip them.`,
        );
    }
    return tf.tidy(() => {
      const flat = (v: tf.Tensor3D) => v.reshape([B * T, d]) as tf.Tensor2D;
      const entry = { at, s: flat(state.s), x: flat(state.x) };
      return this.run(B, T, attentionMask, entry, adapters).reshape([B, T, d]);
    });
  }

  private checkSite(at: SitePoint): void {
    const last = this.config.numLayers - 1;
    if (
      !Number.isInteger(at.layer) ||
      at.layer < 0 ||
      at.layer > last ||
      !['attention', 'ffn'].includes(at.where)
    )
      throw new InputError(
        `A site is a layer in [0, ${last}] and "attention" or "ffn"; got layer ${at.layer}, "${at.where}".`,
      );
  }

  /** Word + position + token type embeddings, then LayerNorm: [B·T, d]. */
  private embed(inputs: EncoderInputs): tf.Tensor2D {
    const [B, T] = inputs.inputIds.shape;
    const positions = tf.range(0, T, 1, 'int32'); // [T]
    const words = tf.gather(this.w.wordEmbeddings, inputs.inputIds.reshape([B * T])); // [B·T, d]
    const pos = tf.tile(tf.gather(this.w.positionEmbeddings, positions), [B, 1]); // [B·T, d]
    const types = tf.gather(this.w.tokenTypeEmbeddings, inputs.tokenTypeIds.reshape([B * T])); // [B·T, d]
    return layerNorm(tf.add(tf.add(words, pos), types), this.w.embeddingNorm, this.config.layerNormEps);
  }

  /** Self-attention's output projection s for a layer's input h [B·T, d]. */
  private attention(h: tf.Tensor2D, l: number, B: number, T: number, maskBias: tf.Tensor): tf.Tensor2D {
    const layer = this.w.layers[l]!;
    const d = this.config.hiddenSize;
    const H = this.config.numHeads;
    const dh = d / H;
    const q = layer.query.apply(h).reshape([B, T, H, dh]).transpose([0, 2, 1, 3]); // [B, H, T, dh]
    const kT = layer.key.apply(h).reshape([B, T, H, dh]).transpose([0, 2, 3, 1]); // [B, H, dh, T]
    const v = layer.value.apply(h).reshape([B, T, H, dh]).transpose([0, 2, 1, 3]); // [B, H, T, dh]
    const scores = tf.add(tf.mul(tf.matMul(q, kT), 1 / Math.sqrt(dh)), maskBias); // [B, H, T, T]
    const context = tf.matMul(tf.softmax(scores), v); // [B, H, T, dh]
    const merged = context.transpose([0, 2, 1, 3]).reshape([B * T, d]) as tf.Tensor2D; // [B·T, d]
    return layer.attentionOutput.apply(merged); // [B·T, d]
  }

  /** The feed-forward block's output projection s for its input [B·T, d]. */
  private feedForward(a: tf.Tensor2D, l: number): tf.Tensor2D {
    const layer = this.w.layers[l]!;
    const act = this.config.hiddenAct;
    const pre = layer.intermediate.apply(a); // [B·T, 4d]
    const out = act === 'relu' ? tf.relu(pre) : act === 'gelu' ? gelu(pre) : geluTanh(pre);
    return layer.output.apply(out as tf.Tensor2D); // [B·T, d]
  }

  /**
   * The layers over states [B·T, d], entering at a layer's input or at a site's state, to the end (the
   * last hidden states) or to the site `stop` (its state); call inside tf.tidy.
   */
  private run(
    B: number,
    T: number,
    attentionMask: tf.Tensor2D,
    entry: LayerEntry | SiteEntry,
    adapters?: ForwardAdapterSet | BatchedAdapterSet,
  ): tf.Tensor2D;
  private run(
    B: number,
    T: number,
    attentionMask: tf.Tensor2D,
    entry: LayerEntry,
    adapters: undefined,
    stop: SitePoint,
  ): { s: tf.Tensor2D; x: tf.Tensor2D };
  private run(
    B: number,
    T: number,
    attentionMask: tf.Tensor2D,
    entry: LayerEntry | SiteEntry,
    adapters?: ForwardAdapterSet | BatchedAdapterSet,
    stop?: SitePoint,
  ): tf.Tensor2D | { s: tf.Tensor2D; x: tf.Tensor2D } {
    const c = this.config;
    const first = adapters?.firstLayer ?? 0;
    /** f(v) of the adapter at a layer's site, or undefined where there is none. */
    const adapter = (v: tf.Tensor2D, layer: number, where: 'attention' | 'ffn') => {
      const i = adapters && layer >= first ? siteIndex(adapters.placement, layer - first, where) : undefined;
      const a = i === undefined ? null : (adapters!.sites[i] ?? null);
      if (!a) return undefined;
      if (isFunctionAdapter(a)) return a.output(v);
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
    const stopsAt = (layer: number, where: 'attention' | 'ffn') =>
      stop !== undefined && stop.layer === layer && stop.where === where;
    // Padding keys get a large negative score so softmax gives them zero weight; -1e4 already underflows
    // exp() in fp32 and, unlike -1e9, stays finite where WebGL stores half floats.
    const maskBias = tf.mul(tf.sub(1, attentionMask), -1e4).reshape([B, 1, 1, T]); // [B, 1, 1, T]
    const resume = 'at' in entry ? entry : undefined;
    let h = 'h' in entry ? entry.h : undefined; // [B·T, d]: the current layer's input
    const from = resume ? resume.at.layer : (entry as LayerEntry).layer;
    for (let l = from; l < c.numLayers; l++) {
      const layer = this.w.layers[l]!;
      const resumeHere = resume !== undefined && resume.at.layer === l;
      let s: tf.Tensor2D;
      let afterAttention: tf.Tensor2D;
      if (resumeHere && resume.at.where === 'ffn') {
        [s, afterAttention] = [resume.s, resume.x];
      } else {
        const [sa, x] = resumeHere ? [resume.s, resume.x] : [this.attention(h!, l, B, T, maskBias), h!];
        if (stopsAt(l, 'attention')) return { s: sa, x };
        afterAttention = close(sa, x, layer.attentionNorm, l, 'attention'); // [B·T, d]
        s = this.feedForward(afterAttention, l);
        if (stopsAt(l, 'ffn')) return { s, x: afterAttention };
      }
      h = close(s, afterAttention, layer.outputNorm, l, 'ffn'); // [B·T, d]
    }
    return h!;
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
