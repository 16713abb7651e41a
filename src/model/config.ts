// The BERT hyper-parameters read from a checkpoint's config.json, validated once.

import { ModelConfigError, UnsupportedArchitectureError } from '../errors';

export type HiddenAct = 'gelu' | 'gelu_new' | 'relu';
const HIDDEN_ACTS: readonly HiddenAct[] = ['gelu', 'gelu_new', 'relu'];

export interface BertConfig {
  vocabSize: number;
  hiddenSize: number; // d
  numLayers: number; // L
  numHeads: number; // H; d must divide by H
  intermediateSize: number; // feed-forward width, 4d in BERT
  hiddenAct: HiddenAct;
  maxPositions: number; // longest input in tokens, [CLS] and [SEP] included
  typeVocabSize: number; // token type (segment) ids, 2 for sentence pairs
  layerNormEps: number;
  padTokenId: number;
}

function positiveInt(json: Record<string, unknown>, key: string, fallback?: number): number {
  const v = json[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
    throw new ModelConfigError(
      `config.json field "${key}" must be a positive integer; got ${JSON.stringify(v)}.`,
    );
  }
  return v;
}

/** Reads config.json (parsed JSON); throws UnsupportedArchitectureError for non-BERT models. */
export function parseBertConfig(json: unknown): BertConfig {
  if (typeof json !== 'object' || json === null)
    throw new ModelConfigError('config.json is not a JSON object.');
  const c = json as Record<string, unknown>;
  const modelType = c.model_type;
  if (modelType !== 'bert') throw new UnsupportedArchitectureError(String(modelType ?? '(missing)'));
  const positionType = c.position_embedding_type ?? 'absolute';
  if (positionType !== 'absolute') {
    throw new ModelConfigError(
      `config.json position_embedding_type "${positionType}" is unsupported; only "absolute".`,
    );
  }
  const hiddenAct = (c.hidden_act ?? 'gelu') as HiddenAct;
  if (!HIDDEN_ACTS.includes(hiddenAct)) {
    throw new ModelConfigError(
      `config.json hidden_act "${hiddenAct}" is unsupported; expected one of ${HIDDEN_ACTS.join(', ')}.`,
    );
  }
  const config: BertConfig = {
    vocabSize: positiveInt(c, 'vocab_size'),
    hiddenSize: positiveInt(c, 'hidden_size'),
    numLayers: positiveInt(c, 'num_hidden_layers'),
    numHeads: positiveInt(c, 'num_attention_heads'),
    intermediateSize: positiveInt(c, 'intermediate_size'),
    hiddenAct,
    maxPositions: positiveInt(c, 'max_position_embeddings'),
    typeVocabSize: positiveInt(c, 'type_vocab_size', 2),
    layerNormEps: typeof c.layer_norm_eps === 'number' ? c.layer_norm_eps : 1e-12,
    padTokenId: typeof c.pad_token_id === 'number' ? c.pad_token_id : 0,
  };
  if (config.hiddenSize % config.numHeads !== 0) {
    throw new ModelConfigError(
      `config.json hidden_size ${config.hiddenSize} is not divisible by num_attention_heads ${config.numHeads}.`,
    );
  }
  return config;
}

/** The config.json a BertConfig came from, for writing test checkpoints. */
export function toConfigJson(config: BertConfig): Record<string, unknown> {
  return {
    model_type: 'bert',
    architectures: ['BertModel'],
    vocab_size: config.vocabSize,
    hidden_size: config.hiddenSize,
    num_hidden_layers: config.numLayers,
    num_attention_heads: config.numHeads,
    intermediate_size: config.intermediateSize,
    hidden_act: config.hiddenAct,
    max_position_embeddings: config.maxPositions,
    type_vocab_size: config.typeVocabSize,
    layer_norm_eps: config.layerNormEps,
    pad_token_id: config.padTokenId,
  };
}
