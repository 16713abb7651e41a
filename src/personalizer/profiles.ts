// A person's saved profiles for one engine: the storage functions bound to one IndexedDB store and
// scoped to the engine's model and bank. Profiles kept there for another model or bank are neither
// listed nor opened, changed or overwritten through this shelf, and every profile that comes in is
// checked against the engine before it is kept.

import type { UseStore } from 'idb-keyval';
import type { PersonalizationEngine } from '../engine/types';
import { ProfileMismatchError } from '../errors';
import type { Profile } from '../profile/profile';
import {
  deleteProfile,
  exportProfile,
  listProfiles,
  loadHistory,
  loadProfile,
  profileInfo,
  renameProfile,
  type SaveOptions,
  type StoredProfileInfo,
  saveProfile,
} from '../runtime/storage';
import type { Example } from '../xpeft/task';

/**
 * The profiles kept on this device for one model, bank and task (`personalizer.profiles`).
 *
 * @example
 * ```ts
 * const { id } = await personalizer.profiles.save('My filter', profile);
 * const [kept] = await personalizer.profiles.list(); // on the next visit
 * const again = await personalizer.profiles.load(kept.id);
 * ```
 *
 * @group Profiles
 */
export interface ProfileShelf {
  /** Keeps a profile under a name (a new one, or over `options.id`); returns its stored description. */
  save(name: string, profile: Profile, options?: SaveOptions): Promise<StoredProfileInfo>;
  /** The descriptions of the profiles kept for this model and bank (name, size, dates, kept examples). */
  list(): Promise<StoredProfileInfo[]>;
  load(id: string): Promise<Profile>;
  /** The history kept beside a profile, if the user asked to keep it. */
  history(id: string): Promise<Example[] | undefined>;
  rename(id: string, name: string): Promise<void>;
  delete(id: string): Promise<void>;
  /** The profile's bytes, or its URL-safe text. */
  export(id: string, format?: 'bytes' | 'string'): Promise<Uint8Array | string>;
  /** Reads a profile from bytes or text, refuses one made for another model, bank or task, and keeps it. */
  import(saved: Uint8Array | string, name: string): Promise<StoredProfileInfo>;
}

/**
 * The profiles kept in `store` (default: the browser's IndexedDB store, looked up at each call, so a
 * runtime without IndexedDB fails only when profiles are used, with a StorageError naming `store`) for
 * `engine`'s model and bank.
 */
export function profileShelf(engine: PersonalizationEngine, store?: UseStore): ProfileShelf {
  const ours = (p: StoredProfileInfo) =>
    p.modelFingerprint === engine.fingerprints.model && p.bankFingerprint === engine.fingerprints.bank;
  /** Runs `then` on a profile of this shelf; another model's or bank's is a ProfileMismatchError. */
  const own = async <T>(id: string, then: () => Promise<T>): Promise<T> => {
    const found = await profileInfo(id, store);
    if (!ours(found))
      throw new ProfileMismatchError(
        `Profile "${found.name}" (${id}) was made for another model or bank than this engine's.`,
      );
    return then();
  };
  return {
    save: async (name, profile, options) => {
      engine.assertCompatible(profile);
      return saveProfile(name, profile, options, store);
    },
    list: async () => (await listProfiles(store)).filter(ours),
    load: async (id) => {
      const profile = await own(id, () => loadProfile(id, store));
      engine.assertCompatible(profile); // the task too: a head or offset of another width
      return profile;
    },
    history: (id) => own(id, () => loadHistory(id, store)),
    rename: (id, name) => own(id, () => renameProfile(id, name, store)),
    delete: (id) => own(id, () => deleteProfile(id, store)),
    export: (id, format = 'bytes') => own(id, () => exportProfile(id, format, store)),
    import: async (saved, name) => saveProfile(name, engine.importProfile(saved), {}, store),
  };
}
