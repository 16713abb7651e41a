// An engine that keeps site states (a tiny model, sites in its last layer): every profile, adapters or
// none, starts from the states at the bank's first site; texts come back in their own order whatever
// order they run in; a kept text never passes the lower layers again.

import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BaselineProfile, Engine, LanguageModel, useBackend } from '../src/advanced';
import { writeTinyModel } from './helpers/tiny-model';

const TEXTS = [
  'a much longer text than the others, with many words in it to make it long',
  'short',
  'a text of middling length',
  'tiny',
];

describe('an engine that keeps site states', () => {
  let model: LanguageModel;
  let kept: Engine;
  let plain: Engine;
  let frozen: BaselineProfile;
  beforeAll(async () => {
    await useBackend('cpu');
    model = await LanguageModel.load({ kind: 'dir', path: writeTinyModel({ seed: 13 }) });
    const d = model.config.hiddenSize;
    const weight = Float32Array.from({ length: d }, (_, i) => Math.sin(i));
    const head = { inputs: d, outputs: 1, weight, bias: Float32Array.of(0.5) };
    const options = {
      bank: { kind: 'random', seed: 3, n: 4, firstLayer: 1 },
      task: { kind: 'regression' },
    } as const;
    kept = await Engine.load({ model, ...options, keepSiteStates: true, sharedHead: head });
    plain = await Engine.load({ model, ...options, sharedHead: head });
    frozen = { method: 'frozen', head, bytes: { adapter: 0, head: 0, total: 0 } };
  });
  afterAll(() => {
    kept.dispose();
    plain.dispose();
    model.dispose();
  });

  const values = async (on: Engine, texts: readonly string[]) => {
    const out = on.outputs(frozen, texts, 32);
    const data = Array.from((await out.data()) as Float32Array);
    out.dispose();
    return data;
  };

  it('answers without adapters from the kept states as a full pass does, in the texts’ order', async () => {
    const [viaSites, full] = [await values(kept, TEXTS), await values(plain, TEXTS)];
    expect(viaSites).toHaveLength(TEXTS.length);
    for (const [i, v] of full.entries()) expect(viaSites[i]).toBeCloseTo(v, 5);
    expect(new Set(full).size).toBe(TEXTS.length); // the texts do differ
  });

  it('runs a kept text through the lower layers once', async () => {
    await values(kept, TEXTS);
    const before = tf.memory().numTensors;
    await values(kept, [...TEXTS].reverse());
    expect(tf.memory().numTensors).toBe(before); // nothing new kept: every text was there
    await values(kept, ['a new one', TEXTS[0]!]);
    // One more text's two site states, and its pooled vector under no adapters (kept as well).
    expect(tf.memory().numTensors).toBe(before + 3);
  });

  it("trains a personal head on each text's pooled vector, computed once and kept", async () => {
    const history = TEXTS.map((text, i) => ({ text: `${text}, once more`, label: i })); // texts new here
    const options = {
      method: 'head-only',
      head: 'profile',
      epochs: 2,
      heldOutFraction: 0,
      maxLength: 32,
    } as const;
    const b = await plain.train(history, options);
    const before = tf.memory().numTensors;
    const a = await kept.train(history, options);
    // Per text, its two site states and its pooled vector, kept; none computed again after.
    expect(tf.memory().numTensors).toBe(before + 3 * TEXTS.length);
    await kept.train(history, options);
    expect(tf.memory().numTensors).toBe(before + 3 * TEXTS.length);
    const [x, y] = [a.profile.head.weight, b.profile.head.weight];
    for (const [i, v] of y.entries()) expect(x[i]).toBeCloseTo(v, 4);
  });
});
