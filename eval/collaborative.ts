// The collaborative-filtering reference: not a text model and not a browser method, a yardstick for how
// much of a person's taste their ratings of the same items reveal. Biased matrix factorisation
// (r ≈ μ + b_person + c_item + p_person · q_item) fitted on the sources by alternating least squares;
// a target's bias and factors are then fitted on their training ratings alone, with the items fixed.

import type { Example } from '../src/advanced';
import { seededRandom, shuffled } from '../src/util/random';
import type { Annotator } from './popquorn';

export interface ItemModel {
  mean: number;
  /** Row per item: its bias, then its factors. */
  items: Float64Array[];
  index: Map<string, number>;
}

/** Solves A x = b for a symmetric positive definite A (Cholesky). */
function solve(A: Float64Array, b: Float64Array, n: number): Float64Array {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * n + j]!;
      for (let k = 0; k < j; k++) s -= L[i * n + k]! * L[j * n + k]!;
      L[i * n + j] = i === j ? Math.sqrt(Math.max(s, 1e-12)) : s / L[j * n + j]!;
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= L[i * n + k]! * y[k]!;
    y[i] = s / L[i * n + i]!;
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < n; k++) s -= L[k * n + i]! * x[k]!;
    x[i] = s / L[i * n + i]!;
  }
  return x;
}

/**
 * Ridge regression of targets on rows [1, v]: the intercept (a bias, lightly held) and the weights
 * (held by `lambda`). Returns [intercept, ...weights].
 */
function ridge(rows: readonly Float64Array[], targets: readonly number[], lambda: number): Float64Array {
  const n = rows[0]!.length + 1;
  const A = new Float64Array(n * n);
  const b = new Float64Array(n);
  const x = new Float64Array(n);
  for (const [r, row] of rows.entries()) {
    x[0] = 1;
    x.set(row, 1);
    for (let i = 0; i < n; i++) {
      b[i]! += x[i]! * targets[r]!;
      for (let j = 0; j <= i; j++) A[i * n + j]! += x[i]! * x[j]!;
    }
  }
  for (let i = 0; i < n; i++) {
    A[i * n + i]! += i === 0 ? 1e-3 : lambda;
    for (let j = 0; j < i; j++) A[j * n + i] = A[i * n + j]!;
  }
  return solve(A, b, n);
}

const key = (e: Example) => String(e.text);

/** Item biases and factors from the sources' ratings. */
export function fitItems(
  sources: readonly Annotator[],
  options: { factors: number; lambda: number; iterations?: number; seed?: number },
): ItemModel {
  const { factors, lambda } = options;
  const index = new Map<string, number>();
  for (const s of sources) for (const e of s.history) if (!index.has(key(e))) index.set(key(e), index.size);
  const ratings = sources.flatMap((s) => s.history.map((e) => e.label as number));
  const mean = ratings.reduce((a, b) => a + b, 0) / ratings.length;
  const rng = seededRandom(options.seed ?? 0);
  const items: Float64Array[] = [...index.keys()].map(() =>
    Float64Array.from({ length: factors + 1 }, (_, i) => (i === 0 ? 0 : 0.1 * rng.normal())),
  );
  const rated = sources.map((s) =>
    s.history.map((e) => ({ item: index.get(key(e))!, r: e.label as number })),
  );
  const people: Float64Array[] = sources.map(() => new Float64Array(factors + 1));
  const byItem = items.map(() => [] as { person: number; r: number }[]);
  for (const [p, rs] of rated.entries()) for (const { item, r } of rs) byItem[item]!.push({ person: p, r });
  for (let it = 0; it < (options.iterations ?? 15); it++) {
    for (const [p, rs] of rated.entries()) {
      const rows = rs.map(({ item }) => items[item]!.subarray(1));
      people[p] = ridge(
        rows,
        rs.map(({ item, r }) => r - mean - items[item]![0]!),
        lambda,
      );
    }
    for (const [i, rs] of byItem.entries()) {
      const rows = rs.map(({ person }) => people[person]!.subarray(1));
      items[i] = ridge(
        rows,
        rs.map(({ person, r }) => r - mean - people[person]![0]!),
        lambda,
      );
    }
  }
  return { mean, items, index };
}

/** A person's predictions for texts, their bias and factors fitted on `train` with the items fixed. */
export function predictPerson(
  model: ItemModel,
  train: readonly Example[],
  texts: readonly Example['text'][],
  lambda: number,
): number[] {
  const item = (t: Example['text']) => {
    const i = model.index.get(String(t));
    if (i === undefined)
      throw new Error('Collaborative filtering needs items the sources rated; this one has no ratings.');
    return model.items[i]!;
  };
  const known = train.filter((e) => model.index.has(key(e)));
  const person = ridge(
    known.map((e) => item(e.text).subarray(1)),
    known.map((e) => (e.label as number) - model.mean - item(e.text)[0]!),
    lambda,
  );
  return texts.map((t) => {
    const q = item(t);
    let v = model.mean + person[0]! + q[0]!;
    for (let f = 1; f < q.length; f++) v += person[f]! * q[f]!;
    return v;
  });
}

export const CF_FACTORS = 10;
const LAMBDAS = [1, 3, 10, 30];

/**
 * The reference for each target: λ chosen on a validation split of the targets' training ratings
 * (a seeded fifth of each), never on their scored ones; then every target fitted on all their training.
 */
export function collaborativeReference(
  sources: readonly Annotator[],
  targets: readonly { train: Example[]; test: Example[] }[],
  seed = 0,
): { lambda: number; predicted: number[][] } {
  const rng = seededRandom(seed ^ 0xcf);
  const inner = targets.map((t) => {
    const order = shuffled(t.train, rng);
    const cut = Math.max(1, Math.round(order.length / 5));
    return { fit: order.slice(cut), check: order.slice(0, cut) };
  });
  let best = { lambda: LAMBDAS[0]!, mae: Infinity, model: undefined as ItemModel | undefined };
  for (const lambda of LAMBDAS) {
    const model = fitItems(sources, { factors: CF_FACTORS, lambda, seed });
    let sum = 0;
    let count = 0;
    for (const { fit, check } of inner) {
      const p = predictPerson(
        model,
        fit,
        check.map((e) => e.text),
        lambda,
      );
      for (const [i, e] of check.entries()) sum += Math.abs(p[i]! - (e.label as number));
      count += check.length;
    }
    if (sum / count < best.mae) best = { lambda, mae: sum / count, model };
  }
  const predicted = targets.map((t) =>
    predictPerson(
      best.model!,
      t.train,
      t.test.map((e) => e.text),
      best.lambda,
    ),
  );
  return { lambda: best.lambda, predicted };
}
