// Which people become a trained bank's adapters: people spread evenly over the range of mean answers,
// from the most lenient to the strictest, so the bank holds different tastes rather than many alike; or,
// where people differ in what they like rather than how much (Jester), a plain seeded draw.

import type { SourceProfile } from '../src/training/bank-builder';
import { seededRandom, shuffled } from '../src/util/random';
import type { Annotator } from './popquorn';

/** A label as a number to average: ratings as they are, a "yes"/"no" answer as 1/0. */
export const answerValue = (label: string | number) =>
  typeof label === 'number' ? label : label === 'yes' ? 1 : 0;

/**
 * `count` people spread evenly over the range of mean answers, among those with at least `minLabels`
 * labels of two or more values, each history capped to its first `labelsPerSource` labels.
 */
export function spreadSources(
  people: readonly Annotator[],
  count: number,
  minLabels: number,
  labelsPerSource: number,
): SourceProfile[] {
  const mean = (a: Annotator) => a.history.reduce((s, e) => s + answerValue(e.label), 0) / a.history.length;
  const eligible = people
    .filter((a) => a.history.length >= minLabels && new Set(a.history.map((e) => e.label)).size >= 2)
    .map((a) => ({ a, mean: mean(a) }))
    .sort((x, y) => x.mean - y.mean || (x.a.id < y.a.id ? -1 : 1));
  if (eligible.length < count)
    throw new Error(`${eligible.length} people qualify as bank sources; ${count} are needed.`);
  const step = count > 1 ? (eligible.length - 1) / (count - 1) : 0;
  return Array.from({ length: count }, (_, i) => eligible[Math.round(i * step)]!.a).map((a) => ({
    id: a.id,
    history: a.history.slice(0, labelsPerSource),
  }));
}

/** `count` people drawn at random (seeded) among those with at least `minLabels` labels, each capped to their first `labelsPerSource`. */
export function drawSources(
  people: readonly Annotator[],
  count: number,
  minLabels: number,
  labelsPerSource: number,
  seed: number,
): SourceProfile[] {
  const eligible = people.filter((a) => a.history.length >= minLabels);
  if (eligible.length < count)
    throw new Error(`${eligible.length} people qualify as bank sources; ${count} are needed.`);
  return shuffled(eligible, seededRandom(seed))
    .slice(0, count)
    .map((a) => ({ id: a.id, history: a.history.slice(0, labelsPerSource) }));
}
