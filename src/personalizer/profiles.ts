// A person's saved profiles for one engine: the storage functions bound to one IndexedDB store, with
// every profile that comes in checked against the engine before it is kept.

import type { PersonalizationEngine } from '../engine/engine';
import type { Profile } from '../profile/profile';
import {
  deleteProfile,
  exportProfile,
  listProfiles,
  loadHistory,
  loadProfile,
  profileStore,
  renameProfile,
  type SaveOptions,
  type StoredProfileInfo,
  saveProfile,
} from '../runtime/storage';
import type { Example } from '../xpeft/task';

export interface ProfileShelf {
  /** Keeps a profile under a name (a new one, or over `options.id`); returns its stored description. */
  save(name: string, profile: Profile, options?: SaveOptions): Promise<StoredProfileInfo>;
  /** Every kept profile's description (name, size, dates, whether a history is kept). */
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

/** The profiles kept in `store` (default: the engine's IndexedDB store), checked against `engine`. */
export function profileShelf(engine: PersonalizationEngine, store = profileStore()): ProfileShelf {
  return {
    save: async (name, profile, options) => {
      engine.assertCompatible(profile);
      return saveProfile(name, profile, options, store);
    },
    list: () => listProfiles(store),
    load: (id) => loadProfile(id, store),
    history: (id) => loadHistory(id, store),
    rename: (id, name) => renameProfile(id, name, store),
    delete: (id) => deleteProfile(id, store),
    export: (id, format = 'bytes') => exportProfile(id, format, store),
    import: async (saved, name) => saveProfile(name, engine.importProfile(saved), {}, store),
  };
}
