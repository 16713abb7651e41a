// X-PEFT end to end on a tiny random BERT: training lowers the loss, profiles round-trip exactly,
// only the mask (and head) change, memory stays flat, cancellation keeps the old profile, errors are typed.

import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Engine,
  EngineError,
  type Example,
  encodeProfile,
  evaluateProfile,
  fitSharedHead,
  HistoryError,
  LanguageModel,
  MAX_HISTORY,
  MaskConfigError,
  Profile,
  ProfileMismatchError,
  readBankArrays,
  useBackend,
} from '../src/advanced';
import { composeAdapters } from '../src/xpeft/compose';
import { headTensors } from '../src/xpeft/head';
import { MIN_HELD_OUT, splitHeldOut } from '../src/xpeft/held-out';
import { maskWeights } from '../src/xpeft/mask';
import { heldOutLoss } from '../src/xpeft/metrics';
import { predictOutputs } from '../src/xpeft/predict';
import { encodeHistory } from '../src/xpeft/task';
import { SENTIMENT, sst2Examples } from './helpers/sst2';
import { TINY_CONFIG, writeTinyModel } from './helpers/tiny-model';

const N = 16;
const K = 4;
const history: Example[] = sst2Examples('train', 48);
const probe = sst2Examples('dev', 12).map((e) => e.text);

