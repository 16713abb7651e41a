// A BERT checkpoint in Hugging Face layout, read from any ModelSource and checked before use.

import { sha256Hex } from '../util/sha256';
import { type BertConfig, parseBertConfig } from './config';
import { checkSafetensors, readSafetensors, type Tensor32 } from './safetensors';
import {
  type FileProgress,
  type ModelSource,
  type ReadOptions,
  readModelFile,
  readModelJson,
} from './source';
import { createTokenizer, type TextTokenizer } from './tokenizer';

export { CHECKPOINT_FILES } from './known';

export interface Checkpoint {
  source: ModelSource;
  config: BertConfig;
  tokenizer: TextTokenizer;
  /** fp32 tensors keyed by their name without the "bert." prefix some checkpoints carry. */
  weights: Map<string, Tensor32>;
  /** Tensors in dtypes the encoder cannot read (name → dtype), without the "bert." prefix. */
  skipped: Map<string, string>;
  /** Hex sha256 of model.safetensors: the model's fingerprint. */
  sha256: string;
}

export interface CheckpointProgress extends FileProgress {
  /** Bytes of all files read so far, where known. */
  overallLoaded: number;
}

export interface LoadOptions extends Omit<ReadOptions, 'onProgress'> {
  onProgress?: (p: CheckpointProgress) => void;
}

function stripPrefix<T>(tensors: Map<string, T>): Map<string, T> {
  const out = new Map<string, T>();
  for (const [name, t] of tensors) out.set(name.startsWith('bert.') ? name.slice(5) : name, t);
  return out;
}

/** Reads config, tokenizer and weights; reports per-file progress; honours an AbortSignal. */
export async function loadCheckpoint(source: ModelSource, options: LoadOptions = {}): Promise<Checkpoint> {
  const done = new Map<string, number>();
  const read: ReadOptions = {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.cache ? { cache: options.cache } : {}),
    ...(options.pinned ? { pinned: options.pinned } : {}),
    onProgress: (p) => {
      done.set(p.file, p.loaded);
      const overallLoaded = [...done.values()].reduce((a, b) => a + b, 0);
      options.onProgress?.({ ...p, overallLoaded });
    },
  };
  const configJson = await readModelJson(source, 'config.json', read);
  const config = parseBertConfig(configJson); // fail fast, before the large download
  const [tokenizerJson, tokenizerConfig, weightBytes] = await Promise.all([
    readModelJson(source, 'tokenizer.json', read),
    readModelJson(source, 'tokenizer_config.json', read),
    readModelFile(source, 'model.safetensors', read, checkSafetensors),
  ]);
  const file = readSafetensors(weightBytes);
  return {
    source,
    config,
    tokenizer: createTokenizer(tokenizerJson, tokenizerConfig),
    weights: stripPrefix(file.tensors),
    skipped: stripPrefix(file.skipped),
    sha256: await sha256Hex(weightBytes),
  };
}
