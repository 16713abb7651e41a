// Trained banks: adapter-tune source profiles (real POPQUORN annotators) on a tiny model, save the bank
// file, load it into an engine from a folder, and train a target profile against it.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readPopquorn } from '../eval/popquorn';
import { Engine, EngineError, LanguageModel, saveBankFile, type Task, useBackend } from '../src/advanced';
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
    for (const p of predictions) expect('value' in p && Number.isFinite(p.value)).toBe(true);
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
    expect(p && 'value' in p && Number.isFinite(p.value)).toBe(true);
    engine.dispose();
  });
});
