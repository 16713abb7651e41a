// The frozen BERT weights as tfjs tensors, named after the checkpoint's tensors and checked against
// the shapes config.json implies.

import * as tf from '@tensorflow/tfjs';
import { MissingTensorError, TensorShapeError, UnsupportedDtypeError } from '../errors';
import type { BertConfig } from '../model/config';
import type { Tensor32 } from '../model/safetensors';

/**
 * A frozen dense layer y = x·W + b. PyTorch stores W as [out, in]; we keep W transposed to [in, out]
 * for a plain forward matMul, and the original [out, in] for the input gradient dy·W, because tfjs
 * matMul with a transposed operand is an order of magnitude slower on wasm.
 */
export interface Linear {
  apply: (x: tf.Tensor2D) => tf.Tensor2D; // [M, in] → [M, out]
  tensors: tf.Tensor[];
}

export interface LayerNormWeights {
  gamma: tf.Tensor1D;
  beta: tf.Tensor1D;
}

export interface LayerWeights {
  query: Linear;
  key: Linear;
  value: Linear;
  attentionOutput: Linear;
  attentionNorm: LayerNormWeights;
  intermediate: Linear;
  output: Linear;
  outputNorm: LayerNormWeights;
}

export interface BertWeights {
  wordEmbeddings: tf.Tensor2D; // [V, d]
  positionEmbeddings: tf.Tensor2D; // [P, d]
  tokenTypeEmbeddings: tf.Tensor2D; // [types, d]
  embeddingNorm: LayerNormWeights;
  layers: LayerWeights[];
}

/** Every tensor the encoder reads, with its expected shape. */
export function expectedShapes(c: BertConfig): Map<string, number[]> {
  const d = c.hiddenSize;
  const shapes = new Map<string, number[]>([
    ['embeddings.word_embeddings.weight', [c.vocabSize, d]],
    ['embeddings.position_embeddings.weight', [c.maxPositions, d]],
    ['embeddings.token_type_embeddings.weight', [c.typeVocabSize, d]],
    ['embeddings.LayerNorm.weight', [d]],
    ['embeddings.LayerNorm.bias', [d]],
  ]);
  const linear = (name: string, inDim: number, outDim: number) => {
    shapes.set(`${name}.weight`, [outDim, inDim]);
    shapes.set(`${name}.bias`, [outDim]);
  };
  for (let l = 0; l < c.numLayers; l++) {
    const p = `encoder.layer.${l}`;
    linear(`${p}.attention.self.query`, d, d);
    linear(`${p}.attention.self.key`, d, d);
    linear(`${p}.attention.self.value`, d, d);
    linear(`${p}.attention.output.dense`, d, d);
    shapes.set(`${p}.attention.output.LayerNorm.weight`, [d]);
    shapes.set(`${p}.attention.output.LayerNorm.bias`, [d]);
    linear(`${p}.intermediate.dense`, d, c.intermediateSize);
    linear(`${p}.output.dense`, c.intermediateSize, d);
    shapes.set(`${p}.output.LayerNorm.weight`, [d]);
    shapes.set(`${p}.output.LayerNorm.bias`, [d]);
  }
  return shapes;
}

function frozenLinear(weight: Tensor32, bias: Tensor32): Linear {
  const [outDim, inDim] = weight.shape as [number, number];
  const wOutIn = tf.tensor2d(weight.data, [outDim, inDim]);
  const wInOut = tf.tidy(() => wOutIn.transpose<tf.Tensor2D>());
  const b = tf.tensor1d(bias.data);
  const apply = tf.customGrad((x) => {
    return {
      // The product and its bias as one kernel, with no intermediate [M, out] tensor.
      value: tf.fused.matMul({ a: x as tf.Tensor2D, b: wInOut, bias: b }) as tf.Tensor2D, // [M, out]
      gradFunc: (dy) => [tf.matMul(dy as tf.Tensor2D, wOutIn)], // [M, in]
    };
  }) as (x: tf.Tensor2D) => tf.Tensor2D;
  return { apply, tensors: [wOutIn, wInOut, b] };
}

/** Checks every tensor's presence and shape, then uploads them to the active tfjs backend. */
export function createBertWeights(
  c: BertConfig,
  tensors: Map<string, Tensor32>,
  skipped: Map<string, string> = new Map(),
): BertWeights {
  for (const [name, shape] of expectedShapes(c)) {
    const t = tensors.get(name);
    const dtype = skipped.get(name);
    if (!t && dtype) throw new UnsupportedDtypeError(name, dtype);
    if (!t) throw new MissingTensorError(name);
    if (t.shape.length !== shape.length || t.shape.some((v, i) => v !== shape[i])) {
      throw new TensorShapeError(name, shape, t.shape);
    }
  }
  const get = (name: string) => tensors.get(name)!;
  const t2 = (name: string) => tf.tensor2d(get(name).data, get(name).shape as [number, number]);
  const t1 = (name: string) => tf.tensor1d(get(name).data);
  const norm = (name: string): LayerNormWeights => ({
    gamma: t1(`${name}.weight`),
    beta: t1(`${name}.bias`),
  });
  const linear = (name: string) => frozenLinear(get(`${name}.weight`), get(`${name}.bias`));
  return {
    wordEmbeddings: t2('embeddings.word_embeddings.weight'),
    positionEmbeddings: t2('embeddings.position_embeddings.weight'),
    tokenTypeEmbeddings: t2('embeddings.token_type_embeddings.weight'),
    embeddingNorm: norm('embeddings.LayerNorm'),
    layers: Array.from({ length: c.numLayers }, (_, l) => {
      const p = `encoder.layer.${l}`;
      return {
        query: linear(`${p}.attention.self.query`),
        key: linear(`${p}.attention.self.key`),
        value: linear(`${p}.attention.self.value`),
        attentionOutput: linear(`${p}.attention.output.dense`),
        attentionNorm: norm(`${p}.attention.output.LayerNorm`),
        intermediate: linear(`${p}.intermediate.dense`),
        output: linear(`${p}.output.dense`),
        outputNorm: norm(`${p}.output.LayerNorm`),
      };
    }),
  };
}

export function disposeBertWeights(w: BertWeights): void {
  const norms = (n: LayerNormWeights) => [n.gamma, n.beta];
  tf.dispose([w.wordEmbeddings, w.positionEmbeddings, w.tokenTypeEmbeddings, ...norms(w.embeddingNorm)]);
  for (const l of w.layers) {
    for (const lin of [l.query, l.key, l.value, l.attentionOutput, l.intermediate, l.output])
      tf.dispose(lin.tensors);
    tf.dispose([...norms(l.attentionNorm), ...norms(l.outputNorm)]);
  }
}
