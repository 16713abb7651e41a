// @vitest-environment happy-dom
// The demo page's controller without a browser or a model: index.html in happy-dom, createDemo with a
// stand-in engine (fixed answers, a profile per training) and a store in memory. The whole flow runs
// through the page's own controls — train, compare, share, import, delete — and the page's hooks and
// messages say what a user sees. The real engine and IndexedDB run in tests/browser/demo.test.ts.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { createDemo } from '../src/app/demo';
import type { PageEngine, ProfileStore } from '../src/app/page-state';
import { PAGE_BANKS_FORMAT, type PageBankIndex } from '../src/app/presets';
import type { AdapterBank } from '../src/bank/bank';
import { Profile } from '../src/profile/profile';
import type { RemoteEngineOptions } from '../src/runtime/remote-engine';
import type { StoredProfileInfo } from '../src/runtime/storage';
import type { TrainOptions } from '../src/training/options';
import type { Example, Task } from '../src/xpeft/task';
import { ROOT } from '../tools/paths';

const SHAPE = {
  placement: 'pfeiffer',
  activation: 'relu',
  sites: 3,
  firstLayer: 3,
  n: 8,
  d: 16,
  r: 2,
} as const;
const MODEL_FP = 'c'.repeat(64);
const bankEntry = (id: string) => ({
  file: `${id}.safetensors`,
  fingerprint: id.padEnd(64, '0'),
  n: SHAPE.n,
  sites: SHAPE.sites,
  bytes: 1000,
  dataset: `${id} data`,
  licence: 'CC BY 4.0',
  sources: 'test people',
  population: { people: 7, texts: 40, labels: 120 },
  recipe: {},
});
const BANKS: PageBankIndex = {
  format: PAGE_BANKS_FORMAT,
  modelFingerprint: MODEL_FP,
  banks: { offensive: bankEntry('a1'), like: bankEntry('b2') },
};

