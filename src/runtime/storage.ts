// Profiles kept in the browser's IndexedDB through idb-keyval, under a versioned schema. Every change
// (its reads included) is a single IndexedDB transaction, so a failed or interrupted write (quota,
// closed tab) leaves the previous record as it was. A user's history is stored only when they ask.

import {
  createStore,
  del,
  delMany,
  entries,
  get,
  promisifyRequest,
  setMany,
  type UseStore,
} from 'idb-keyval';
import { StorageConflictError, StorageError, StorageQuotaError } from '../errors';
import { Profile } from '../profile/profile';
import type { Example } from '../xpeft/task';

export const STORAGE_SCHEMA_VERSION = 1;
const SCHEMA_KEY = 'schema';
const PROFILE_PREFIX = 'profile:';
const HISTORY_PREFIX = 'history:';

/**
 * A stored profile as `profiles.list` describes it, without loading it.
 *
 * @group Profiles
 */
export interface StoredProfileInfo {
  id: string;
  name: string;
  createdAt: string;
  updatedAt: string;
  bytes: number;
  mode: 'hard' | 'soft';
  modelFingerprint: string;
  bankFingerprint: string;
  hasHistory: boolean;
}

interface ProfileRecord extends Omit<StoredProfileInfo, 'hasHistory'> {
  data: Uint8Array;
}

let defaultStore: UseStore | undefined;
/**
 * The store used when none is passed: database "xpeft-web", object store "profiles". Where there is no
 * IndexedDB (Node), a StorageError says what to pass instead.
 */
export function profileStore(): UseStore {
  if (typeof indexedDB === 'undefined')
    throw new StorageError(
      'This runtime has no IndexedDB (Node has none), so profiles have no default store: pass `store` (an idb-keyval UseStore, for example over fake-indexeddb) to createPersonalizer or to the storage functions, or keep profiles yourself with profile.toBytes() and Profile.fromBytes().',
    );
  defaultStore ??= createStore('xpeft-web', 'profiles');
  return defaultStore;
}

async function ensureSchema(store: UseStore): Promise<void> {
  const version = await get<number>(SCHEMA_KEY, store);
  if (version === undefined) {
    await setMany([[SCHEMA_KEY, STORAGE_SCHEMA_VERSION]], store);
    return;
  }
  if (version > STORAGE_SCHEMA_VERSION) {
    throw new StorageError(
      `Stored profiles use schema version ${version}, newer than this version of the app (${STORAGE_SCHEMA_VERSION}); update the app.`,
    );
  }
}

async function availableBytes(): Promise<number | undefined> {
  const storage = (globalThis.navigator as Navigator | undefined)?.storage;
  if (!storage?.estimate) return undefined;
  const { quota, usage } = await storage.estimate();
  return quota === undefined || usage === undefined ? undefined : quota - usage;
}

/** Runs one write; a quota failure becomes a StorageQuotaError that says how much space is needed. */
async function write(needed: number, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (e) {
    if ((e as DOMException)?.name === 'QuotaExceededError')
      throw new StorageQuotaError(needed, await availableBytes());
    throw e;
  }
}

function info(record: ProfileRecord, hasHistory: boolean): StoredProfileInfo {
  const { data: _data, ...rest } = record;
  return { ...rest, hasHistory };
}

// Other tabs of the same origin hear of every change, so their lists and open people stay true. Each
// tab tags what it says, and its own watchers ignore it.
const CHANNEL = 'xpeft-web-profiles';
const THIS_TAB = globalThis.crypto.randomUUID();
let channel: BroadcastChannel | undefined;

/** Tells this origin's other tabs that the profile `id` changed or went. */
function announce(id: string): void {
  if (typeof BroadcastChannel === 'undefined') return;
  channel ??= new BroadcastChannel(CHANNEL);
  channel.postMessage({ id, tab: THIS_TAB });
}

/** Calls `listener` with the id of each profile another tab saves, renames or deletes; returns a stop. */
export function watchProfiles(listener: (id: string) => void): () => void {
  if (typeof BroadcastChannel === 'undefined') return () => {};
  const heard = new BroadcastChannel(CHANNEL);
  heard.onmessage = (e: MessageEvent<{ id?: unknown; tab?: unknown }>) => {
    if (typeof e.data?.id === 'string' && e.data.tab !== THIS_TAB) listener(e.data.id);
  };
  return () => heard.close();
}

function newId(): string {
  return globalThis.crypto.randomUUID();
}

/**
 * How `profiles.save` stores a profile: under a new id or over one, with or without its history.
 *
 * @group Profiles
 */
export interface SaveOptions {
  /** Overwrite this profile (keeping its creation time); omit to create a new one. */
  id?: string;
  /**
   * The examples it was trained from, kept on this device beside it (only if the user asks); `null`
   * deletes the ones kept before. Omitted, an overwrite keeps whatever examples were kept.
   */
  history?: readonly Example[] | null;
  /**
   * With `id`: overwrite only if the stored profile was last changed at this time (its `updatedAt` when
   * read); otherwise a StorageConflictError, so a change made in another tab is never silently lost.
   */
  ifUpdatedAt?: string;
}

