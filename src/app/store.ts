// The page's people in this browser's IndexedDB (runtime/storage), as the store the demo asks for.

import { deleteProfile, listProfiles, loadHistory, loadProfile, saveProfile } from '../runtime/storage';
import type { ProfileStore } from './page-state';

export const browserStore: ProfileStore = {
  list: () => listProfiles(),
  load: (id) => loadProfile(id),
  loadHistory: (id) => loadHistory(id),
  save: (name, profile, options) => saveProfile(name, profile, options),
  remove: (id) => deleteProfile(id),
};
