// The held-out split that early stopping scores: plain data, no tensors, so the page can state the
// smallest history that gets one without loading tfjs.

import { seededRandom, shuffled } from '../util/random';
import type { EncodedExample, Task } from './task';

/** Below this many held-out examples early stopping is mostly noise, so everything trains instead. */
export const MIN_HELD_OUT = 8;

/**
 * Splits off a held-out set, stratified by label for classification so every class keeps training
 * examples. Returns no held-out set when it would be smaller than MIN_HELD_OUT.
 */
export function splitHeldOut(
  examples: readonly EncodedExample[],
  fraction: number,
  seed: number,
  task: Task,
) {
  const none = { train: [...examples], heldOut: [] as EncodedExample[] };
  if (fraction === 0 || Math.round(examples.length * fraction) < MIN_HELD_OUT) return none;
  const rng = seededRandom(seed ^ 0xa5a5a5a5);
  const groups = new Map<number, EncodedExample[]>();
  for (const e of examples) {
    const key = task.kind === 'classification' ? e.target : 0;
    const group = groups.get(key) ?? [];
    group.push(e);
    groups.set(key, group);
  }
  let train: EncodedExample[] = [];
  let heldOut: EncodedExample[] = [];
  for (const group of groups.values()) {
    const g = shuffled(group, rng);
    const take = Math.min(g.length - 1, Math.round(g.length * fraction));
    heldOut = heldOut.concat(g.slice(0, take)); // concat, not push(...): any number of examples
    train = train.concat(g.slice(take));
  }
  return heldOut.length < MIN_HELD_OUT ? none : { train, heldOut };
}
