// Tokenization through transformers.js: the tokenizer class is chosen exactly as AutoTokenizer does,
// from tokenizer_config.json, but the files come from our own ModelSource.

import { AutoTokenizer, PreTrainedTokenizer } from '@xenova/transformers/src/tokenizers.js';
import { InputError, InputTooLongError, ModelFileError } from '../errors';

/** One encoder input: a text, or a sentence pair that gets token types 0 and 1. */
export type TextInput = string | readonly [string, string];

/** A map key for a text or a text pair. */
export function textKey(text: TextInput): string {
  return typeof text === 'string' ? text : JSON.stringify(text);
}

/** Each distinct text once, by its key, in first-seen order. */
export function distinctTexts(texts: Iterable<TextInput>): Map<string, TextInput> {
  const out = new Map<string, TextInput>();
  for (const t of texts) {
    const key = textKey(t);
    if (!out.has(key)) out.set(key, t);
  }
  return out;
}

/** Texts of up to `maxLength` tokens per pass so that a pass holds about `tokens` tokens (at least one). */
export function textsPerPass(maxLength: number, tokens: number): number {
  return Math.max(1, Math.floor(tokens / maxLength));
}

export type Truncation = 'truncate' | 'error';

export interface TokenizeOptions {
  /** Longest sequence in tokens, special tokens included; at most the model's max positions. */
  maxLength: number;
  /** What to do with longer inputs: cut them (default) or throw InputTooLongError. */
  truncation?: Truncation;
  /**
   * Pad to the longest input ('longest', default) or up to the next length bucket ('buckets': 16, 32,
   * 64, … capped at maxLength), so GPU backends compile shaders for a few shapes, not every length.
   */
  padding?: 'longest' | 'buckets';
}

/** The padded length for a longest input of `longest` tokens: the next power of two ≥ 16, ≤ maxLength. */
export function paddedLength(longest: number, maxLength: number, padding: 'longest' | 'buckets'): number {
  if (padding === 'longest') return longest;
  return Math.max(longest, Math.min(maxLength, 2 ** Math.max(4, Math.ceil(Math.log2(longest)))));
}

/** A right-padded batch, row-major [batch, seqLen]. */
export interface TokenBatch {
  batch: number;
  seqLen: number;
  inputIds: Int32Array;
  tokenTypeIds: Int32Array;
  attentionMask: Int32Array;
  /** Real (unpadded) length of every row. */
  lengths: number[];
}

type TokenizerCtor = new (json: unknown, config: unknown) => PreTrainedTokenizer;

export function createTokenizer(tokenizerJson: unknown, tokenizerConfig: unknown): PreTrainedTokenizer {
  if (typeof tokenizerConfig !== 'object' || tokenizerConfig === null) {
    throw new ModelFileError('tokenizer_config.json is not a JSON object.');
  }
  const mapping = (AutoTokenizer as unknown as { TOKENIZER_CLASS_MAPPING: Record<string, TokenizerCtor> })
    .TOKENIZER_CLASS_MAPPING;
  const name = String((tokenizerConfig as { tokenizer_class?: unknown }).tokenizer_class ?? '').replace(
    /Fast$/,
    '',
  );
  const Ctor = mapping[name] ?? (PreTrainedTokenizer as unknown as TokenizerCtor);
  return new Ctor(tokenizerJson, tokenizerConfig);
}

interface Encoded {
  ids: number[];
  types: number[];
}

// The parts of a transformers.js tokenizer used here: content ids without special tokens come from the
// public call; special tokens are added by the tokenizer's own post-processor (its template from
// tokenizer.json), after truncation, exactly as the Python tokenizers do.
interface TokenizerParts {
  model: {
    convert_ids_to_tokens(ids: number[]): string[];
    convert_tokens_to_ids(tokens: string[]): number[];
  };
  post_processor:
    | ((
        a: string[],
        b: string[] | null,
        o: { add_special_tokens: boolean },
      ) => { tokens: string[]; token_type_ids?: number[] })
    | null;
}

