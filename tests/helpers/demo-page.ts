// The demo page around a stand-in engine, for tests of the page's controller in happy-dom: index.html's
// body without its script, the banks' index and texts served from memory, an engine with fixed answers
// (a profile per training) and the page's own IndexedDB store over fake-indexeddb.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import 'fake-indexeddb/auto';
import { createStore, type UseStore } from 'idb-keyval';
import type { PageEngine, ProfileStore } from '../../src/app/page-state';
import {
  PAGE_BANKS_FORMAT,
  PAGE_TEXTS_FORMAT,
  type PageBank,
  type PageBankIndex,
  type PageTexts,
} from '../../src/app/presets';
import { indexedDbStore } from '../../src/app/store';
import type { AdapterBank } from '../../src/bank/bank';
import { Profile } from '../../src/profile/profile';
import { listProfiles } from '../../src/runtime/storage';
import type { TrainOptions } from '../../src/training/options';
import type { Example, Task } from '../../src/xpeft/task';
import { ROOT } from '../../tools/paths';

export const SHAPE = {
  placement: 'pfeiffer',
  activation: 'relu',
  sites: 3,
  firstLayer: 3,
  n: 8,
  d: 16,
  r: 2,
} as const;
export const MODEL_FP = 'c'.repeat(64);
export const bankEntry = (id: string, extra: Partial<PageBank> = {}): PageBank => ({
  file: `${id}.safetensors`,
  sha256: id.padEnd(64, '5'),
  fingerprint: id.padEnd(64, '0'),
  n: SHAPE.n,
  sites: SHAPE.sites,
  bytes: 1000,
  dataset: `${id} data`,
  licence: 'CC BY 4.0',
  sources: 'test people',
  population: { people: 7, texts: 40, labels: 120 },
  recipe: {},
  maxLength: 64,
  people: Array.from({ length: SHAPE.n }, (_, i) => ({ id: `${id}-person-${i}`, taste: `taste ${i}` })),
  texts: `${id}-texts.json`,
  acknowledgement: `Data: ${id} data`,
  ...extra,
});
const JESTER_NOTE = 'Content note: old jokes.';
export const BANKS: PageBankIndex = {
  format: PAGE_BANKS_FORMAT,
  modelFingerprint: MODEL_FP,
  modelFiles: { 'model.safetensors': MODEL_FP, 'config.json': 'd'.repeat(64) },
  banks: {
    offensive: bankEntry('a1'),
    like: bankEntry('b2'),
    funny: bankEntry('c3', {
      maxLength: 256,
      acknowledgement: 'Jester data: the jokes’ authors',
      contentNote: JESTER_NOTE,
    }),
  },
};
/** Texts of distinct lengths, so the stand-in engine's answers (from the length) order them strictly. */
const textList = (noun: string, count: number, rateFirst: string[], bank: PageBank): PageTexts => ({
  format: PAGE_TEXTS_FORMAT,
  dataset: bank.dataset,
  licence: bank.licence,
  acknowledgement: bank.acknowledgement,
  ...(bank.contentNote ? { contentNote: bank.contentNote } : {}),
  noun,
  selection: 'test texts',
  texts: Array.from({ length: count }, (_, i) => ({
    id: String(i + 1),
    text: `${noun} ${'ha '.repeat(i + 1)}end`,
  })),
  rateFirst,
});
export const TEXTS: Record<string, PageTexts> = {
  'a1-texts.json': textList('comments', 4, [], BANKS.banks.offensive!),
  'b2-texts.json': textList('reviews', 4, [], BANKS.banks.like!),
  'c3-texts.json': textList('jokes', 12, ['2', '3', '5'], BANKS.banks.funny!),
};

/** A profile over a page bank: mask rows chosen from the seed, and a bias if asked. */
export function profileOver(fingerprint: string, seed: number, offset?: number): Profile {
  const scores = () =>
    Float32Array.from({ length: SHAPE.sites * SHAPE.n }, (_, i) => ((i * 7 + seed) % 5) - 2);
  const bank = { ...SHAPE, fingerprint } as unknown as AdapterBank;
  return Profile.fromTrained({
    mask: { mode: 'hard', k: 2 },
    bank,
    modelFingerprint: MODEL_FP,
    scoresA: scores(),
    scoresB: scores(),
    ...(offset === undefined ? {} : { offset: Float32Array.of(offset) }),
  });
}

/**
 * An engine that answers 2.0 for everyone and 2.0 + the profile's bias personally; for ranking, a text's
 * length for everyone, plus the bias personally, and over the jokes' bank reversed.
 */
/** Training waits on `until` (resolved: it runs straight through), so a test can act while it runs. */
export const trainingHeld = { until: Promise.resolve() };