/** Saves a profile (and optionally its history) in one transaction; returns its stored description. */
export async function saveProfile(
  name: string,
  profile: Profile,
  options: SaveOptions = {},
  store = profileStore(),
): Promise<StoredProfileInfo> {
  if (name.trim().length === 0) throw new StorageError('A profile needs a non-empty name.');
  await ensureSchema(store);
  const id = options.id ?? newId();
  const data = profile.toBytes();
  const history = options.history ? JSON.stringify(options.history) : options.history;
  const now = new Date().toISOString();
  const fresh: ProfileRecord = {
    id,
    name: name.trim(),
    createdAt: now,
    updatedAt: now,
    bytes: data.byteLength,
    mode: profile.data.mode,
    modelFingerprint: profile.data.modelFingerprint,
    bankFingerprint: profile.data.bankFingerprint,
    data,
  };
  let saved = fresh;
  let hasHistory = typeof history === 'string';
  await write(data.byteLength + (history?.length ?? 0) * 2, () =>
    readWrite(store, [PROFILE_PREFIX + id, HISTORY_PREFIX + id], ([previous, kept], s) => {
      const old = previous as ProfileRecord | undefined;
      if (options.id && !old) throw new StorageError(`No stored profile has id "${id}".`);
      if (old && options.ifUpdatedAt !== undefined && old.updatedAt !== options.ifUpdatedAt)
        throw new StorageConflictError(
          `"${old.name}" was changed at ${old.updatedAt}, after it was read (${options.ifUpdatedAt}), perhaps in another tab; it was not overwritten.`,
        );
      if (
        old &&
        (old.modelFingerprint !== fresh.modelFingerprint || old.bankFingerprint !== fresh.bankFingerprint)
      )
        throw new StorageError(
          `"${old.name}" is a profile for another model or bank; a profile for this one cannot overwrite it (save it as a new one).`,
        );
      saved = { ...fresh, createdAt: old?.createdAt ?? now };
      s.put(saved, PROFILE_PREFIX + id);
      // New examples replace the kept ones; null deletes them; nothing said keeps them.
      if (typeof history === 'string') s.put(history, HISTORY_PREFIX + id);
      else if (history === null) s.delete(HISTORY_PREFIX + id);
      else hasHistory = kept !== undefined;
    }),
  );
  announce(id);
  return info(saved, hasHistory);
}

/**
 * Reads `keys` and applies `change` to their values in one readwrite transaction, so nothing can happen
 * in between. An error thrown by `change` aborts the transaction: nothing is written.
 */
function readWrite(
  store: UseStore,
  keys: string[],
  change: (current: unknown[], s: IDBObjectStore) => void,
): Promise<void> {
  return store('readwrite', (s) => {
    let failure: unknown;
    const reads = keys.map((key) => s.get(key));
    // Requests of one transaction complete in order: the last read's success sees all of them done.
    reads.at(-1)!.onsuccess = () => {
      try {
        change(
          reads.map((r) => r.result),
          s,
        );
      } catch (e) {
        failure = e;
        s.transaction.abort();
      }
    };
    return promisifyRequest(s.transaction).catch((e) => {
      throw failure ?? e;
    });
  });
}

/** Stored profiles, oldest first (ties by name, then id, so the order is stable). */
export async function listProfiles(store = profileStore()): Promise<StoredProfileInfo[]> {
  await ensureSchema(store);
  const all = await entries<IDBValidKey, unknown>(store);
  const histories = new Set(all.map(([k]) => String(k)).filter((k) => k.startsWith(HISTORY_PREFIX)));
  return all
    .filter(([k]) => String(k).startsWith(PROFILE_PREFIX))
    .map(([, v]) => v as ProfileRecord)
    .map((r) => info(r, histories.has(HISTORY_PREFIX + r.id)))
    .sort(
      (a, b) =>
        a.createdAt.localeCompare(b.createdAt) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id),
    );
}

async function record(id: string, store: UseStore): Promise<ProfileRecord> {
  const r = await get<ProfileRecord>(PROFILE_PREFIX + id, store);
  if (!r) throw new StorageError(`No stored profile has id "${id}".`);
  return r;
}

/** A stored profile's description. */
export async function profileInfo(id: string, store = profileStore()): Promise<StoredProfileInfo> {
  const [r, history] = await Promise.all([record(id, store), get(HISTORY_PREFIX + id, store)]);
  return info(r, history !== undefined);
}

/** The stored profile, decoded and checked (a corrupted record throws ProfileFormatError). */
export async function loadProfile(id: string, store = profileStore()): Promise<Profile> {
  return Profile.fromBytes((await record(id, store)).data);
}

export async function loadHistory(id: string, store = profileStore()): Promise<Example[] | undefined> {
  const text = await get<string>(HISTORY_PREFIX + id, store);
  return text === undefined ? undefined : (JSON.parse(text) as Example[]);
}

export async function renameProfile(id: string, name: string, store = profileStore()): Promise<void> {
  if (name.trim().length === 0) throw new StorageError('A profile needs a non-empty name.');
  await write(name.length * 2, () =>
    readWrite(store, [PROFILE_PREFIX + id], ([current], s) => {
      if (!current) throw new StorageError(`No stored profile has id "${id}".`);
      s.put(
        { ...(current as ProfileRecord), name: name.trim(), updatedAt: new Date().toISOString() },
        PROFILE_PREFIX + id,
      );
    }),
  );
  announce(id);
}

export async function deleteProfile(id: string, store = profileStore()): Promise<void> {
  await delMany([PROFILE_PREFIX + id, HISTORY_PREFIX + id], store);
  announce(id);
}

export async function deleteHistory(id: string, store = profileStore()): Promise<void> {
  await del(HISTORY_PREFIX + id, store);
  announce(id);
}

/** The profile's bytes, or its URL-safe string form. */
export async function exportProfile(
  id: string,
  format: 'bytes' | 'string' = 'bytes',
  store = profileStore(),
) {
  const data = (await record(id, store)).data;
  return format === 'bytes' ? data : Profile.fromBytes(data).toString();
}

/** Checks and stores a profile from bytes or its string form; invalid input never reaches the store. */
export async function importProfile(saved: Uint8Array | string, name: string, store = profileStore()) {
  const profile = Profile.from(saved);
  return saveProfile(name, profile, {}, store);
}