/** A profile over a page bank: mask rows chosen from the seed, and a bias if asked. */
function profileOver(fingerprint: string, seed: number, offset?: number): Profile {
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

/** An engine that answers 2.0 for everyone and 2.0 + the profile's bias personally. */
class StandInEngine implements PageEngine {
  readonly trained: { examples: readonly Example[]; options: TrainOptions }[];
  constructor(
    private readonly fingerprint: string,
    readonly task: Task,
    trained: StandInEngine['trained'] = [],
  ) {
    this.trained = trained;
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
    const file = (v.bank as { file: string }).file;
    const entry = Object.values(BANKS.banks).find((b) => b.file === file)!;
    return new StandInEngine(entry.fingerprint, v.task ?? this.task, this.trained);
  }
  async train(examples: readonly Example[], options: TrainOptions = {}) {
    this.trained.push({ examples, options });
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
    return [{ value: 2 + (profile.data.offset?.[0] ?? 0) }];
  }
  async predictFrozen() {
    return [{ value: 2 }];
  }
  importProfile(saved: Uint8Array | string): Profile {
    const p = typeof saved === 'string' ? Profile.fromString(saved) : Profile.fromBytes(saved);
    if (p.data.bankFingerprint !== this.fingerprint) throw new Error('not this bank');
    return p;
  }
}

function memoryStore(): ProfileStore & {
  records: Map<string, { info: StoredProfileInfo; profile: Profile; history?: Example[] }>;
} {
  const records = new Map<string, { info: StoredProfileInfo; profile: Profile; history?: Example[] }>();
  let next = 0;
  return {
    records,
    list: async () => [...records.values()].map((r) => r.info),
    load: async (id) => records.get(id)!.profile,
    loadHistory: async (id) => records.get(id)?.history,
    save: async (name, profile, options = {}) => {
      const id = options.id ?? `p${next++}`;
      const { mode, modelFingerprint, bankFingerprint } = profile.data;
      const at = new Date(0).toISOString();
      const info = {
        id,
        name,
        mode,
        modelFingerprint,
        bankFingerprint,
        bytes: profile.toBytes().length,
        createdAt: at,
        updatedAt: at,
        hasHistory: !!options.history,
      };
      records.set(id, { info, profile, ...(options.history ? { history: [...options.history] } : {}) });
      return info;
    },
    remove: async (id) => void records.delete(id),
  };
}

/** index.html's body, without its script, in this test's window. */
function loadPage(): void {
  const html = readFileSync(join(ROOT, 'index.html'), 'utf8');
  const body = html.slice(html.indexOf('<body>'), html.indexOf('</body>') + '</body>'.length);
  const parsed = new window.DOMParser().parseFromString(body, 'text/html');
  for (const s of parsed.querySelectorAll('script')) s.remove();
  document.body.replaceWith(document.importNode(parsed.body, true));
}

/** Serves banks/index.json; samples are not installed. */
function serveBanks(): void {
  window.fetch = (async (url: string) =>
    String(url).endsWith('/banks/index.json')
      ? new Response(JSON.stringify(BANKS), { status: 200 })
      : new Response('', { status: 404 })) as typeof fetch;
}

const text = (id: string) => document.getElementById(id)!.textContent ?? '';
const click = (id: string) => document.getElementById(id)!.click();
/** Waits (up to 2 s) until the page shows something. */
async function until(shown: () => boolean): Promise<void> {
  for (let waited = 0; !shown(); waited += 10) {
    if (waited > 2000) throw new Error('The page did not get there.');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
const data = (key: string) => document.body.dataset[key];
const input = (id: string, value: string) => {
  (document.getElementById(id) as HTMLInputElement).value = value;
};

describe('createDemo', () => {
  let store: ReturnType<typeof memoryStore>;
  let created: RemoteEngineOptions[];
  let engine: StandInEngine;

  beforeEach(async () => {
    loadPage();
    serveBanks();
    store = memoryStore();
    created = [];
    const demo = createDemo({
      engine: async (options) => {
        created.push(options);
        engine = new StandInEngine(BANKS.banks.offensive!.fingerprint, options.task!);
        return engine;
      },
      store,
      dom: window,
    });
    await demo.start();
  });

  it('loads the first kind of answer’s bank and says what the bank and the backend are', () => {
    expect(document.body.dataset.ready).toBe('true');
    expect(created).toHaveLength(1);
    expect(created[0]!.bank).toEqual({
      kind: 'file',
      source: { kind: 'url', base: '/banks' },
      file: 'a1.safetensors',
    });
    expect(text('status')).toContain('Ready.');
    expect(text('bank-note')).toContain('8 adapters, each trained on one person of a1 data');
    expect(text('bank-note')).toContain('120 answers by 7 people');
    expect(document.body.dataset.backend).toBe('wasm');
    expect((document.getElementById('train-go') as HTMLButtonElement).disabled).toBe(false);
    expect((document.getElementById('k') as HTMLInputElement).max).toBe('8');
  });

  /** Pastes two examples and trains; resolves when the page says the profile is kept. */
  async function trainTwo(): Promise<void> {
    input('paste', 'text,label\na,1\nb,2');
    click('paste-go');
    const before = Number(data('trained') ?? 0);
    click('train-go');
    await until(() => Number(data('trained') ?? 0) === before + 1);
  }

  it('trains a person, keeps them, and compares their answer with the population’s', async () => {
    input('paste', 'text,label\nyou idiot,5\nnice day,1\nwhatever,bad');
    click('paste-go');
    expect(data('examples')).toBe('2');
    expect(text('problems')).toContain('row 4');
    input('person-name', 'Ann');
    click('train-go');
    await until(() => data('trained') === '1');
    expect(text('train-status')).toBe(
      'Trained in 3 s (4 steps); kept epoch 1, held-out mean squared error 0.400.',
    );
    expect(engine.trained[0]!.examples.map((e) => e.label)).toEqual([5, 1]);
    expect(engine.trained[0]!.options).toMatchObject({
      mask: { mode: 'hard', k: 5 },
      head: 'offset',
      epochs: 5,
    });
    expect([...store.records.values()].map((r) => r.info.name)).toEqual(['Ann']);
    expect(text('people')).toContain('Ann · hard mask');
    expect(document.getElementById('profile-details')!.hidden).toBe(false);
    expect(text('sizes')).toContain('Ann');
    expect((document.getElementById('share-link') as HTMLInputElement).value).toContain('#profile=');
    expect((document.getElementById('train-go') as HTMLButtonElement).disabled).toBe(false);

    input('try-text', 'you are an idiot');
    click('try-go');
    await until(() => data('compared') === '1');
    expect(text('answer-generic')).toBe('2.0 (offensiveness 1–5)');
    expect(text('answer-personal')).toBe('3.5 (offensiveness 1–5)');
    expect(text('answer-who')).toBe('Ann');
  });

  it('refuses options out of range before training, naming the range', async () => {
    input('k', '9');
    click('train-go');
    await until(() => text('train-status') !== '');
    expect(text('train-status')).toBe('k must be a whole number from 1 to N=8.');
    expect(engine.trained).toHaveLength(0);
  });

  it('retraining the selected person replaces their profile; another name makes a new person', async () => {
    await trainTwo();
    await trainTwo();
    expect(store.records.size).toBe(1);
    input('person-name', 'Bo');
    await trainTwo();
    expect([...store.records.values()].map((r) => r.info.name).sort()).toEqual(['Bo', 'Me']);
  });

  it('imports a pasted profile of the other kind of answer, switching to it, and refuses a foreign one', async () => {
    const like = profileOver(BANKS.banks.like!.fingerprint, 3);
    input('import-link', `https://example.org/#profile=${like.toString()}&name=Cy`);
    click('import-link-go');
    await until(() => text('person-message').startsWith('Imported'));
    expect(text('person-message')).toMatch(/^Imported Cy \(\d+ bytes\)\.$/);
    expect((document.getElementById('preset') as HTMLSelectElement).value).toBe('like');
    expect(text('bank-note')).toContain('b2 data');

    const foreign = profileOver('f'.repeat(64), 4);
    input('import-link', foreign.toString());
    click('import-link-go');
    await until(() => text('person-message').includes('does not have'));
    expect(document.getElementById('person-message')!.classList.contains('error')).toBe(true);
    expect(store.records.size).toBe(1);

    input('import-link', 'A'.repeat(100_000));
    click('import-link-go');
    await until(() => text('person-message').includes('longer than any profile'));
    expect(store.records.size).toBe(1);
  });

  it('deletes the person in use and then has no one to compare', async () => {
    await trainTwo();
    click('delete-profile');
    await until(() => store.records.size === 0);
    await until(() => text('person-message') === 'Deleted Me from this device.');
    expect(document.getElementById('profile-none')!.hidden).toBe(false);
    expect(document.querySelectorAll('#people button')).toHaveLength(0);
    input('try-text', 'hello');
    click('try-go');
    await until(() => text('try-status') !== '');
    expect(text('try-status')).toBe('Train or pick a person first.');
  });
});

describe('a profile that arrives by link', () => {
  const linked = () => profileOver(BANKS.banks.offensive!.fingerprint, 5, 0.5);

  async function openWith(hash: string, agree: boolean) {
    loadPage();
    serveBanks();
    const store = memoryStore();
    (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(
      `http://localhost:3000/${hash}`,
    );
    window.confirm = () => agree;
    const engine = async (options: RemoteEngineOptions) =>
      new StandInEngine(BANKS.banks.offensive!.fingerprint, options.task!);
    await createDemo({ engine, store, dom: window }).start();
    return store;
  }

  it('is kept only if the user agrees, and leaves the address', async () => {
    const hash = `#profile=${linked().toString()}&name=Dee`;
    const refused = await openWith(hash, false);
    expect(refused.records.size).toBe(0);
    expect(text('person-message')).toBe('The linked profile was not kept.');
    expect(window.location.hash).toBe('');

    const kept = await openWith(hash, true);
    expect([...kept.records.values()].map((r) => r.info.name)).toEqual(['Dee']);
    expect(text('person-message')).toMatch(/^Imported Dee/);
    expect(data('ready')).toBe('true');
  });
});

describe('createDemo without banks', () => {
  it('says how to build them and marks the page as failed', async () => {
    loadPage();
    window.fetch = (async () => new Response('', { status: 404 })) as typeof fetch;
    const demo = createDemo({
      engine: async () => {
        throw new Error('not reached');
      },
      store: memoryStore(),
      dom: window,
    });
    await demo.start();
    expect(text('status')).toContain('run `npm run bank:build`');
    expect(document.body.dataset.error).toContain('no trained banks');
    expect(document.body.dataset.ready).toBeUndefined();
  });
});