function contentIds(tokenizer: PreTrainedTokenizer, text: string): number[] {
  // Plain arrays, not tensors: tokenizing never touches transformers.js's model runner (onnxruntime).
  const out = tokenizer(text, { add_special_tokens: false, return_tensor: false }) as unknown as {
    input_ids: number[];
  };
  return out.input_ids;
}

/** Longest-first truncation of a pair to `budget` content tokens, as Hugging Face tokenizers do it. */
function truncatePair(a: number[], b: number[] | null, budget: number): [number[], number[] | null] {
  if (!b) return [a.slice(0, budget), null];
  if (a.length + b.length <= budget) return [a, b];
  // On equal lengths the second text keeps the extra token, as Hugging Face's truncation does.
  const aLonger = a.length > b.length;
  const shorter = Math.min(aLonger ? b.length : a.length, Math.floor(budget / 2));
  const longer = budget - shorter;
  return aLonger ? [a.slice(0, longer), b.slice(0, shorter)] : [a.slice(0, shorter), b.slice(0, longer)];
}

function encodeOne(
  tokenizer: PreTrainedTokenizer,
  input: TextInput,
  index: number,
  maxLength: number,
  truncation: Truncation,
): Encoded {
  const parts = tokenizer as unknown as TokenizerParts;
  const [text, pair] = typeof input === 'string' ? [input, undefined] : input;
  let a = contentIds(tokenizer, text);
  let b = pair === undefined ? null : contentIds(tokenizer, pair);
  const template = (x: string[], y: string[] | null) =>
    parts.post_processor
      ? parts.post_processor(x, y, { add_special_tokens: true })
      : { tokens: [...x, ...(y ?? [])], token_type_ids: undefined };
  const specials = template([], b ? [] : null).tokens.length;
  const total = a.length + (b?.length ?? 0) + specials;
  if (total > maxLength) {
    if (truncation === 'error') throw new InputTooLongError(index, total, maxLength);
    [a, b] = truncatePair(a, b, Math.max(0, maxLength - specials));
  }
  const toTokens = (ids: number[]) => parts.model.convert_ids_to_tokens(ids);
  const { tokens, token_type_ids } = template(toTokens(a), b ? toTokens(b) : null);
  const ids = parts.model.convert_tokens_to_ids(tokens);
  return { ids, types: token_type_ids ?? ids.map(() => 0) };
}

/** Tokenizes and right-pads a batch; the pad id is 0 for the BERT vocabularies this project uses. */
export function tokenizeBatch(
  tokenizer: PreTrainedTokenizer,
  inputs: readonly TextInput[],
  options: TokenizeOptions,
  padTokenId = 0,
): TokenBatch {
  if (inputs.length === 0)
    throw new InputError('Cannot encode an empty list of inputs; pass at least one text.');
  const truncation = options.truncation ?? 'truncate';
  const rows = inputs.map((input, i) => {
    const ok =
      typeof input === 'string' ||
      (Array.isArray(input) && input.length === 2 && input.every((t) => typeof t === 'string'));
    if (!ok) throw new InputError(`Input ${i} is neither a string nor a [text, pair] tuple of strings.`);
    return encodeOne(tokenizer, input, i, options.maxLength, truncation);
  });
  const seqLen = paddedLength(
    rows.reduce((longest, r) => Math.max(longest, r.ids.length), 0), // no spread: any number of texts
    options.maxLength,
    options.padding ?? 'longest',
  );
  const batch = rows.length;
  const inputIds = new Int32Array(batch * seqLen).fill(padTokenId);
  const tokenTypeIds = new Int32Array(batch * seqLen);
  const attentionMask = new Int32Array(batch * seqLen);
  rows.forEach((r, b) => {
    inputIds.set(r.ids, b * seqLen);
    tokenTypeIds.set(r.types, b * seqLen);
    attentionMask.fill(1, b * seqLen, b * seqLen + r.ids.length);
  });
  return { batch, seqLen, inputIds, tokenTypeIds, attentionMask, lengths: rows.map((r) => r.ids.length) };
}
