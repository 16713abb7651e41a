// Where training starts and what it keeps: heads start where the data is (regression at the mean target,
// classification at the log priors); a personal bias offset over the shared head starts at the person's
// mean residual, trains, and round-trips; without a held-out split X-PEFT never ends worse on the
// person's own data than the selection it started from.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Engine,
  EngineError,
  type Example,
  evaluateProfile,
  fitSharedHead,
  LanguageModel,
  ProfileMismatchError,
  useBackend,
} from '../src/advanced';
import { dataBias, residualBias } from '../src/xpeft/head';
import type { Task } from '../src/xpeft/task';
import { SENTIMENT, sst2Examples } from './helpers/sst2';
import { writeTinyModel } from './helpers/tiny-model';

const REGRESSION: Task = { kind: 'regression' };
const texts = sst2Examples('train', 40).map((e) => e.text);
// Ratings near 3.3 with spread, as on a 1–5 scale: a zero-bias head would start at a loss near 12.
const ratings: Example[] = texts.map((text, i) => ({ text, label: 1 + ((i * 7) % 5) + (i % 3) * 0.2 }));
const variance = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length;
};

describe('head starting points', () => {
  it('dataBias is the mean target or the smoothed log priors', () => {
    const reg = dataBias(
      REGRESSION,
      [1, 2, 6].map((target) => ({ text: 'x', target })),
    );
    expect(Array.from(reg)).toEqual([3]);
    const cls = dataBias(
      SENTIMENT,
      [0, 1, 1, 1].map((target) => ({ text: 'x', target })),
    );
    expect(cls[0]).toBeCloseTo(Math.log(2 / 6), 6);
    expect(cls[1]).toBeCloseTo(Math.log(4 / 6), 6);
  });

  it('residualBias removes the mean error', () => {
    const examples = [4, 5].map((target) => ({ text: 'x', target }));
    expect(
      Array.from(residualBias(REGRESSION, Float32Array.of(2, 2), examples, Float32Array.of(0.5))),
    ).toEqual([3]);
    // Uniform predictions for a 1:3 person: the logits move to the person's log priors.
    const cls = [0, 1, 1, 1].map((target) => ({ text: 'x', target }));
    const shifted = residualBias(SENTIMENT, new Float32Array(8), cls, new Float32Array(2));
    expect(shifted[1]! - shifted[0]!).toBeCloseTo(Math.log(4 / 2), 5);
  });
});

describe('training from a data-centred head on a tiny model', () => {
  let model: LanguageModel;
  let engine: Engine;
  let classifier: Engine;

  beforeAll(async () => {
    await useBackend('cpu');
    model = await LanguageModel.load({ kind: 'dir', path: writeTinyModel({ seed: 5 }) });
    engine = await Engine.load({ model, bank: { kind: 'random', seed: 3, n: 8, r: 4 }, task: REGRESSION });
    classifier = await Engine.load({ model, bank: { kind: 'random', seed: 3, n: 8, r: 4 }, task: SENTIMENT });
  });
  afterAll(() => {
    engine.dispose();
    classifier.dispose();
    model.dispose();
  });

  const oneBatch = { epochs: 1, batchSize: 40, heldOutFraction: 0, maxLength: 32 };

  it("starts a regression head's loss near the targets' variance", async () => {
    const losses: number[] = [];
    await engine.train(ratings, { ...oneBatch, method: 'head-only', onProgress: (p) => losses.push(p.loss) });
    const v = variance(ratings.map((e) => e.label as number));
    expect(losses[0]!).toBeGreaterThan(0.8 * v);
    expect(losses[0]!).toBeLessThan(1.2 * v);
  });

  it("starts a classifier's loss near the entropy of its class priors", async () => {
    const skewed: Example[] = sst2Examples('train', 40).map((e, i) => ({
      ...e,
      label: i % 4 ? 'positive' : 'negative',
    }));
    const losses: number[] = [];
    await classifier.train(skewed, {
      ...oneBatch,
      method: 'head-only',
      onProgress: (p) => losses.push(p.loss),
    });
    const entropy = -(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75)); // 0.56, not ln 2 = 0.69
    expect(Math.abs(losses[0]! - entropy)).toBeLessThan(0.03);
  });

  it('a bias offset starts at the mean residual, round-trips, and predicts as shared head + offset', async () => {
    await fitSharedHead(engine, ratings, { ...oneBatch, epochs: 3 });
    const shifted = ratings.map((e) => ({ ...e, label: (e.label as number) - 1.5 }));
    const frozen = await engine.train(shifted, { ...oneBatch, method: 'frozen', head: 'shared' });
    const [plain] = await engine.predict(frozen.profile, [texts[0]!]);
    const offset = await engine.train(shifted, { ...oneBatch, method: 'frozen', head: 'offset' });
    const [moved] = await engine.predict(offset.profile, [texts[0]!]);
    const shift = offset.profile.head.bias[0]! - engine.sharedHead!.bias[0]!;
    expect(shift).toBeLessThan(-1.2);
    expect(shift).toBeGreaterThan(-1.8);
    expect((moved as { value: number }).value - (plain as { value: number }).value).toBeCloseTo(shift, 4);
    expect(offset.profile.bytes.head).toBe(4);

    const { profile } = await engine.train(shifted, {
      ...oneBatch,
      head: 'offset',
      mask: { mode: 'hard', k: 2 },
    });
    expect(profile.data.offset![0]!).toBeLessThan(-1.2);
    expect(profile.sizes().head).toBe(4);
    const back = engine.importProfile(profile.toBytes());
    expect(await engine.predict(back, texts.slice(0, 4))).toEqual(
      await engine.predict(profile, texts.slice(0, 4)),
    );
    // A regression profile's one-value offset does not fit a two-label classifier, even on the same bank.
    expect(() => classifier.importProfile(profile.toBytes())).toThrow(ProfileMismatchError);
  });

  it('without a held-out split, keeps the best selection on the history, the starting one included', async () => {
    const options = {
      ...oneBatch,
      batchSize: 8,
      epochs: 4,
      head: 'shared' as const,
      mask: { mode: 'hard' as const, k: 2 },
    };
    // A vanishing mask learning rate never changes the selection: what it keeps is the starting one.
    const still = await engine.train(ratings, { ...options, learningRates: { mask: 1e-12 } });
    expect(still.report.bestEpoch).toBe(0);
    const trained = await engine.train(ratings, options);
    const mse = async (p: typeof still.profile) => (await evaluateProfile(engine, p, ratings)).value;
    expect(await mse(trained.profile)).toBeLessThanOrEqual((await mse(still.profile)) + 1e-6);
    expect(trained.report.epochLosses).toHaveLength(4); // no early stop on the training history
  });

  it('refuses an offset without a shared head and with head-only tuning', async () => {
    const bare = await Engine.load({
      model,
      bank: { kind: 'random', seed: 3, n: 8, r: 4 },
      task: REGRESSION,
    });
    try {
      await expect(bare.train(ratings, { ...oneBatch, head: 'offset' })).rejects.toThrow(EngineError);
      await expect(
        engine.train(ratings, { ...oneBatch, method: 'head-only', head: 'offset' }),
      ).rejects.toThrow(/head-only tuning trains the head/);
    } finally {
      bare.dispose();
    }
  });
});
