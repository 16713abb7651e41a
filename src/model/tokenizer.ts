// Tokenization: Hugging Face's tokenizers.js reads the checkpoint's tokenizer.json; truncation, special
// tokens (the tokenizer's own post-processor template) and padding into batches are done here, as the
// Python tokenizers do them.

import { Tokenizer } from '@huggingface/tokenizers';
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

/**
 * What the engine uses of a Hugging Face tokenizer: tokenizers.js's Tokenizer, described here so that
 * the package's types do not depend on that library's.
 */
export interface TextTokenizer {
  encode(text: string, options?: { add_special_tokens?: boolean }): { ids: number[] };
  /** Adds the model's special tokens to one text's or a pair's tokens; null when it adds none. */
  post_processor:
    | ((
        tokens: string[],
        pair: string[] | null,
        addSpecialTokens: boolean,
      ) => {
        tokens: string[];
        token_type_ids?: number[];
      })
    | null;
  id_to_token(id: number): string | undefined;
  token_to_id(token: string): number | undefined;
}

/**
 * A tokenizer from tokenizer.json and tokenizer_config.json (Hugging Face's tokenizers.js, the library
 * transformers.js tokenizes with: no dependencies, and token for token the Python tokenizers' output).
 */
export function createTokenizer(tokenizerJson: unknown, tokenizerConfig: unknown): TextTokenizer {
  for (const [file, json] of [
    ['tokenizer.json', tokenizerJson],
    ['tokenizer_config.json', tokenizerConfig],
  ] as const)
    if (typeof json !== 'object' || json === null) throw new ModelFileError(`${file} is not a JSON object.`);
  return new Tokenizer(tokenizerJson as object, tokenizerConfig as object);
}

interface Encoded {
  ids: number[];
  types: number[];
}

/** A text's token ids without special tokens (normalised, pre-tokenised, split into word pieces). */
function contentIds(tokenizer: TextTokenizer, text: string): number[] {
  return tokenizer.encode(text, { add_special_tokens: false }).ids;
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
  tokenizer: TextTokenizer,
  input: TextInput,
  index: number,
  maxLength: number,
  truncation: Truncation,
): Encoded {
  const [text, pair] = typeof input === 'string' ? [input, undefined] : input;
  let a = contentIds(tokenizer, text);
  let b = pair === undefined ? null : contentIds(tokenizer, pair);
  // Special tokens come from the tokenizer's own post-processor, after truncation, as in Python.
  const template = (x: string[], y: string[] | null): { tokens: string[]; token_type_ids?: number[] } =>
    tokenizer.post_processor ? tokenizer.post_processor(x, y, true) : { tokens: [...x, ...(y ?? [])] };
  const specials = template([], b ? [] : null).tokens.length;
  const total = a.length + (b?.length ?? 0) + specials;
  if (total > maxLength) {
    if (truncation === 'error') throw new InputTooLongError(index, total, maxLength);
    [a, b] = truncatePair(a, b, Math.max(0, maxLength - specials));
  }
  const toTokens = (ids: number[]) => ids.map((id) => tokenizer.id_to_token(id)!);
  const { tokens, token_type_ids } = template(toTokens(a), b ? toTokens(b) : null);
  const ids = tokens.map((token) => {
    const id = tokenizer.token_to_id(token);
    if (id === undefined) throw new ModelFileError(`The tokenizer has no id for its own token "${token}".`);
    return id;
  });
  return { ids, types: token_type_ids ?? ids.map(() => 0) };
}

/** Tokenizes and right-pads a batch; the pad id is 0 for the BERT vocabularies this project uses. */
export function tokenizeBatch(
  tokenizer: TextTokenizer,
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
