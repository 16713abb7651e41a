// Many profiles in one call: predictMany gives each example its own profile's adapters and head in
// shared batches, and must equal one predict call per profile, in both mask modes, with more profiles
// than the adapter cache holds, and without leaking tensors.

import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Engine,
  EngineError,
  encodeProfile,
  LanguageModel,
  type MaskMode,
  type Prediction,
  Profile,
  useBackend,
} from '../src/advanced';
import { seededRandom } from '../src/util/random';
import { SENTIMENT, sst2Examples } from './helpers/sst2';
import { writeTinyModel } from './helpers/tiny-model';

const N = 16;
const texts = sst2Examples('dev', 6).map((e) => e.text as string);

describe('predictMany', () => {
  let model: LanguageModel;
  let engine: Engine;

  beforeAll(async () => {
    await useBackend('cpu');
    model = await LanguageModel.load({ kind: 'dir', path: writeTinyModel({ seed: 5 }) });
    engine = await Engine.load({ model, bank: { kind: 'random', seed: 9, n: N, r: 4 }, task: SENTIMENT });
  });
  afterAll(() => {
    engine.dispose();
    model.dispose();
  });

  /** A profile with a random mask (k=3 when hard) and its own random head. */
  function randomProfile(seed: number, mode: MaskMode): Profile {
    const rng = seededRandom(seed);
    const { sites, n } = engine.bank;
    const scores = new Float32Array(2 * sites * n);
    for (let row = 0; row < 2 * sites; row++) {
      if (mode === 'soft') for (let j = 0; j < n; j++) scores[row * n + j] = 2 * rng.normal();
      else {
        const picks = new Set<number>();
        while (picks.size < 3) picks.add(Math.floor(rng.uniform() * n));
        for (const j of picks) scores[row * n + j] = 1;
      }
    }
    const d = model.config.hiddenSize;
    const head = { inputs: d, outputs: 2, weight: rng.normals(2 * d, 0.5), bias: rng.normals(2, 0.1) };
    return Profile.fromBytes(
      encodeProfile({
        mode,
        placement: engine.bank.placement,
        sites,
        n,
        k: mode === 'hard' ? 3 : 0,
        modelFingerprint: model.fingerprint,
        bankFingerprint: engine.bank.fingerprint,
        scores,
        head,
      }),
    );
  }

  async function expectSame(got: Prediction[], want: Prediction[]): Promise<void> {
    expect(got.length).toBe(want.length);
    got.forEach((g, i) => {
      const w = want[i]! as { label: string; probabilities: number[] };
      expect((g as typeof w).label).toBe(w.label);
      for (const [j, p] of (g as typeof w).probabilities.entries())
        expect(Math.abs(p - w.probabilities[j]!)).toBeLessThan(1e-5);
    });
  }

  for (const mode of ['hard', 'soft'] as const) {
    it(`equals one predict call per profile (${mode} masks, 40 profiles: more than the cache holds)`, async () => {
      const profiles = Array.from({ length: 40 }, (_, i) => randomProfile(100 + i, mode));
      const items = profiles.flatMap((profile, i) => [
        { profile, text: texts[i % texts.length]! },
        { profile, text: texts[(i + 3) % texts.length]! },
      ]);
      const want = await Promise.all(
        items.map(async (it) => (await engine.predict(it.profile, [it.text]))[0]!),
      );
      await expectSame(await engine.predictMany(items, { batchSize: 7 }), want);
      // The profiles really differ, so a mix-up of adapters or heads would show.
      const first = want.map((p) => (p as { probabilities: number[] }).probabilities[0]!);
      expect(new Set(first.map((v) => v.toFixed(4))).size).toBeGreaterThan(30);
    });
  }

  it('leaves no tensors behind, with cached and with uncached adapters', async () => {
    const few = Array.from({ length: 4 }, (_, i) => randomProfile(200 + i, 'hard'));
    const many = Array.from({ length: 40 }, (_, i) => randomProfile(300 + i, 'hard'));
    for (const profiles of [few, many]) {
      const items = profiles.map((profile, i) => ({ profile, text: texts[i % texts.length]! }));
      await engine.predictMany(items); // fills the adapter cache
      const before = tf.memory().numTensors;
      await engine.predictMany(items);
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('refuses an empty list and a foreign profile', async () => {
    await expect(engine.predictMany([])).rejects.toThrow(EngineError);
    const foreign = Profile.fromBytes(
      encodeProfile({ ...randomProfile(1, 'hard').data, bankFingerprint: 'c'.repeat(64) }),
    );
    await expect(engine.predictMany([{ profile: foreign, text: 'x' }])).rejects.toThrow(/adapter bank/);
  });
});
