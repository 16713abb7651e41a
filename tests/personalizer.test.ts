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
  type Personalizer,
  type Profile,
  ProfileMismatchError,
} from '../src/advanced';
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
});
