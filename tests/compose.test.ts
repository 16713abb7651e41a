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
