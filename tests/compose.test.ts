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
import { composeAdapters, composeCached, composeMask, disposeAdapterSet } from '../src/xpeft/compose';
import { maskWeights } from '../src/xpeft/mask';
import { mixOutputs, prepareOutputMix } from '../src/xpeft/output-mix';

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

describe('training an output mix over only the weighted adapters', () => {
  for (const activation of ['relu', 'gelu', 'swish'] as const) {
    it(`gives the side-by-side composition's outputs and gradients (${activation}, hard and soft)`, async () => {
      await useBackend('cpu');
      const bank = await createRandomBank({ seed: 9, n: 6, r: 3, placement: 'houlsby', activation }, 8, 1);
      const laid = prepareOutputMix(bank);
      const { sites, n } = bank;
      const scoresA = tf.randomNormal([sites, n], 0, 1, 'float32', 1) as tf.Tensor2D;
      const scoresB = tf.randomNormal([sites, n], 0, 1, 'float32', 2) as tf.Tensor2D;
      const h = tf.randomNormal([5, 8], 0, 1, 'float32', 3) as tf.Tensor2D;
      const probe = tf.randomNormal([5, 8], 0, 1, 'float32', 4);
      for (const spec of [{ mode: 'hard', k: 2 } as const, { mode: 'soft', k: 2 } as const]) {
        const active = spec.mode === 'hard' ? 2 * spec.k : n;
        /** Σ over sites of ⟨probe, f_s(h)⟩ and its gradients with respect to both score rows and h. */
        const run = (outputs: (a: tf.Tensor2D, b: tf.Tensor2D) => ((x: tf.Tensor2D) => tf.Tensor2D)[]) =>
          tf.tidy(() => {
            const loss = (a: tf.Tensor, b: tf.Tensor, x: tf.Tensor) => {
              const fs = outputs(maskWeights(a as tf.Tensor2D, spec), maskWeights(b as tf.Tensor2D, spec));
              return tf.addN(fs.map((f) => tf.sum(tf.mul(f(x as tf.Tensor2D), probe)))) as tf.Scalar;
            };
            const value = loss(scoresA, scoresB, h);
            const grads = tf.grads(loss)([scoresA, scoresB, h]);
            return [value, ...grads].map((t) => Array.from(t.dataSync()));
          });
        const fast = run((a, b) =>
          mixOutputs(laid, a, b, active).sites.map(
            (site) => (x) => (site as { output: (x: tf.Tensor2D) => tf.Tensor2D }).output(x),
          ),
        );
        const reference = run((a, b) =>
          composeAdapters(bank, a, b, 'outputs').sites.map((site) => (x) => adapterOutput(x, site!)),
        );
        expect(fast).toHaveLength(4);
        fast.forEach((values, i) => {
          const ref = reference[i]!;
          const scale = Math.max(...ref.map(Math.abs));
          expect(scale).toBeGreaterThan(0);
          const worst = Math.max(...values.map((v, j) => Math.abs(v - ref[j]!)));
          expect(worst).toBeLessThan(1e-5 * Math.max(1, scale));
        });
      }
      tf.dispose([scoresA, scoresB, h, probe]);
      laid.dispose();
      disposeBank(bank);
    });
  }
});
