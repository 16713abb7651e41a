// X-PEFT on the real default model and real data: a hard mask (with its own head) trained on 256 SST-2
// sentences must lower its loss and reach at least 70% on 200 dev sentences (chance is 50%).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, evaluateProfile, LanguageModel, useBackend } from '../src/advanced';
import { requireDefaultModel } from './helpers/real-model';
import { SENTIMENT, sst2Examples } from './helpers/sst2';

describe('SST-2 with the real default model', () => {
  let model: LanguageModel;
  let engine: Engine;
  const train = sst2Examples('train', 256);
  const dev = sst2Examples('dev', 200);

  beforeAll(async () => {
    await useBackend('wasm');
    model = await LanguageModel.load({ kind: 'dir', path: requireDefaultModel() });
    engine = await Engine.load({ model, bank: { kind: 'random', seed: 1, n: 100 }, task: SENTIMENT });
  });
  afterAll(() => {
    engine.dispose();
    model.dispose();
  });

  it('trains a hard mask to at least 70% dev accuracy; head-only is printed beside it', {
    timeout: 900_000,
  }, async () => {
    const options = { epochs: 5, batchSize: 16, heldOutFraction: 0, seed: 0 };
    const xpeft = await engine.train(train, { ...options, mask: { mode: 'hard', k: 10 } });
    const losses = xpeft.report.epochLosses;
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.7);
    const accuracy = (await evaluateProfile(engine, xpeft.profile, dev)).value;
    const headOnly = await engine.train(train, { ...options, method: 'head-only' });
    const baseline = (await evaluateProfile(engine, headOnly.profile, dev)).value;
    console.info(
      `SST-2 (256 train, 200 dev): X-PEFT hard k=10 N=100 + head ${(100 * accuracy).toFixed(1)}% ` +
        `(loss ${losses.map((l) => l.toFixed(3)).join(' → ')}, ${(xpeft.report.elapsedMs / 1000).toFixed(0)} s); ` +
        `head-only ${(100 * baseline).toFixed(1)}%; profile ${xpeft.profile.sizes().total} bytes ` +
        `(${xpeft.profile.sizes().masks} mask + ${xpeft.profile.sizes().head} head + ${xpeft.profile.sizes().header} header)`,
    );
    expect(accuracy).toBeGreaterThanOrEqual(0.7);
  });
});
