// What a profile predicts: one of C labels (classification) or a number (regression), and the labelled
// history it learns from.

import { HistoryError } from '../errors';
import type { TextInput } from '../model/tokenizer';

/**
 * The kind of answer: one of a set of labels (classification), or a number on a scale (regression).
 *
 * @group Histories
 */
export type Task =
  | { kind: 'classification'; labels: readonly string[] }
  | {
      kind: 'regression';
      /** The scale the answers are on (a 1–5 rating): answers are clamped to it. Omitted: unbounded. */
      scale?: { min: number; max: number };
    };

/** Head outputs for a task: C logits, or one value. */
export function taskOutputs(task: Task): number {
  return task.kind === 'classification' ? task.labels.length : 1;
}

/**
 * One labelled example of a person's history: a text (or a pair of texts) and their label or rating.
 *
 * @group Histories
 */
export interface Example {
  text: TextInput;
  /** A label from the task's label set (classification) or a finite number (regression). */
  label: string | number;
}

/** An example with its label as a class index or a value, ready for the trainer. */
export interface EncodedExample {
  text: TextInput;
  target: number;
}

/** The most examples one training call accepts; larger histories are refused, never run out of memory. */
export const MAX_HISTORY = 20_000;

/**
 * The largest regression label magnitude accepted: far beyond any rating scale, well inside where a
 * squared error stays finite in float32 (1e30 trained to an infinite loss).
 */
export const MAX_REGRESSION_LABEL = 1e6;

export function validateTask(task: Task): void {
  if (task.kind === 'regression') {
    const { scale } = task;
    if (scale && !(Number.isFinite(scale.min) && Number.isFinite(scale.max) && scale.min < scale.max))
      throw new HistoryError(
        `A regression task's scale needs finite min < max; got ${scale.min} to ${scale.max}.`,
      );
    return;
  }
  if (task.kind !== 'classification')
    throw new HistoryError(`Task kind must be "classification" or "regression".`);
  if (task.labels.length < 2)
    throw new HistoryError(`A classification task needs at least 2 labels; got ${task.labels.length}.`);
  if (new Set(task.labels).size !== task.labels.length)
    throw new HistoryError('Task labels must be distinct.');
}

/** Whether a text has something to read: a letter, digit, punctuation or symbol (not only spaces or zero-width marks). */
export function hasVisibleText(text: string): boolean {
  return /[\p{L}\p{N}\p{P}\p{S}]/u.test(text);
}

function isEmptyText(t: TextInput): boolean {
  return typeof t === 'string'
    ? !hasVisibleText(t)
    : t.some((s) => typeof s !== 'string' || !hasVisibleText(s));
}

/** Checks a history against the task and turns labels into targets; every error names the example. */
export function encodeHistory(task: Task, history: readonly Example[], minClasses = 2): EncodedExample[] {
  if (!Array.isArray(history) || history.length === 0)
    throw new HistoryError('The history is empty; add labelled examples first.');
  if (history.length > MAX_HISTORY) {
    throw new HistoryError(
      `The history has ${history.length} examples; at most ${MAX_HISTORY} are accepted per training run.`,
    );
  }
  const out = history.map((ex, i) => {
    if (typeof ex?.text !== 'string' && !(Array.isArray(ex?.text) && ex.text.length === 2)) {
      throw new HistoryError(`Example ${i}: text must be a string or a [text, pair] tuple.`);
    }
    if (isEmptyText(ex.text))
      throw new HistoryError(`Example ${i}: text is empty (no letter, digit or sign to read).`);
    const shown = typeof ex.label === 'number' ? String(ex.label) : JSON.stringify(ex.label);
    if (task.kind === 'regression') {
      if (typeof ex.label !== 'number' || !Number.isFinite(ex.label)) {
        throw new HistoryError(
          `Example ${i}: label must be a finite number for a regression task; got ${shown}.`,
        );
      }
      if (Math.abs(ex.label) > MAX_REGRESSION_LABEL)
        throw new HistoryError(
          `Example ${i}: label ${shown} is beyond ±${MAX_REGRESSION_LABEL.toExponential()}; rescale the labels.`,
        );
      return { text: ex.text, target: ex.label };
    }
    if (typeof ex.label !== 'string' && typeof ex.label !== 'number')
      throw new HistoryError(`Example ${i}: label must be a string; got ${shown}.`);
    const target = task.labels.indexOf(String(ex.label));
    if (target < 0) {
      throw new HistoryError(
        `Example ${i}: label ${JSON.stringify(ex.label)} is not one of ${task.labels.map((l) => JSON.stringify(l)).join(', ')}.`,
      );
    }
    return { text: ex.text, target };
  });
  if (task.kind === 'classification') {
    const seen = new Set(out.map((e) => e.target));
    if (seen.size < minClasses) {
      throw new HistoryError(
        `The history has only the label ${JSON.stringify(task.labels[out[0]!.target])}; add examples of at least ${minClasses} labels.`,
      );
    }
  }
  return out;
}
