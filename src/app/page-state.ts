// What the page knows while it runs: where its model and banks come from, the loaded engine and its
// variant per kind of answer, the banks' index, and the person in use. One instance per page, made by
// createDemo; the sections read and change it, and nothing else holds state.

import type { Profile } from '../profile/profile';
import type { RemoteEngine } from '../runtime/remote-engine';
import type { SaveOptions, StoredProfileInfo } from '../runtime/storage';
import type { Example } from '../xpeft/task';
import {
  PAGE_TEXTS_FORMAT,
  type PageBank,
  type PageBankIndex,
  type PageTexts,
  PRESETS,
  type Preset,
} from './presets';

/** What the page asks of its engine (RemoteEngine in the browser). */
export type PageEngine = Pick<
  RemoteEngine,
  'info' | 'train' | 'predict' | 'predictFrozen' | 'outputs' | 'importProfile'
> & {
  variant(variant: Parameters<RemoteEngine['variant']>[0]): Promise<PageEngine>;
};

/** Where the page keeps people: their profiles and, if they asked, their examples. */
export interface ProfileStore {
  list(): Promise<StoredProfileInfo[]>;
  load(id: string): Promise<Profile>;
  loadHistory(id: string): Promise<Example[] | undefined>;
  save(name: string, profile: Profile, options?: SaveOptions): Promise<StoredProfileInfo>;
  remove(id: string): Promise<void>;
  /** Calls `listener` with the id of each person another tab changes; returns a stop. */
  watch?(listener: (id: string) => void): () => void;
}

export interface Person {
  /** Where the person is kept; absent for a trained profile that could not be saved (yet). */
  stored?: { id: string; updatedAt: string; hasHistory: boolean };
  name: string;
  preset: Preset;
  profile: Profile;
  /** An unsaved profile's examples, kept beside it when it is saved (if the person asked to keep them). */
  keep?: readonly Example[];
}

export class PageState {
  /** Where the model and the banks are fetched from (checked query parameters, or the page's own). */
  modelBase = '';
  banksBase = '';
  base: PageEngine | undefined;
  banks: PageBankIndex | undefined;
  person: Person | undefined;
  /** A profile is training: who is in use and what is kept must not change under it. */
  training = false;
  private readonly engines = new Map<Preset['id'], Promise<PageEngine>>();
  private readonly texts = new Map<Preset['id'], Promise<PageTexts | undefined>>();

  /** `fetch` reads the texts shipped beside the banks (the window's on the page). */
  constructor(private readonly fetch: (url: string) => Promise<Response>) {}

  /** The loaded engine, which serves the first kind of answer this page has a bank for. */
  setBase(engine: PageEngine): void {
    this.base = engine;
    this.engines.set(this.presets()[0]!.id, Promise.resolve(engine));
  }

  /** The kinds of answer this page has a trained bank for, in the page's order. */
  presets(): Preset[] {
    return PRESETS.filter((p) => this.banks?.banks[p.id]);
  }

  /** The trained bank of a kind of answer, from banks/index.json. */
  bankOf(preset: Preset): PageBank {
    const bank = this.banks?.banks[preset.id];
    if (!bank) throw new Error(`This page has no trained bank for "${preset.question}".`);
    return bank;
  }

  bankSpec(preset: Preset) {
    const source = { kind: 'url', base: this.banksBase } as const;
    const { file, sha256 } = this.bankOf(preset);
    return { kind: 'file', source, file, sha256 } as const;
  }

  /** The engine for a kind of answer: the loaded one, or a variant with that answer's bank file, made once. */
  engineFor(preset: Preset): Promise<PageEngine> {
    let e = this.engines.get(preset.id);
    if (!e) {
      if (!this.base) throw new Error('The model is not loaded yet.');
      const keep = preset.keepSiteStates ? { keepSiteStates: true } : {};
      e = this.base.variant({ task: preset.task, bank: this.bankSpec(preset), ...keep }).catch((cause) => {
        this.engines.delete(preset.id);
        throw new Error(
          `The bank for "${preset.question}" could not be loaded (${(cause as Error).message}). A bank is kept on this device once it has been used with a connection; offline, only those used before work.`,
        );
      });
      this.engines.set(preset.id, e);
    }
    return e;
  }

  /** The texts shipped beside a kind of answer's bank to rank (and rate first), read once; none: undefined. */
  textsFor(preset: Preset): Promise<PageTexts | undefined> {
    let t = this.texts.get(preset.id);
    if (!t) {
      const file = this.bankOf(preset).texts;
      t = file ? this.readTexts(`${this.banksBase}/${file}`) : Promise.resolve(undefined);
      t.catch(() => this.texts.delete(preset.id));
      this.texts.set(preset.id, t);
    }
    return t;
  }

  private async readTexts(url: string): Promise<PageTexts> {
    const res = await this.fetch(url);
    if (!res.ok) throw new Error(`The texts to rank could not be loaded from ${url} (HTTP ${res.status}).`);
    const texts = (await res.json()) as PageTexts;
    if (texts.format !== PAGE_TEXTS_FORMAT)
      throw new Error(`${url} is format ${texts.format}, not ${PAGE_TEXTS_FORMAT}: run npm run bank:build.`);
    return texts;
  }

  /** The kind of answer a profile gives: the one whose bank it was trained over. */
  presetOf(profile: Profile): Preset {
    const preset = PRESETS.find((p) => this.banks?.banks[p.id]?.fingerprint === profile.data.bankFingerprint);
    if (!preset)
      throw new Error(
        `This profile was made for bank ${profile.data.bankFingerprint}, which this page does not have; it was made by another application or another build of the banks.`,
      );
    return preset;
  }
}
