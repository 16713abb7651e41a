// Trained banks: adapter-tune source profiles (real POPQUORN annotators) on a tiny model, save the bank
// file, load it into an engine from a folder, and train a target profile against it.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readPopquorn } from '../eval/popquorn';
import { Engine, EngineError, LanguageModel, saveBankFile, type Task, useBackend } from '../src/advanced';
import { disposeBank } from '../src/bank/bank';
import { buildTrainedBank } from '../src/training/bank-builder';
import { writeTinyModel } from './helpers/tiny-model';

const RATING: Task = { kind: 'regression' };

describe('trained bank from POPQUORN annotators', () => {
  const annotators = readPopquorn();
  let model: LanguageModel;
  beforeAll(async () => {
    await useBackend('cpu');
    model = await LanguageModel.load({ kind: 'dir', path: writeTinyModel({ seed: 31 }) });
  });

  it('builds one adapter per source, saves it with its head and provenance, and serves a target profile', async () => {
    const sources = annotators.slice(0, 3).map((a) => ({ id: a.id, history: a.history.slice(0, 16) }));
    const progress: number[] = [];
    const built = await buildTrainedBank(model, RATING, sources, {
      r: 4,
      adapterTraining: { epochs: 1, batchSize: 8, heldOutFraction: 0, maxLength: 32 },
      headTraining: { epochs: 2, batchSize: 16, heldOutFraction: 0, maxLength: 32 },
      onProgress: (p) => progress.push(p.done),
    });
    expect(progress).toEqual([1, 2, 3]);
    expect(built.bank.n).toBe(3);
    expect(built.bank.kind).toBe('trained');
    expect(JSON.parse(built.info.trainedOn).sources).toEqual(['0', '1', '2']);
    // Adapter tuning moved the up projections away from their zero initialisation.
    expect((await built.bank.up.abs().sum().data())[0]).toBeGreaterThan(0);

    const dir = mkdtempSync(join(tmpdir(), 'xpeft-bank-'));
    writeFileSync(join(dir, 'bank.safetensors'), await saveBankFile(built.bank, built.info, built.head));
    const engine = await Engine.load({
      model,
      bank: { kind: 'file', source: { kind: 'dir', path: dir }, file: 'bank.safetensors' },
      task: RATING,
    });
    expect(engine.bank.fingerprint).toBe(built.bank.fingerprint);
    expect(Array.from(engine.sharedHead!.weight)).toEqual(Array.from(built.head.weight));
    const target = annotators[10]!.history;
    const { profile } = await engine.train(target.slice(0, 20), {
      head: 'shared',
      mask: { mode: 'hard', k: 2 },
      epochs: 2,
      batchSize: 8,
      heldOutFraction: 0,
      maxLength: 32,
    });
    expect(profile.sizes().head).toBe(0);
    const predictions = await engine.predict(
      profile,
      target.slice(20, 24).map((e) => e.text),
    );
    for (const p of predictions) expect(p.kind === 'value' && Number.isFinite(p.value)).toBe(true);
    engine.dispose();

    // The same file is refused by a different model.
    const other = await LanguageModel.load({ kind: 'dir', path: writeTinyModel({ seed: 32 }) });
    await expect(
      Engine.load({
        model: other,
        bank: { kind: 'file', source: { kind: 'dir', path: dir }, file: 'bank.safetensors' },
        task: RATING,
      }),
    ).rejects.toThrowError(EngineError);
    other.dispose();
  });

  it('builds a bank with sites in the upper layer only, whose profiles predict through every layer', async () => {
    const sources = annotators.slice(0, 2).map((a) => ({ id: a.id, history: a.history.slice(0, 16) }));
    const built = await buildTrainedBank(model, RATING, sources, {
      r: 4,
      firstLayer: 1,
      adapterTraining: { epochs: 1, batchSize: 8, heldOutFraction: 0, maxLength: 32 },
      headTraining: { epochs: 1, batchSize: 16, heldOutFraction: 0, maxLength: 32 },
    });
    expect([built.bank.sites, built.bank.firstLayer]).toEqual([1, 1]);
    expect((await built.bank.up.abs().sum().data())[0]).toBeGreaterThan(0);
    const engine = await Engine.load({
      model,
      bank: { kind: 'bank', bank: built.bank, head: built.head },
      task: RATING,
    });
    const target = annotators[10]!.history;
    const options = {
      head: 'shared',
      mask: { mode: 'hard', k: 1 },
      epochs: 1,
      heldOutFraction: 0,
      maxLength: 32,
    } as const;
    const { profile } = await engine.train(target.slice(0, 12), options);
    expect(profile.data.sites).toBe(1);
    const [p] = await engine.predict(profile, [target[20]!.text as string]);
    expect(p?.kind === 'value' && Number.isFinite(p.value)).toBe(true);
    engine.dispose();
  });

  it('with source biases, a source who rates everything alike leaves their adapter near zero', async () => {
    // A source 2 points above the shared head on every text: without a bias of their own, their
    // adapter must learn the shift; with one, the bias starts at the mean residual and takes it.
    const texts = annotators[0]!.history.slice(0, 16);
    const sources = [{ id: 'harsh', history: texts.map((e) => ({ ...e, label: 4 })) }];
    const d = model.config.hiddenSize;
    const weight = Float32Array.from({ length: d }, (_, i) => 0.1 * Math.sin(i));
    const head = { inputs: d, outputs: 1, weight, bias: Float32Array.of(2) };
    const upMass = async (sourceBias: boolean) => {
      const built = await buildTrainedBank(model, RATING, sources, {
        r: 4,
        sourceBias,
        head: { weights: head, fittedOn: 'a constant head' },
        adapterTraining: {
          epochs: 3,
          batchSize: 8,
          heldOutFraction: 0,
          maxLength: 32,
          learningRates: { adapter: 1e-2 },
        },
      });
      const mass = (await built.bank.up.abs().sum().data())[0]!;
      const recorded = JSON.parse(built.info.trainedOn).sourceBias;
      disposeBank(built.bank);
      return { mass, recorded };
    };
    const alone = await upMass(false);
    const biased = await upMass(true);
    expect([alone.recorded, biased.recorded]).toEqual([undefined, true]);
    expect(biased.mass).toBeLessThan(0.5 * alone.mass);
  });
});
