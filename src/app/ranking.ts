// The ranked list: the texts a person has not rated, ordered by the generic answer (the population head)
// and by their own, and how much the order changed: Spearman's rank correlation between the two. A
// profile that only shifts every answer (its own bias) keeps the order, ρ = 1; one that re-orders the
// texts lowers it.

import type { Example, Task } from '../xpeft/task';

/** A text's place on a list: a rating, or the probability of the task's last label ("yes"). */
export function rankScore(task: Task, outputs: readonly number[]): number {
  if (task.kind === 'regression') return outputs[0]!;
  const top = Math.max(...outputs);
  const e = outputs.map((o) => Math.exp(o - top));
  return e.at(-1)! / e.reduce((a, b) => a + b, 0);
}

/** Ranks from the highest value (1) down, equal values sharing their mean rank. */
export function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => ({ v, i })).sort((a, b) => b.v - a.v);
  const out = new Array<number>(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]!.v === order[start]!.v) end++;
    for (let j = start; j <= end; j++) out[order[j]!.i] = (start + end) / 2 + 1;
    start = end + 1;
  }
  return out;
}

/** Spearman's rank correlation: Pearson's on the ranks; NaN for fewer than two values or all equal. */
export function spearman(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new Error(`spearman: ${a.length} values against ${b.length}.`);
  const [ra, rb] = [ranks(a), ranks(b)];
  const mean = (ra.length + 1) / 2;
  let [ab, aa, bb] = [0, 0, 0];
  for (let i = 0; i < ra.length; i++) {
    const [x, y] = [ra[i]! - mean, rb[i]! - mean];
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : Number.NaN;
}

export interface RankedText {
  id: string;
  text: string;
  generic: number;
  personal: number;
  /** 1 = first (the highest answer). */
  genericRank: number;
  personalRank: number;
}

export interface Ranking {
  byGeneric: RankedText[];
  byPersonal: RankedText[];
  /** Spearman's ρ between the two orders. */
  rho: number;
  /** Mean personal minus generic answer: how far the profile moves the answers as a whole. */
  shift: number;
}

/** The texts whose text is not among the examples: what a person has not rated yet. */
export function unrated<T extends { text: string }>(texts: readonly T[], examples: readonly Example[]): T[] {
  const rated = new Set(examples.map((e) => String(e.text)));
  return texts.filter((t) => !rated.has(t.text));
}

/** Both orders of the texts from their generic and personal answers (ties keep the texts' order). */
export function rankTexts(
  texts: readonly { id: string; text: string }[],
  generic: readonly number[],
  personal: readonly number[],
): Ranking {
  if (generic.length !== texts.length || personal.length !== texts.length)
    throw new Error(
      `rankTexts: ${texts.length} texts, ${generic.length} generic and ${personal.length} personal answers.`,
    );
  const place = (values: readonly number[]) => {
    const order = values.map((v, i) => ({ v, i })).sort((a, b) => b.v - a.v || a.i - b.i);
    const at = new Array<number>(values.length);
    order.forEach(({ i }, rank) => {
      at[i] = rank + 1;
    });
    return at;
  };
  const [g, p] = [place(generic), place(personal)];
  const all = texts.map((t, i) => ({
    ...t,
    generic: generic[i]!,
    personal: personal[i]!,
    genericRank: g[i]!,
    personalRank: p[i]!,
  }));
  const shift = all.reduce((s, t) => s + t.personal - t.generic, 0) / Math.max(1, all.length);
  return {
    byGeneric: [...all].sort((a, b) => a.genericRank - b.genericRank),
    byPersonal: [...all].sort((a, b) => a.personalRank - b.personalRank),
    rho: spearman(generic, personal),
    shift,
  };
}
