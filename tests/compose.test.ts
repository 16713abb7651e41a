// A hard profile's adapters are gathered (the mean of its k selected bank adapters per site); that must
// equal the general composition with k-hot/k weights, on cpu and on wasm.

import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  type BackendName,
  createRandomBank,
  disposeBank,
  encodeProfile,
  Profile,
  useBackend,
} from '../src/advanced';
import { adapterOutput } from '../src/encoder/adapter';
import { composeCached, composeMask, disposeAdapterSet } from '../src/xpeft/compose';

describe('hard-profile composition', () => {
  for (const backend of ['cpu', 'wasm'] as BackendName[]) {
    it(`gathers the same adapters as the weighted product on ${backend}`, async () => {
      await useBackend(backend);
      const bank = await createRandomBank({ seed: 4, n: 12, r: 4, placement: 'houlsby' }, 32, 2);
      const { sites, n } = bank;
      const k = 3;
      const scores = new Float32Array(2 * sites * n);
      for (let row = 0; row < 2 * sites; row++)
        for (let j = 0; j < k; j++) scores[row * n + ((row * 5 + j * 4) % n)] = 1;
      const profile = Profile.fromBytes(
        encodeProfile({
          mode: 'hard',
          placement: 'houlsby',
          sites,
          n,
          k,
          modelFingerprint: 'a'.repeat(64),
          bankFingerprint: bank.fingerprint,
          scores,
        }),
      );
      const before = tf.memory().numTensors;
      const gathered = composeMask(profile.data, bank);
      const [maskA, maskB] = tf.tidy(() =>
        tf.split(tf.div(tf.tensor2d(scores, [2 * sites, n]), k), 2, 0),
      ) as tf.Tensor2D[];
      const product = composeCached(bank, maskA!, maskB!);
      for (let s = 0; s < sites; s++) {
        const [g, p] = [gathered.sites[s]!, product.sites[s]!];
        for (const key of ['down', 'downBias', 'up', 'upBias'] as const) {
          const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(g[key], p[key]))).dataSync()[0]!);
          expect(diff, `site ${s} ${key}`).toBeLessThan(1e-6);
          expect(g[key].shape).toEqual(p[key].shape);
        }
      }
      disposeAdapterSet(product);
      tf.dispose([maskA!, maskB!]);
      disposeAdapterSet(gathered);
      expect(tf.memory().numTensors).toBe(before);
      disposeBank(bank);
    });
  }
});

describe('output mix', () => {
  it("answers as the weighted mean of the bank adapters' own outputs, gathered or as a product", async () => {
    await useBackend('cpu');
    const d = 32;
    const bank = await createRandomBank({ seed: 9, n: 8, r: 4, activation: 'gelu' }, d, 2);
    const { sites, n } = bank;
    const k = 3;
    // A and B select overlapping sets: adapters chosen by both weigh twice as much.
    const scores = new Float32Array(2 * sites * n);
    for (let s = 0; s < sites; s++)
      for (let j = 0; j < k; j++) {
        scores[s * n + ((s + j) % n)] = 1;
        scores[(sites + s) * n + ((s + j + 2) % n)] = 1;
      }
    const data = { mode: 'hard' as const, mix: 'outputs' as const, sites, n, k, scores };
    const gathered = composeMask(data, bank);
    const [maskA, maskB] = tf.tidy(() =>
      tf.split(tf.div(tf.tensor2d(scores, [2 * sites, n]), k), 2, 0),
    ) as tf.Tensor2D[];
    const product = composeCached(bank, maskA!, maskB!, 'outputs');
    const weights = composeCached(bank, maskA!, maskB!);
    const h = tf.randomNormal([5, d], 0, 1, 'float32', 3) as tf.Tensor2D;
    const { arrays, r } = bank;
    for (let s = 0; s < sites; s++) {
      // Σ_i w_i f_i(h) with w the mean of the two masks, each f_i the bank's adapter i on its own.
      const expected = tf.tidy(() => {
        let sum = tf.zeros([5, d]) as tf.Tensor2D;
        for (let i = 0; i < n; i++) {
          const w = (scores[s * n + i]! + scores[(sites + s) * n + i]!) / (2 * k);
          if (w === 0) continue;
          const at = (src: Float32Array, width: number) =>
            src.slice((s * n + i) * width, (s * n + i + 1) * width);
          const f = adapterOutput(h, {
            down: tf.tensor2d(at(arrays.down, d * r), [d, r]),
            downBias: tf.tensor1d(at(arrays.downBias, r)),
            up: tf.tensor2d(at(arrays.up, r * d), [r, d]),
            upBias: tf.tensor1d(at(arrays.upBias, d)),
            activation: 'gelu',
          });
          sum = tf.add(sum, tf.mul(f, w));
        }
        return sum;
      });
      const diff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
      const [g, p, m] = [gathered, product, weights].map((set) =>
        tf.tidy(() => adapterOutput(h, set.sites[s]!)),
      );
      expect(diff(g!, expected), `site ${s} gathered`).toBeLessThan(1e-5);
      expect(diff(p!, expected), `site ${s} product`).toBeLessThan(1e-5);
      // Mixing weights is another function altogether.
      expect(diff(m!, expected), `site ${s} weights`).toBeGreaterThan(1e-3);
      tf.dispose([expected, g!, p!, m!]);
    }
    for (const set of [gathered, product, weights]) disposeAdapterSet(set);
    tf.dispose([maskA!, maskB!, h]);
    disposeBank(bank);
  });
});
