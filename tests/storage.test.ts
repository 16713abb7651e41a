// Profile storage on IndexedDB (fake-indexeddb in Node; the browser runtime tests use the real one):
// round trips, rename, delete, export/import, schema versions, and failed writes that change nothing.

import 'fake-indexeddb/auto';
import { createStore, set, type UseStore } from 'idb-keyval';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, LanguageModel, type Profile, ProfileFormatError, useBackend } from '../src/advanced';
import { StorageConflictError, StorageError, StorageQuotaError } from '../src/errors';
import {
  deleteProfile,
  exportProfile,
  importProfile,
  listProfiles,
  loadHistory,
  loadProfile,
  renameProfile,
  saveProfile,
  watchProfiles,
} from '../src/runtime/storage';
import { SENTIMENT, sst2Examples } from './helpers/sst2';
import { writeTinyModel } from './helpers/tiny-model';

let dbCount = 0;
const freshStore = () => createStore(`xpeft-test-${dbCount++}`, 'profiles');

/**
 * A store that runs out of space part-way through a write: the first put of a transaction goes through,
 * the second fails with QuotaExceededError, as a real full disk would. Checks that writes are atomic.
 */
function quotaStore(inner: UseStore): UseStore {
  return (mode, callback) =>
    inner(mode, (s) => {
      if (mode === 'readwrite') {
        const put = s.put.bind(s);
        let puts = 0;
        s.put = (value: unknown, key?: IDBValidKey) => {
          if (++puts === 2) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
          return put(value, key);
        };
      }
      return callback(s);
    });
}

