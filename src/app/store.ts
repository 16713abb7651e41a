// The page's people in this browser's IndexedDB (runtime/storage), as the store the demo asks for.

import type { UseStore } from 'idb-keyval';
import {
  deleteProfile,
  listProfiles,
  loadHistory,
  loadProfile,
  saveProfile,
  watchProfiles,
} from '../runtime/storage';
import type { ProfileStore } from './page-state';

/** People kept in `store` (default: the page's IndexedDB store). */
export function indexedDbStore(store?: UseStore): ProfileStore {
  return {
    list: () => listProfiles(store),
    load: (id) => loadProfile(id, store),
    loadHistory: (id) => loadHistory(id, store),
    save: (name, profile, options) => saveProfile(name, profile, options, store),
    remove: (id) => deleteProfile(id, store),
    watch: (listener) => watchProfiles(listener),
  };
}
