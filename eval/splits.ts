// Who is scored and on what, for each multi-profile task: a fixed seeded draw of target people, each
// with the items they train on and the items they are scored on, and everyone else as sources (the
// population head and the trained bank) without any item a target is scored on.
// - popquorn, amazon: each target's last items (comment id, review time) are scored.
// - jester-known: each target's ratings split at random (seeded per person), 70% train, 30% scored.
// - jester-new: 30 jokes (a seeded draw) are held out from everyone; a target is scored on those alone.
// Targets come from `budget.targetData` where it names another folder of the same dataset, sources
// always from the default one, so the protocol can score people who were never in it.

import { join, resolve } from 'node:path';
import type { Example } from '../src/advanced';
import { seededRandom, shuffled } from '../src/util/random';
import { AMAZON_CSV, readAmazon } from './amazon';
import type { Budget, ProfileTask } from './cell';
import { JESTER_DIR, readJester } from './jester';
import { type Annotator, POPQUORN_CSV, readPopquorn } from './popquorn';

/** Targets are drawn with this seed whatever the cell's seed, so every method scores the same people. */
const TARGET_SEED = 0x7a67;
/** jester-new's held-out jokes. */
const HELD_OUT_JOKES_SEED = 0x4a4b;
/** Amazon targets need enough reviews to train on after the held-out newest ones. */
const AMAZON_MIN_TARGET_REVIEWS = 10;
/** Jester targets: people with at least this many ratings. */
const JESTER_MIN_TARGET_RATINGS = 60;

export interface Target {
  id: string;
  train: Example[];
  test: Example[];
}

export interface People {
  targets: Target[];
  /** Everyone else, without any text a target is scored on. */
  sources: Annotator[];
}

/** The default data folder of a task's dataset. */
export function defaultDataDir(task: ProfileTask): string {
  if (task === 'popquorn') return join(POPQUORN_CSV, '..');
  if (task === 'amazon') return join(AMAZON_CSV, '..');
  return JESTER_DIR;
}

function readPeople(task: ProfileTask, dir: string): Annotator[] {
  if (task === 'popquorn') return readPopquorn(join(dir, 'raw_data.csv'));
  if (task === 'amazon') return readAmazon(5, join(dir, 'Musical_instruments_reviews.csv'));
  return readJester(dir).people;
}

/** A seeded draw of `count` people among those with at least `minItems` items. */
function drawTargets(task: ProfileTask, people: readonly Annotator[], minItems: number, count: number) {
  const eligible = people.filter((a) => a.history.length >= minItems);
  if (eligible.length < count)
    throw new Error(`${task}: ${eligible.length} people can be targets; the budget asks for ${count}.`);
  const rng = seededRandom(TARGET_SEED);
  const order = eligible.map((a) => ({ a, key: rng.uniform() })).sort((x, y) => x.key - y.key);
  return order.slice(0, count).map((x) => x.a);
}

/** jester-new's held-out jokes: `count` of the dataset's jokes, a seeded draw. */
export function heldOutJokes(count: number, dir = JESTER_DIR): Set<string> {
  const jokes = readJester(dir).jokes.map((j) => j.text);
  return new Set(shuffled(jokes, seededRandom(HELD_OUT_JOKES_SEED)).slice(0, count));
}

/** A number from a person's id, so their own split does not depend on who else is drawn. */
function idSeed(id: string): number {
  let h = TARGET_SEED;
  for (let i = 0; i < id.length; i++) h = (Math.imul(h, 31) + id.charCodeAt(i)) >>> 0;
  return h;
}

/** Each target's train and scored items under the task's split. */
function splitTarget(task: ProfileTask, a: Annotator, budget: Budget, heldOut: Set<string>): Target {
  const h = a.history;
  if (task === 'jester-known') {
    const order = shuffled(h, seededRandom(idSeed(a.id)));
    const scored = Math.round((h.length * budget.testPerProfile) / 100);
    return { id: a.id, train: order.slice(scored), test: order.slice(0, scored) };
  }
  if (task === 'jester-new') {
    const isHeld = (e: Example) => heldOut.has(String(e.text));
    return { id: a.id, train: h.filter((e) => !isHeld(e)), test: h.filter(isHeld) };
  }
  const cut = h.length - budget.testPerProfile;
  return { id: a.id, train: h.slice(0, cut), test: h.slice(cut) };
}

/** The fixed targets of a task (a seeded draw) and everyone else as sources. */
export function splitPeople(task: ProfileTask, budget: Budget): People {
  const home = defaultDataDir(task);
  const all = readPeople(task, home);
  const fromHome = budget.targetData === undefined || resolve(budget.targetData) === resolve(home);
  const pool = fromHome ? all : readPeople(task, budget.targetData!);
  const minItems =
    task === 'amazon' ? AMAZON_MIN_TARGET_REVIEWS : task === 'popquorn' ? 0 : JESTER_MIN_TARGET_RATINGS;
  const heldOut = task === 'jester-new' ? heldOutJokes(budget.testPerProfile) : new Set<string>();
  // A jester-new target must have rated a held-out joke to be scored on one.
  const scorable =
    task === 'jester-new' ? pool.filter((a) => a.history.some((e) => heldOut.has(String(e.text)))) : pool;
  const drawn = drawTargets(task, scorable, minItems, budget.targets);
  const targets = drawn.map((a) => splitTarget(task, a, budget, heldOut));
  const chosen = new Set(fromHome ? drawn.map((t) => t.id) : []);
  // A scored text must not reach the sources: POPQUORN comments are rated by 5–10 people; jester-new's
  // held-out jokes by nearly everyone. On jester-known the population may have rated every joke.
  const scored =
    task === 'jester-new'
      ? heldOut
      : task === 'jester-known'
        ? new Set<string>()
        : new Set(targets.flatMap((t) => t.test.map((e) => String(e.text))));
  const sources = all
    .filter((a) => !chosen.has(a.id))
    .map((a) => ({ ...a, history: a.history.filter((e) => !scored.has(String(e.text))) }))
    .filter((a) => a.history.length > 0);
  return { targets, sources };
}
