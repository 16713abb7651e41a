// createPersonalizer in Node: it runs in this thread, trains and predicts like the engine it wraps, takes
// its model and bank from env when given none (never the hub unless allowed), and its profile shelf keeps, renames, exports, imports and deletes profiles, refusing one made for
// another bank before anything is stored.

import 'fake-indexeddb/auto';
import { createStore } from 'idb-keyval';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPersonalizer,
  Engine,
  env,
  type LoadProgress,
  type Personalizer,
  type Profile,
  ProfileMismatchError,
} from '../src/advanced';
import { trackLoad } from '../src/personalizer/progress';
import { SENTIMENT, sst2Examples } from './helpers/sst2';
import { writeTinyModel } from './helpers/tiny-model';

const history = sst2Examples('train', 24);
const texts = sst2Examples('dev', 4).map((e) => e.text as string);
const options = { epochs: 1, batchSize: 8, heldOutFraction: 0, mask: { mode: 'hard' as const, k: 2 } };

describe('createPersonalizer', () => {
  const path = writeTinyModel({ seed: 61 });
  const bank = { kind: 'random' as const, seed: 4, n: 8, r: 4 };
  let personalizer: Personalizer;
  let profile: Profile;

  beforeAll(async () => {
    personalizer = await createPersonalizer({
      model: { kind: 'dir', path },
      bank,
      task: SENTIMENT,
      backend: 'cpu',
      store: createStore('xpeft-personalizer-test', 'profiles'),
    });
    profile = (await personalizer.train(history, options)).profile;
  });
  afterAll(() => personalizer?.dispose());

  it('runs in this thread in Node and answers like the engine it wraps', async () => {
    expect(personalizer.runsIn).toBe('thread');
    const engine = await Engine.load({ model: { kind: 'dir', path }, bank, task: SENTIMENT, backend: 'cpu' });
    try {
      const again = (await engine.train(history, options)).profile;
      expect(again.toBytes()).toEqual(profile.toBytes());
      expect(await personalizer.predict(profile, texts)).toEqual(await engine.predict(again, texts));
    } finally {
      engine.dispose();
    }
  });

  it('keeps profiles: save, list, load, rename, export, import, delete', async () => {
    const { profiles } = personalizer;
    const saved = await profiles.save('Alice', profile, { history });
    expect((await profiles.load(saved.id)).toBytes()).toEqual(profile.toBytes());
    expect(await profiles.history(saved.id)).toEqual(history);
    await profiles.rename(saved.id, 'Alice (home)');
    const text = await profiles.export(saved.id, 'string');
    expect(typeof text).toBe('string');
    const copy = await profiles.import(text, 'Alice again');
    expect((await profiles.list()).map((p) => p.name).sort()).toEqual(['Alice (home)', 'Alice again']);
    await profiles.delete(saved.id);
    expect((await profiles.list()).map((p) => p.id)).toEqual([copy.id]);
  });

  it('takes the model and bank from env when given none, and refuses the hub unless allowed', async () => {
    const saved = { ...env };
    try {
      env.model = { kind: 'dir', path };
      env.bank = bank;
      const fromEnv = await createPersonalizer({ task: SENTIMENT, backend: 'cpu' });
      try {
        const again = (await fromEnv.train(history, options)).profile;
        expect(again.toBytes()).toEqual(profile.toBytes());
      } finally {
        await fromEnv.dispose();
      }
      env.model = { kind: 'hub', id: 'sentence-transformers/all-MiniLM-L6-v2' };
      await expect(createPersonalizer({ task: SENTIMENT, backend: 'cpu' })).rejects.toThrow(
        /Hugging Face hub, which is off: set env.allowHub = true/,
      );
    } finally {
      Object.assign(env, saved);
    }
  });

  it('sees on a shared store only its own model and bank’s profiles, and changes no other', async () => {
    const store = createStore('xpeft-personalizer-shared', 'profiles');
    const mine = await createPersonalizer({
      model: { kind: 'dir', path },
      bank,
      task: SENTIMENT,
      backend: 'cpu',
      store,
    });
    const theirs = await createPersonalizer({
      model: { kind: 'dir', path },
      bank: { ...bank, seed: 5 },
      task: SENTIMENT,
      backend: 'cpu',
      store,
    });
    try {
      const own = await mine.profiles.save('Ann', profile);
      const foreign = (await theirs.train(history, options)).profile;
      const other = await theirs.profiles.save('Bo', foreign);
      expect((await mine.profiles.list()).map((p) => p.name)).toEqual(['Ann']);
      expect((await theirs.profiles.list()).map((p) => p.name)).toEqual(['Bo']);
      for (const touch of [
        () => mine.profiles.load(other.id),
        () => mine.profiles.history(other.id),
        () => mine.profiles.rename(other.id, 'Mallory'),
        () => mine.profiles.delete(other.id),
        () => mine.profiles.export(other.id),
      ])
        await expect(touch()).rejects.toThrow(ProfileMismatchError);
      // An overwrite across banks is refused by the store itself, whoever asks.
      await expect(theirs.profiles.save('Bo', foreign, { id: own.id })).rejects.toThrow(
        /another model or bank/,
      );
      expect((await theirs.profiles.list()).map((p) => p.name)).toEqual(['Bo']);
      expect((await mine.profiles.load(own.id)).toBytes()).toEqual(profile.toBytes());
    } finally {
      await Promise.all([mine.dispose(), theirs.dispose()]);
    }
  });

  it('refuses, before storing it, a profile made for another bank', async () => {
    const other = await createPersonalizer({
      model: { kind: 'dir', path },
      bank: { ...bank, seed: 5 },
      task: SENTIMENT,
      backend: 'cpu',
      store: createStore('xpeft-personalizer-other', 'profiles'),
    });
    try {
      const foreign = (await other.train(history, options)).profile;
      const before = await personalizer.profiles.list();
      await expect(personalizer.profiles.import(foreign.toString(), 'Mallory')).rejects.toThrow(
        ProfileMismatchError,
      );
      await expect(personalizer.profiles.save('Mallory', foreign)).rejects.toThrow(ProfileMismatchError);
      expect(await personalizer.profiles.list()).toEqual(before);
    } finally {
      await other.dispose();
    }
  });

  it('reports the load by phase with a figure that only rises to 1, and stops when aborted', async () => {
    const events: LoadProgress[] = [];
    const made = await createPersonalizer({
      model: { kind: 'dir', path },
      bank,
      task: SENTIMENT,
      backend: 'cpu',
      onProgress: (p) => events.push(p),
    });
    await made.dispose();
    expect([...new Set(events.map((e) => e.phase))]).toEqual(['model', 'bank', 'ready']);
    const figures = events.map((e) => e.progress);
    expect(figures).toEqual([...figures].sort((a, b) => a - b));
    expect(figures.at(-1)).toBe(1);
    expect(figures.slice(0, -1).every((f) => f < 1)).toBe(true);

    const controller = new AbortController();
    const load = createPersonalizer({
      model: { kind: 'dir', path },
      bank,
      task: SENTIMENT,
      backend: 'cpu',
      signal: controller.signal,
      onProgress: (p) => {
        if (p.file === 'config.json') controller.abort();
      },
    });
    await expect(load).rejects.toThrow(expect.objectContaining({ name: 'AbortError' }));
  });

  it('weighs a bank file after the model, and a partly read file by its share', () => {
    const seen: LoadProgress[] = [];
    const load = trackLoad('bank.safetensors', (p) => seen.push(p));
    for (const file of ['config.json', 'tokenizer.json', 'tokenizer_config.json'])
      load.onFile({ file, loaded: 10, total: 10, overallLoaded: 0 });
    load.onFile({ file: 'model.safetensors', loaded: 50, total: 100, overallLoaded: 0 });
    expect(seen.at(-1)).toMatchObject({ phase: 'model', file: 'model.safetensors', loaded: 50, total: 100 });
    expect(seen.at(-1)!.progress).toBeCloseTo(0.85 * (0.01 + 0.99 * 0.5), 6);
    load.onFile({ file: 'model.safetensors', loaded: 100, total: 100, overallLoaded: 0 });
    expect(seen.at(-1)!.progress).toBeCloseTo(0.85, 6);
    load.onFile({ file: 'bank.safetensors', loaded: 5, total: 10, overallLoaded: 0 });
    expect(seen.at(-1)).toMatchObject({ phase: 'bank', progress: 0.85 + 0.14 * 0.5 });
    load.ready();
    expect(seen.at(-1)).toEqual({ phase: 'ready', progress: 1 });
  });

  it('answers with the kind of the task, and stops waiting when a prediction is aborted', async () => {
    const answers = await personalizer.predict(profile, texts, { signal: new AbortController().signal });
    for (const a of answers)
      expect(a.kind === 'label' && ['negative', 'positive'].includes(a.label)).toBe(true);
    await expect(personalizer.predict(profile, texts, { signal: AbortSignal.abort() })).rejects.toThrow(
      expect.objectContaining({ name: 'AbortError' }),
    );
  });
});
