// Profiles where there is no IndexedDB (Node, without a store given): the personalizer still loads,
// trains and predicts, and only its profile shelf fails, with a StorageError that names what to pass.

import { describe, expect, it } from 'vitest';
import { createPersonalizer, StorageError } from '../src/index';
import { profileStore } from '../src/runtime/storage';
import { SENTIMENT } from './helpers/sst2';
import { writeTinyModel } from './helpers/tiny-model';

describe('profiles without IndexedDB', () => {
  it('fail only when used, saying to pass a store', async () => {
    expect(typeof indexedDB).toBe('undefined');
    expect(() => profileStore()).toThrow(StorageError);
    expect(() => profileStore()).toThrow(/pass `store`/);
    const personalizer = await createPersonalizer({
      model: { kind: 'dir', path: writeTinyModel({ seed: 91 }) },
      bank: { kind: 'random', seed: 1, n: 4, r: 2 },
      task: SENTIMENT,
      backend: 'cpu',
    });
    try {
      await expect(personalizer.profiles.list()).rejects.toThrow(/no IndexedDB .* pass `store`/);
    } finally {
      await personalizer.dispose();
    }
  });
});
