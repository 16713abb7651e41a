// A tiny randomly initialised BERT checkpoint, written as a real Hugging Face folder (config.json,
// the real uncased tokenizer from ../shared/models, model.safetensors) so tests go through the loader.

import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BertConfig,
  type StoredDtype,
  type TensorToWrite,
  toConfigJson,
  writeSafetensors,
} from '../../src/advanced';
import { expectedShapes } from '../../src/encoder/weights';
import { seededRandom } from '../../src/util/random';

export const TOKENIZER_DIR = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'shared',
  'models',
  'bert-base-uncased-wordpiece',
);

export const TINY_CONFIG: BertConfig = {
  vocabSize: 30522,
  hiddenSize: 32,
  numLayers: 2,
  numHeads: 4,
  intermediateSize: 64,
  hiddenAct: 'gelu',
  maxPositions: 64,
  typeVocabSize: 2,
  layerNormEps: 1e-12,
  padTokenId: 0,
};

export interface TinyModelOptions {
  config?: BertConfig;
  seed?: number;
  dtype?: StoredDtype;
  /** Store names with the "bert." prefix, as BertForX checkpoints do. */
  prefix?: boolean;
  /** Edit the tensors before writing (drop or reshape one to provoke errors). */
  edit?: (tensors: Record<string, TensorToWrite>) => void;
  configJson?: Record<string, unknown>;
}

export function tinyTensors(config: BertConfig, seed: number): Record<string, TensorToWrite> {
  const rng = seededRandom(seed);
  const tensors: Record<string, TensorToWrite> = {};
  for (const [name, shape] of expectedShapes(config)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const isNorm = name.includes('LayerNorm');
    const data =
      isNorm && name.endsWith('weight') ? rng.normals(n, 0.1).map((v) => 1 + v) : rng.normals(n, 0.2);
    tensors[name] = { shape, data };
  }
  return tensors;
}

/** Writes a tiny checkpoint folder and returns its path. */
export function writeTinyModel(options: TinyModelOptions = {}): string {
  const config = options.config ?? TINY_CONFIG;
  const dir = mkdtempSync(join(tmpdir(), 'xpeft-tiny-'));
  mkdirSync(dir, { recursive: true });
  const raw = tinyTensors(config, options.seed ?? 1);
  const tensors: Record<string, TensorToWrite> = {};
  for (const [name, t] of Object.entries(raw)) {
    tensors[options.prefix ? `bert.${name}` : name] = { ...t, dtype: options.dtype ?? 'F32' };
  }
  options.edit?.(tensors);
  writeFileSync(join(dir, 'model.safetensors'), writeSafetensors(tensors));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(options.configJson ?? toConfigJson(config)));
  for (const f of ['tokenizer.json', 'tokenizer_config.json'])
    copyFileSync(join(TOKENIZER_DIR, f), join(dir, f));
  return dir;
}