describe('X-PEFT engine on a tiny model', () => {
  let model: LanguageModel;
  let engine: Engine;

  beforeAll(async () => {
    await useBackend('cpu');
    model = await LanguageModel.load({ kind: 'dir', path: writeTinyModel({ seed: 21 }) });
    engine = await Engine.load({ model, bank: { kind: 'random', seed: 7, n: N, r: 4 }, task: SENTIMENT });
  });
  afterAll(() => {
    engine.dispose();
    model.dispose();
  });

  const fast = { epochs: 6, batchSize: 8, heldOutFraction: 0, mask: { mode: 'hard' as const, k: K } };

  it('lowers the training loss and stores exactly k bits per row', async () => {
    const { profile, report } = await engine.train(history, { ...fast, epochs: 12 });
    expect(report.epochLosses.at(-1)!).toBeLessThan(report.epochLosses[0]! * 0.9);
    const { scores, sites, n } = profile.data;
    expect(sites).toBe(TINY_CONFIG.numLayers);
    for (let row = 0; row < 2 * sites; row++) {
      const bits = scores.subarray(row * n, (row + 1) * n);
      expect(bits.filter((b) => b === 1).length).toBe(K);
      expect(bits.every((b) => b === 0 || b === 1)).toBe(true);
    }
    expect(profile.sizes().masks).toBe(Math.ceil((2 * sites * N) / 8));
  });

  for (const mode of ['hard', 'soft'] as const) {
    it(`reproduces the logits exactly after a save/load round trip (${mode})`, async () => {
      const { profile } = await engine.train(history, { ...fast, epochs: 2, mask: { mode, k: K } });
      const before = engine.outputs(profile, probe);
      const viaBytes = engine.importProfile(profile.toBytes());
      const viaString = engine.importProfile(profile.toString());
      const fromBytes = engine.outputs(viaBytes, probe);
      const fromString = engine.outputs(viaString, probe);
      expect(Array.from(fromBytes.dataSync())).toEqual(Array.from(before.dataSync()));
      expect(Array.from(fromString.dataSync())).toEqual(Array.from(before.dataSync()));
      tf.dispose([before, fromBytes, fromString]);
    });
  }

  it('changes only the mask and the head: bank, model and shared head stay as they were', async () => {
    const bankBefore = await readBankArrays(engine.bank);
    const plainBefore = await model.embed(probe);
    await fitSharedHead(engine, history, { epochs: 3, heldOutFraction: 0 });
    const shared = engine.sharedHead!;
    const sharedCopy = Float32Array.from(shared.weight);
    const { profile, report } = await engine.train(history, { ...fast, head: 'shared' });
    expect(profile.head).toBeUndefined();
    // With the head fixed, the mask alone lowers the loss.
    expect(report.epochLosses.at(-1)!).toBeLessThan(report.epochLosses[0]!);
    expect(Array.from(engine.sharedHead!.weight)).toEqual(Array.from(sharedCopy));
    const bankAfter = await readBankArrays(engine.bank);
    expect(Array.from(bankAfter.down)).toEqual(Array.from(bankBefore.down));
    expect(Array.from(bankAfter.up)).toEqual(Array.from(bankBefore.up));
    expect(await model.embed(probe)).toEqual(plainBefore);
    // The shared-head profile is 2·sites·N bits plus the header: nothing else is per user.
    expect(profile.sizes().head).toBe(0);
    engine.sharedHead = undefined;
  });

  it("passes softmax's gradient straight through the hard top-k mask", () => {
    const scores = tf.variable(tf.tensor2d([[0.3, -0.1, 0.2, 0.05, -0.4]]));
    const target = tf.tensor2d([[1, -2, 0.5, 0, 3]]);
    const { grads, value } = tf.variableGrads(
      () => tf.sum(tf.mul(maskWeights(scores, { mode: 'hard', k: 2 }), target)) as tf.Scalar,
      [scores],
    );
    const softmaxGrad = tf.grad((s: tf.Tensor) => tf.sum(tf.mul(tf.softmax(s), target)))(scores);
    const g = Array.from(grads[scores.name]!.dataSync());
    expect(g.some((v) => v !== 0)).toBe(true);
    const expected = Array.from(softmaxGrad.dataSync());
    for (const [i, v] of g.entries()) expect(v).toBeCloseTo(expected[i]!, 6);
    // Forward is the top-2 indicator / 2 (scores 0.3 and 0.2), whatever the gradient path.
    expect(Array.from(tf.tidy(() => maskWeights(scores, { mode: 'hard', k: 2 }).dataSync()))).toEqual([
      0.5, 0, 0.5, 0, 0,
    ]);
    tf.dispose([scores, target, value, softmaxGrad, ...Object.values(grads)]);
  });

  it('stores the very selection training used: the hard profile predicts like the trained scores', async () => {
    const { profile, report } = await engine.train(history, { ...fast, epochs: 2 });
    const { sites, n } = profile.data;
    const fromScores = tf.tidy(() => {
      const spec = { mode: 'hard' as const, k: K };
      const set = composeAdapters(
        engine.bank,
        maskWeights(tf.tensor2d(report.values.scoresA!, [sites, n]), spec),
        maskWeights(tf.tensor2d(report.values.scoresB!, [sites, n]), spec),
      );
      return predictOutputs(model, () => set, headTensors(profile.head!), probe, 64);
    });
    const fromProfile = engine.outputs(profile, probe);
    // Equal up to float summation order: inference averages the k selected adapters on the CPU,
    // training multiplies k-hot/k weights with the whole bank. Another selection would differ by far more.
    const want = fromScores.dataSync();
    fromProfile.dataSync().forEach((v, i) => {
      expect(Math.abs(v - want[i]!)).toBeLessThan(1e-6);
    });
    tf.dispose([fromScores, fromProfile]);
  });

  it('trains a bank with sites in the upper layers only from cached lower states, as a full pass scores it', async () => {
    const upper = await Engine.load({
      model,
      bank: { kind: 'random', seed: 7, n: N, r: 4, firstLayer: 1 },
      task: SENTIMENT,
    });
    const before = tf.memory().numTensors;
    const options = { ...fast, heldOutFraction: 0.25, patience: 6 };
    const { profile, report } = await upper.train(history, options);
    expect(tf.memory().numTensors).toBe(before); // the cache is freed with the run
    expect(profile.data.sites).toBe(1);
    expect(report.epochLosses.at(-1)!).toBeLessThan(report.epochLosses[0]!);
    // The held-out loss training chose on came from cached states; a full pass over the same selection
    // and head gives the same loss.
    const { heldOut } = splitHeldOut(
      encodeHistory(SENTIMENT, history),
      options.heldOutFraction,
      0,
      SENTIMENT,
    );
    expect(report.bestEpoch).toBeGreaterThan(0);
    const full = tf.tidy(() => {
      const spec = { mode: 'hard' as const, k: K };
      const set = composeAdapters(
        upper.bank,
        maskWeights(tf.tensor2d(report.values.scoresA!, [1, N]), spec),
        maskWeights(tf.tensor2d(report.values.scoresB!, [1, N]), spec),
      );
      const head = headTensors(report.values.head!);
      return predictOutputs(
        model,
        () => set,
        head,
        heldOut.map((e) => e.text),
        64,
      );
    });
    const loss = heldOutLoss(SENTIMENT, full.dataSync() as Float32Array, heldOut);
    expect(Math.abs(loss - report.heldOutLoss[report.bestEpoch - 1]!)).toBeLessThan(1e-5);
    full.dispose();
    upper.dispose();
  });

  it('is deterministic for a given seed', async () => {
    const a = await engine.train(history, { ...fast, epochs: 1, seed: 3 });
    const b = await engine.train(history, { ...fast, epochs: 1, seed: 3 });
    const c = await engine.train(history, { ...fast, epochs: 1, seed: 4 });
    expect(a.profile.toBytes()).toEqual(b.profile.toBytes());
    expect(c.profile.toBytes()).not.toEqual(a.profile.toBytes());
  });

  it('keeps tensor count and bytes flat over 200 training steps', async () => {
    const memory: { numTensors: number; numBytes: number }[] = [];
    const before = tf.memory().numTensors;
    await engine.train(history.slice(0, 32), {
      ...fast,
      epochs: 50,
      batchSize: 8, // 4 steps per epoch → 200 steps
      onProgress: (p) => {
        if (p.step === 10 || p.step === 200)
          memory.push({ numTensors: tf.memory().numTensors, numBytes: tf.memory().numBytes });
      },
    });
    expect(memory).toHaveLength(2);
    expect(memory[1]).toEqual(memory[0]);
    expect(tf.memory().numTensors).toBe(before); // and nothing is left behind afterwards
  }, 300_000); // 200 steps and 50 selection passes on the history

  it('reports progress and early-stops on a held-out split', async () => {
    const events: number[] = [];
    const { report } = await engine.train(history, {
      ...fast,
      epochs: 30,
      heldOutFraction: 0.25,
      patience: 2,
      onProgress: (p) => events.push(p.step),
    });
    expect(events[0]).toBe(1);
    expect(report.heldOut.length).toBe(report.epochLosses.length);
    // The kept epoch is the one with the lowest held-out loss, and training stopped 2 epochs after it.
    const best = report.heldOutLoss.indexOf(Math.min(...report.heldOutLoss)) + 1;
    expect(report.bestEpoch).toBe(best);
    expect(report.epochLosses.length).toBeLessThan(30);
    expect(report.epochLosses.length).toBe(best + 2);
  });

  it('raises the epochs of a short history to reach minSteps, and no further', async () => {
    const short = history.slice(0, 12); // 2 steps an epoch at batch 8
    const totals: number[] = [];
    const { report } = await engine.train(short, {
      ...fast,
      epochs: 1,
      minSteps: 7,
      onProgress: (p) => totals.push(p.totalSteps),
    });
    expect(report.steps).toBe(8); // 4 epochs of 2 steps: the fewest that reach 7
    expect(report.epochLosses.length).toBe(4);
    expect(new Set(totals)).toEqual(new Set([8]));
    const long = await engine.train(short, { ...fast, epochs: 5, minSteps: 7 });
    expect(long.report.steps).toBe(10); // epochs already give more steps
  });

  it('starts the mask from given scores: a selection that tiny steps cannot move is kept', async () => {
    const { profile: given } = await engine.train(history, { ...fast, epochs: 2, seed: 3 });
    const still = { ...fast, epochs: 2, seed: 4, learningRates: { mask: 1e-6 } };
    const { profile: kept } = await engine.train(history, { ...still, startScores: given.data.scores });
    expect(kept.data.scores).toEqual(given.data.scores);
    const { profile: fresh } = await engine.train(history, still);
    expect(fresh.data.scores).not.toEqual(given.data.scores);
    await expect(engine.train(history, { startScores: new Float32Array(3) })).rejects.toThrowError(
      /startScores must be \d+ finite numbers/,
    );
    await expect(
      engine.train(history, { method: 'adapter', startScores: given.data.scores }),
    ).rejects.toThrowError(/adapter has no mask/);
  });

  it('cancels with an AbortSignal and leaves the previous profile untouched', async () => {
    const { profile } = await engine.train(history, { ...fast, epochs: 1 });
    const saved = profile.toBytes();
    const before = engine.outputs(profile, probe);
    const controller = new AbortController();
    const tensorsBefore = tf.memory().numTensors;
    await expect(
      engine.train(history, {
        ...fast,
        onProgress: (p) => p.step === 3 && controller.abort(),
        signal: controller.signal,
      }),
    ).rejects.toThrowError(/cancel|abort/i);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(profile.toBytes()).toEqual(saved);
    const after = engine.outputs(profile, probe);
    expect(Array.from(after.dataSync())).toEqual(Array.from(before.dataSync()));
    tf.dispose([before, after]);
  });

  it('trains the baselines in the same code path', async () => {
    const { r, hiddenSize: d } = { r: engine.bank.r, hiddenSize: TINY_CONFIG.hiddenSize };
    const adapter = await engine.train(history, { ...fast, method: 'adapter' });
    expect(adapter.report.epochLosses.at(-1)!).toBeLessThan(adapter.report.epochLosses[0]!);
    expect(adapter.profile.bytes.adapter).toBe(4 * engine.bank.sites * (2 * d * r + r + d));
    const headOnly = await engine.train(history, { ...fast, method: 'head-only' });
    expect(headOnly.profile.bytes.adapter).toBe(0);
    expect(headOnly.profile.bytes.head).toBe(4 * (d * 2 + 2));
    await fitSharedHead(engine, history, { epochs: 1, heldOutFraction: 0 });
    const frozen = await engine.train(history, { method: 'frozen' });
    expect(frozen.report.steps).toBe(0);
    for (const p of [adapter.profile, headOnly.profile, frozen.profile]) {
      const predictions = await engine.predict(p, probe);
      expect(predictions).toHaveLength(probe.length);
      for (const pr of predictions)
        expect(
          pr.kind === 'label' && SENTIMENT.kind === 'classification' && SENTIMENT.labels.includes(pr.label),
        ).toBe(true);
    }
    engine.sharedHead = undefined;
  });

  it('refuses a profile trained for another bank, naming both fingerprints', async () => {
    const { profile } = await engine.train(history, { ...fast, epochs: 1 });
    const other = await Engine.load({
      model,
      bank: { kind: 'random', seed: 8, n: N, r: 4 },
      task: SENTIMENT,
    });
    try {
      expect(() => other.importProfile(profile.toBytes())).toThrowError(ProfileMismatchError);
      expect(() => other.importProfile(profile.toBytes())).toThrowError(
        new RegExp(`${engine.bank.fingerprint}.*${other.bank.fingerprint}`),
      );
      await expect(other.predict(Profile.fromBytes(profile.toBytes()), probe)).rejects.toThrowError(
        ProfileMismatchError,
      );
    } finally {
      other.dispose();
    }
  });

  it('refuses a profile whose head does not fit the task', async () => {
    const { profile } = await engine.train(history, { ...fast, epochs: 1 });
    const threeWay = await Engine.load({
      model,
      bank: { kind: 'random', seed: 7, n: N, r: 4 },
      task: { kind: 'classification', labels: ['a', 'b', 'c'] },
    });
    try {
      expect(threeWay.bank.fingerprint).toBe(engine.bank.fingerprint);
      expect(() => threeWay.importProfile(profile.toBytes())).toThrowError(/head is 32→2; .* need 32→3/);
    } finally {
      threeWay.dispose();
    }
  });

  it('clamps a rating to the task’s scale, and answers a non-finite output with an error', async () => {
    const d = TINY_CONFIG.hiddenSize;
    const rating = await Engine.load({
      model,
      bank: { kind: 'random', seed: 7, n: N, r: 4 },
      task: { kind: 'regression', scale: { min: 1, max: 5 } },
    });
    const frozen = (bias: number) => ({
      method: 'frozen' as const,
      head: { inputs: d, outputs: 1, weight: new Float32Array(d), bias: Float32Array.of(bias) },
      bytes: { adapter: 0, head: 0, total: 0 },
    });
    try {
      expect(await rating.predict(frozen(-0.4), probe.slice(0, 2))).toEqual([
        { kind: 'value', value: 1 },
        { kind: 'value', value: 1 },
      ]);
      expect(await rating.predict(frozen(9), probe.slice(0, 1))).toEqual([{ kind: 'value', value: 5 }]);
      expect(await rating.predict(frozen(3.5), probe.slice(0, 1))).toEqual([{ kind: 'value', value: 3.5 }]);
      const before = tf.memory().numTensors;
      await expect(rating.predict(frozen(Number.NaN), probe.slice(0, 2))).rejects.toThrow(
        /The answer for text 0 is NaN, not a number/,
      );
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      rating.dispose();
    }
  });

  it('predicts without leaking tensors', async () => {
    const { profile } = await engine.train(history, { ...fast, epochs: 1 });
    await engine.predict(profile, probe); // composes and caches the profile's adapters
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await engine.predict(profile, probe);
    await evaluateProfile(engine, profile, history.slice(0, 8));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('holds out a stratified split only when it is large enough to stop on', () => {
    const examples = (count: number) =>
      Array.from({ length: count }, (_, i) => ({ text: `t${i}`, target: i % 2 }));
    expect(splitHeldOut(examples(20), 0.2, 0, SENTIMENT).heldOut).toHaveLength(0); // 4 < MIN_HELD_OUT
    const split = splitHeldOut(examples(60), 0.2, 0, SENTIMENT);
    expect(split.heldOut.length).toBeGreaterThanOrEqual(MIN_HELD_OUT);
    expect(split.heldOut.length + split.train.length).toBe(60);
    expect(new Set(split.heldOut.map((e) => e.target))).toEqual(new Set([0, 1]));
    const regression = splitHeldOut(examples(60), 0.25, 0, { kind: 'regression' });
    expect(regression.heldOut).toHaveLength(15);
  });

  it('keeps site states across trainings and predictions with the same results as without', async () => {
    const regression = { kind: 'regression' } as const;
    const rated = history.map((e, i) => ({ text: e.text, label: (i % 7) - 3 }));
    const bank = { kind: 'random', seed: 3, n: N, r: 4, firstLayer: 1 } as const;
    const plain = await Engine.load({ model, bank, task: regression });
    const kept = await Engine.load({ model, bank, task: regression, keepSiteStates: true });
    try {
      const sharedHead = (await fitSharedHead(plain, rated, { epochs: 2, heldOutFraction: 0 })).values.head!;
      kept.sharedHead = sharedHead;
      const options = [
        { ...fast, epochs: 2, head: 'offset' as const },
        { method: 'adapter' as const, epochs: 2, batchSize: 8, heldOutFraction: 0, head: 'shared' as const },
        {
          method: 'head-only' as const,
          epochs: 2,
          batchSize: 8,
          heldOutFraction: 0,
          head: 'profile' as const,
        },
        { method: 'frozen' as const, head: 'shared' as const },
      ];
      const before = tf.memory().numTensors;
      for (const o of options) {
        const [a, b] = [await plain.train(rated, o), await kept.train(rated, o)];
        expect(b.report.epochLosses.length).toBe(a.report.epochLosses.length);
        for (const [i, loss] of a.report.epochLosses.entries())
          expect(Math.abs(b.report.epochLosses[i]! - loss)).toBeLessThan(1e-4);
        const [x, y] = [plain.outputs(a.profile, probe), kept.outputs(b.profile, probe)];
        const [xs, ys] = [await x.data(), await y.data()];
        for (const [i, v] of xs.entries()) expect(Math.abs(ys[i]! - v)).toBeLessThan(1e-4);
        tf.dispose([x, y]);
      }
      // The states stay for the engine's life (every text once per site), and go with it.
      expect(tf.memory().numTensors).toBeGreaterThan(before);
    } finally {
      plain.dispose();
      const held = tf.memory().numTensors;
      kept.dispose();
      expect(tf.memory().numTensors).toBeLessThan(held);
    }
  });

  it("trains a mask over the adapters' outputs, stores it as such, and batches it with others", async () => {
    const outputsMix = { ...fast, mask: { mode: 'hard' as const, k: K, mix: 'outputs' as const } };
    const { profile, report } = await engine.train(history, { ...outputsMix, epochs: 12 });
    expect(report.epochLosses.at(-1)!).toBeLessThan(report.epochLosses[0]! * 0.9);
    expect(profile.data.mix).toBe('outputs');
    const back = Profile.fromBytes(profile.toBytes());
    expect(back.data.mix).toBe('outputs');
    expect(back.sizes()).toEqual(profile.sizes()); // the same bits: one flag says how they combine
    const [a, b] = [await engine.predict(profile, probe), await engine.predict(back, probe)];
    expect(b).toEqual(a);
    // A profile that mixes weights is another function of the same bits.
    const sameBits = Profile.fromBytes(encodeProfile({ ...profile.data, mix: undefined }));
    expect(await engine.predict(sameBits, probe)).not.toEqual(a);
    // Batched with a weights profile (bottlenecks of other widths), each answers as it does alone.
    const many = await engine.predictMany(
      probe.flatMap((text) => [
        { profile, text },
        { profile: sameBits, text },
      ]),
    );
    const alone = await engine.predict(sameBits, probe);
    for (const [i, p] of a.entries()) {
      const [x, y] = [many[2 * i]!, many[2 * i + 1]!];
      if (!('probabilities' in x && 'probabilities' in p && 'probabilities' in y))
        throw new Error('not classification');
      const q = alone[i]! as typeof p;
      for (const [j, v] of p.probabilities.entries()) {
        expect(Math.abs(x.probabilities[j]! - v)).toBeLessThan(1e-4);
        expect(Math.abs(y.probabilities[j]! - q.probabilities[j]!)).toBeLessThan(1e-4);
      }
    }
  });

  it('rejects bad histories and options with typed errors', async () => {
    const cases: [Example[], RegExp][] = [
      [[], /history is empty/],
      [
        [
          { text: 'good', label: 'positive' },
          { text: 'fine', label: 'positive' },
        ],
        /only the label "positive"/,
      ],
      [
        [
          { text: 'good', label: 'positive' },
          { text: 'bad', label: 'meh' },
        ],
        /Example 1: label "meh" is not one of "negative", "positive"/,
      ],
      [
        [
          { text: 'good', label: 'positive' },
          { text: '  ', label: 'negative' },
        ],
        /Example 1: text is empty/,
      ],
    ];
    for (const [h, message] of cases) {
      await expect(engine.train(h)).rejects.toThrowError(HistoryError);
      await expect(engine.train(h)).rejects.toThrowError(message);
    }
    const huge = Array.from({ length: MAX_HISTORY + 1 }, (_, i) => ({
      text: 'x',
      label: i % 2 ? 'positive' : 'negative',
    }));
    await expect(engine.train(huge)).rejects.toThrowError(`at most ${MAX_HISTORY}`);
    await expect(engine.train(history, { mask: { mode: 'hard', k: N + 1 } })).rejects.toThrowError(
      MaskConfigError,
    );
    await expect(engine.train(history, { head: 'shared' })).rejects.toThrowError(EngineError);
    await expect(engine.train(history, { epochs: 0 })).rejects.toThrowError(
      /epochs must be an integer ≥ 1; got 0/,
    );
    await expect(engine.train(history, { minSteps: -1 })).rejects.toThrowError(
      /minSteps must be an integer ≥ 0; got -1/,
    );
    await expect(
      engine.predict(
        Profile.fromBytes((await engine.train(history, { ...fast, epochs: 1 })).profile.toBytes()),
        [],
      ),
    ).rejects.toThrowError(/empty list/);
  });
});
