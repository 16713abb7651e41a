// One layer's attention products (q·kᵀ, softmax, ·v) on tfjs's wasm backend in Node, timed two ways
// at the default model's shape (12 heads of 32): one batched product over every batch row and head (what
// the encoder does today), and one 2-D product per batch row and head (the heads split beforehand,
// not timed). Where the second wins, the encoder can compute attention head by head.
// Usage: npm run bench:attention -- [--batch 8] [--tokens 256] [--runs 5]

import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../src/advanced';
import { checkFlags, flag } from '../tools/args';
import { median } from '../tools/stats';

checkFlags(import.meta.filename);

const B = Number(flag('batch', '8'));
const T = Number(flag('tokens', '256'));
const runs = Number(flag('runs', '5'));
const H = 12;
const DH = 32;

await useBackend('wasm');
const q = tf.randomNormal([B * H, T, DH]) as tf.Tensor3D;
const k = tf.randomNormal([B * H, T, DH]) as tf.Tensor3D;
const v = tf.randomNormal([B * H, T, DH]) as tf.Tensor3D;

/** Median ms of `work` (its result disposed) over the runs, after one warm-up. */
async function time(work: () => tf.Tensor | tf.Tensor[]): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const start = performance.now();
    const out = work();
    const list = Array.isArray(out) ? out : [out];
    await Promise.all(list.map((t) => t.data()));
    if (i > 0) ms.push(performance.now() - start);
    tf.dispose(list);
  }
  return median(ms);
}

const batched = await time(() => tf.tidy(() => tf.matMul(tf.softmax(tf.matMul(q, k, false, true)), v)));
const qs = tf.unstack(q) as tf.Tensor2D[];
const ks = tf.unstack(k) as tf.Tensor2D[];
const vs = tf.unstack(v) as tf.Tensor2D[];
const perHead = await time(() =>
  tf.tidy(() => qs.map((qi, i) => tf.matMul(tf.softmax(tf.matMul(qi, ks[i]!, false, true)), vs[i]!))),
);
console.log(`| batch × tokens | batched products (ms) | per batch row and head, 2-D (ms) | ratio |`);
console.log(`|---|---|---|---|`);
console.log(
  `| ${B} × ${T} | ${batched.toFixed(1)} | ${perHead.toFixed(1)} | ${(perHead / batched).toFixed(2)} |`,
);
console.log(
  `(${B * H} heads of ${DH}; one layer's attention products and softmax; ${runs} runs after a warm-up)`,
);