export class StandInEngine implements PageEngine {
  readonly trained: { examples: readonly Example[]; options: TrainOptions }[];
  readonly variants: unknown[];
  constructor(
    private readonly fingerprint: string,
    readonly task: Task,
    trained: StandInEngine['trained'] = [],
    variants: unknown[] = [],
    ranked: StandInEngine['ranked'] = [],
  ) {
    this.trained = trained;
    this.variants = variants;
    this.ranked = ranked;
  }
  get info(): PageEngine['info'] {
    return {
      backend: {
        backend: 'wasm',
        threads: 2,
        skipped: [],
        timings: [],
        reason: 'only one',
        remembered: false,
        selectionMs: 12,
      },
      modelFingerprint: MODEL_FP,
      bankFingerprint: this.fingerprint,
      bankDigest: '',
      shape: SHAPE,
      sharedHead: true,
    } as PageEngine['info'];
  }
  async variant(v: { bank?: unknown; task?: Task }) {
    this.variants.push(v);
    const file = (v.bank as { file: string }).file;
    const entry = Object.values(BANKS.banks).find((b) => b.file === file)!;
    return new StandInEngine(
      entry.fingerprint,
      v.task ?? this.task,
      this.trained,
      this.variants,
      this.ranked,
    );
  }
  async train(examples: readonly Example[], options: TrainOptions = {}) {
    this.trained.push({ examples, options });
    await trainingHeld.until;
    options.onProgress?.({ epoch: 1, epochs: 1, step: 1, totalSteps: 1, loss: 0.5, etaMs: 0 } as never);
    const profile = profileOver(
      this.fingerprint,
      this.trained.length,
      options.head === 'offset' ? 1.5 : undefined,
    );
    const report = {
      heldOut: [0.4],
      heldOutLoss: [0.4],
      epochLosses: [0.5],
      bestEpoch: 1,
      steps: 4,
      elapsedMs: 2100,
    };
    return { profile, report } as never;
  }
  async predict(profile: Profile) {
    return [{ kind: 'value' as const, value: 2 + (profile.data.offset?.[0] ?? 0) }];
  }
  async predictFrozen() {
    return [{ kind: 'value' as const, value: 2 }];
  }
  readonly ranked: { texts: readonly string[]; maxLength: number }[];
  async outputs(profile: Profile | undefined, texts: readonly string[], maxLength: number) {
    this.ranked.push({ texts, maxLength });
    const reverse = this.fingerprint === BANKS.banks.funny!.fingerprint;
    return texts.map((t) => {
      if (!profile) return [t.length];
      return [(reverse ? -t.length : t.length) + (profile.data.offset?.[0] ?? 0)];
    });
  }
  importProfile(saved: Uint8Array | string): Profile {
    const p = typeof saved === 'string' ? Profile.fromString(saved) : Profile.fromBytes(saved);
    if (p.data.bankFingerprint !== this.fingerprint) throw new Error('not this bank');
    return p;
  }
}

let stores = 0;
/**
 * The page's IndexedDB store (fake-indexeddb here) in a database of its own, with what it keeps readable
 * and the changes "another tab" makes heard on demand through `otherTab`.
 */
export function pageStore(): ProfileStore & {
  names(): Promise<string[]>;
  otherTab(id: string): void;
  raw: UseStore;
} {
  const raw = createStore(`demo-test-${stores++}`, 'profiles');
  const listeners: ((id: string) => void)[] = [];
  return {
    ...indexedDbStore(raw),
    raw,
    names: async () => (await listProfiles(raw)).map((p) => p.name).sort(),
    watch: (listener) => {
      listeners.push(listener);
      return () => {};
    },
    otherTab: (id) => {
      for (const listener of listeners) listener(id);
    },
  };
}

/** index.html's body, without its script, in this test's window. */
export function loadPage(): void {
  const html = readFileSync(join(ROOT, 'index.html'), 'utf8');
  const body = html.slice(html.indexOf('<body>'), html.indexOf('</body>') + '</body>'.length);
  const parsed = new window.DOMParser().parseFromString(body, 'text/html');
  for (const s of parsed.querySelectorAll('script')) s.remove();
  document.body.replaceWith(document.importNode(parsed.body, true));
}

/** Serves banks/index.json and the texts beside the banks; samples are not installed. */
export function serveBanks(index: PageBankIndex = BANKS): void {
  window.fetch = (async (url: string) => {
    const file = String(url).split('/banks/')[1] ?? '';
    const body = file === 'index.json' ? index : TEXTS[file];
    return body ? new Response(JSON.stringify(body), { status: 200 }) : new Response('', { status: 404 });
  }) as typeof fetch;
}

export const text = (id: string) => document.getElementById(id)!.textContent ?? '';
export const click = (id: string) => document.getElementById(id)!.click();
/** Waits (up to 2 s) until the page shows something. */
export async function until(shown: () => boolean): Promise<void> {
  for (let waited = 0; !shown(); waited += 10) {
    if (waited > 2000) throw new Error('The page did not get there.');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
export const data = (key: string) => document.body.dataset[key];
export const input = (id: string, value: string) => {
  (document.getElementById(id) as HTMLInputElement).value = value;
};