describe('profile storage', () => {
  let model: LanguageModel;
  let engine: Engine;
  let a: Profile;
  let b: Profile;
  const history = sst2Examples('train', 24);

  beforeAll(async () => {
    await useBackend('cpu');
    model = await LanguageModel.load({ kind: 'dir', path: writeTinyModel({ seed: 51 }) });
    engine = await Engine.load({ model, bank: { kind: 'random', seed: 2, n: 8, r: 4 }, task: SENTIMENT });
    const options = { epochs: 1, batchSize: 8, heldOutFraction: 0, mask: { mode: 'hard' as const, k: 2 } };
    a = (await engine.train(history, options)).profile;
    b = (await engine.train(history, { ...options, seed: 9 })).profile;
  });
  afterAll(() => {
    engine.dispose();
    model.dispose();
  });

  it('saves, lists, loads, renames and deletes profiles', async () => {
    const store = freshStore();
    const first = await saveProfile('Alice', a, {}, store);
    const second = await saveProfile('Bob', b, { history }, store);
    expect(first.bytes).toBe(a.toBytes().byteLength);
    const listed = await listProfiles(store);
    expect(listed.map((p) => [p.name, p.hasHistory])).toEqual([
      ['Alice', false],
      ['Bob', true],
    ]);
    expect((await loadProfile(first.id, store)).toBytes()).toEqual(a.toBytes());
    expect(await loadHistory(second.id, store)).toEqual(history);
    await renameProfile(first.id, 'Alice (work)', store);
    expect((await listProfiles(store))[0]!.name).toBe('Alice (work)');
    await deleteProfile(second.id, store);
    expect((await listProfiles(store)).map((p) => p.id)).toEqual([first.id]);
    expect(await loadHistory(second.id, store)).toBeUndefined();
    await expect(loadProfile(second.id, store)).rejects.toThrowError(StorageError);
  });

  it('overwrites in place, keeping the creation time and the kept history unless told to drop it', async () => {
    const store = freshStore();
    const saved = await saveProfile('Alice', a, { history }, store);
    const again = await saveProfile('Alice', b, { id: saved.id }, store);
    expect(again.createdAt).toBe(saved.createdAt);
    expect(again.hasHistory).toBe(true);
    expect(await loadHistory(saved.id, store)).toEqual(history);
    expect((await loadProfile(saved.id, store)).toBytes()).toEqual(b.toBytes());
    const newer = history.slice(0, 3);
    expect((await saveProfile('Alice', a, { id: saved.id, history: newer }, store)).hasHistory).toBe(true);
    expect(await loadHistory(saved.id, store)).toEqual(newer);
    const dropped = await saveProfile('Alice', a, { id: saved.id, history: null }, store);
    expect(dropped.hasHistory).toBe(false);
    expect(await loadHistory(saved.id, store)).toBeUndefined();
    await expect(saveProfile('X', a, { id: 'missing' }, store)).rejects.toThrowError(
      /No stored profile has id "missing"/,
    );
  });

  it('exports and imports bytes and strings, refusing invalid input before it is stored', async () => {
    const store = freshStore();
    const saved = await saveProfile('Alice', a, {}, store);
    const text = (await exportProfile(saved.id, 'string', store)) as string;
    const bytes = (await exportProfile(saved.id, 'bytes', store)) as Uint8Array;
    expect((await importProfile(text, 'copy', store)).bytes).toBe(bytes.byteLength);
    const corrupt = bytes.slice();
    corrupt[20]! ^= 1;
    await expect(importProfile(corrupt, 'bad', store)).rejects.toThrowError(ProfileFormatError);
    expect((await listProfiles(store)).map((p) => p.name)).toEqual(['Alice', 'copy']);
  });

  it('turns a full disk into a StorageQuotaError and leaves the previous profile intact', async () => {
    const store = freshStore();
    const saved = await saveProfile('Alice', a, {}, store);
    const full = quotaStore(store);
    const error = await saveProfile('Alice', b, { id: saved.id, history }, full).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageQuotaError);
    expect((error as StorageQuotaError).message).toMatch(/about \d+ bytes are needed/);
    expect((await loadProfile(saved.id, store)).toBytes()).toEqual(a.toBytes());
    expect(await loadHistory(saved.id, store)).toBeUndefined();
  });

  it('never overwrites a change it has not seen, nor a profile of another model or bank', async () => {
    const store = freshStore();
    const saved = await saveProfile('Alice', a, {}, store);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const elsewhere = await saveProfile('Alice', b, { id: saved.id, ifUpdatedAt: saved.updatedAt }, store);
    await expect(
      saveProfile('Alice', a, { id: saved.id, ifUpdatedAt: saved.updatedAt }, store),
    ).rejects.toThrow(StorageConflictError);
    expect((await loadProfile(saved.id, store)).toBytes()).toEqual(b.toBytes());
    await saveProfile('Alice', a, { id: saved.id, ifUpdatedAt: elsewhere.updatedAt }, store);

    const otherBank = await Engine.load({
      model,
      bank: { kind: 'random', seed: 3, n: 8, r: 4 },
      task: SENTIMENT,
    });
    try {
      const foreign = (await otherBank.train(history, { epochs: 1, batchSize: 8, heldOutFraction: 0 }))
        .profile;
      await expect(saveProfile('Alice', foreign, { id: saved.id }, store)).rejects.toThrow(
        /profile for another model or bank/,
      );
      expect((await loadProfile(saved.id, store)).toBytes()).toEqual(a.toBytes());
    } finally {
      otherBank.dispose();
    }
  });

  it('tells other tabs of every change, and not itself', async () => {
    const store = freshStore();
    const heard: string[] = [];
    const stop = watchProfiles((id) => heard.push(id));
    const otherTab = new BroadcastChannel('xpeft-web-profiles');
    const told: string[] = [];
    otherTab.onmessage = (e) => told.push(e.data.id);
    try {
      const saved = await saveProfile('Alice', a, {}, store);
      await renameProfile(saved.id, 'Ann', store);
      await deleteProfile(saved.id, store);
      otherTab.postMessage({ id: 'from-elsewhere', tab: 'another tab' });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(told).toEqual([saved.id, saved.id, saved.id]);
      expect(heard).toEqual(['from-elsewhere']);
    } finally {
      stop();
      otherTab.close();
    }
  });

  it('refuses data written by a newer schema', async () => {
    const store = freshStore();
    await set('schema', 99, store);
    await expect(listProfiles(store)).rejects.toThrowError(/schema version 99, newer than this version/);
  });
});
