// @vitest-environment happy-dom
// The demo page's controller without a browser or a model: index.html in happy-dom, createDemo with a
// stand-in engine (fixed answers, a profile per training) and a store in memory. The whole flow runs
// through the page's own controls — train, compare, share, import, delete — and the page's hooks and
// messages say what a user sees. The real engine and IndexedDB run in tests/browser/demo.test.ts.

import { beforeEach, describe, expect, it } from 'vitest';
import { createDemo } from '../src/app/demo';
import type { RemoteEngineOptions } from '../src/runtime/remote-engine';
import {
  BANKS,
  click,
  data,
  input,
  loadPage,
  pageStore,
  profileOver,
  StandInEngine,
  serveBanks,
  TEXTS,
  text,
  until,
} from './helpers/demo-page';

describe('createDemo', () => {
  let store: ReturnType<typeof pageStore>;
  let created: RemoteEngineOptions[];
  let engine: StandInEngine;

  beforeEach(async () => {
    loadPage();
    serveBanks();
    store = pageStore();
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
      sha256: BANKS.banks.offensive!.sha256,
    });
    // Every model file is pinned to what the banks were built on.
    expect(created[0]!.pinned).toEqual(BANKS.modelFiles);
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
      epochs: 3, // the page trains as the evaluation does (PAGE_TRAINING)
    });
    expect(await store.names()).toEqual(['Ann']);
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
    expect(await store.names()).toHaveLength(1);
    input('person-name', 'Bo');
    await trainTwo();
    expect(await store.names()).toEqual(['Bo', 'Me']);
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
    expect(await store.names()).toHaveLength(1);

    input('import-link', 'A'.repeat(100_000));
    click('import-link-go');
    await until(() => text('person-message').includes('longer than any profile'));
    expect(await store.names()).toHaveLength(1);
  });

  it('ranks the comments never rated by generic and personal answer: a bias alone keeps the order', async () => {
    await trainTwo();
    click('rank-go');
    await until(() => data('ranked') === '1');
    expect(engine.ranked.map((r) => r.maxLength)).toEqual([64, 64]);
    const texts = (id: string) =>
      [...document.querySelectorAll(`#${id} li .text`)].map((li) => li.textContent);
    const longestFirst = TEXTS['a1-texts.json']!.texts.map((t) => t.text).reverse();
    expect(texts('rank-generic')).toEqual(longestFirst);
    expect(texts('rank-personal')).toEqual(longestFirst);
    expect(text('rank-summary')).toBe(
      'Spearman rank correlation between the two orders: 1.00 (1 is the same order, 0 unrelated, −1 reversed): ' +
        'your profile keeps the order of the 4 comments you have not rated and only shifts the answers. ' +
        'On average it answers +1.50 (offensiveness 1–5) against everyone.',
    );
    expect(text('rank-personal-title')).toBe("Me's order");
    expect(text('rank-note')).toBe('Data: a1 data.');
  });

  it('over the jokes’ bank: rates the jokes asked first, trains at the bank’s length, ranks the rest and names the people the mask picks', async () => {
    const preset = document.getElementById('preset') as HTMLSelectElement;
    preset.value = 'funny';
    preset.dispatchEvent(new Event('change'));
    await until(() => document.querySelectorAll('#rate-list li').length === 3);
    const note = 'Jester data: the jokes’ authors. Content note: old jokes.';
    expect(document.getElementById('rate-first')!.hidden).toBe(false);
    expect(text('rate-title')).toBe('Rate these 3 jokes first');
    expect(text('data-note')).toBe(note);
    expect(text('rate-note')).toBe(note);
    expect(text('rank-go')).toBe('Rank the jokes I have not rated');
    // The jokes are read through the model as soon as their kind of answer is shown, all of them.
    await until(() => text('rank-status').startsWith('Read the 12 jokes in '));
    expect(engine.ranked[0]).toEqual({
      texts: TEXTS['c3-texts.json']!.texts.map((t) => t.text),
      maxLength: 256,
    });
    expect(document.querySelector('label[for="rate-2"]')!.textContent).toBe(
      'Your rating of joke 2 (−10 to +10)',
    );
    const slider = (id: string) => document.getElementById(`rate-${id}`) as HTMLInputElement;
    const rate = (id: string, value: string) => {
      slider(id).value = value;
      slider(id).dispatchEvent(new Event('input'));
      (slider(id).parentElement!.querySelector('button') as HTMLButtonElement).click();
    };
    rate('2', '7');
    expect(slider('2').parentElement!.querySelector('output')!.textContent).toBe('7');
    rate('3', '-4');
    rate('2', '9'); // a second rating of the same joke replaces the first
    expect(data('examples')).toBe('2');
    expect(text('rate-status')).toBe('Rated joke 2: 9. 2 of these 3 jokes rated.');

    input('person-name', 'Jo');
    click('train-go');
    await until(() => data('trained') === '1');
    const jokes = TEXTS['c3-texts.json']!.texts;
    expect(engine.variants).toContainEqual(
      expect.objectContaining({
        keepSiteStates: true,
        bank: expect.objectContaining({ file: 'c3.safetensors' }),
      }),
    );
    expect(engine.trained[0]!.examples).toEqual([
      { text: jokes[2]!.text, label: -4 },
      { text: jokes[1]!.text, label: 9 },
    ]);
    expect(engine.trained[0]!.options.maxLength).toBe(256);
    // Over people's adapters the page mixes their answers, as the evaluation found carries taste.
    expect(engine.trained[0]!.options.mask).toMatchObject({ mode: 'hard', mix: 'outputs' });

    click('rank-go');
    await until(() => data('ranked') === '1');
    const texts = (id: string) =>
      [...document.querySelectorAll(`#${id} li .text`)].map((li) => li.textContent);
    const unrated = jokes.filter((j) => j.id !== '2' && j.id !== '3').map((j) => j.text);
    expect(texts('rank-generic')).toEqual([...unrated].reverse()); // the stand-in: longer is funnier
    expect(texts('rank-personal')).toEqual(unrated); // …and Jo's profile reverses it
    expect(document.querySelector('#rank-personal li .move')!.textContent).toBe('(up 9)');
    expect(text('rank-summary')).toMatch(
      /^Spearman rank correlation between the two orders: -1\.00 .*: your profile moves 10 of the 10 jokes you have not rated to another place\./,
    );
    expect(text('rank-note')).toBe(note);

    expect(text('mask-people-caption')).toMatch(/^Your profile picks these \d+ of 8 people: /);
    const named = [...document.querySelectorAll('#mask-people li')].map((li) => li.textContent);
    expect(named.length).toBeGreaterThanOrEqual(2);
    for (const person of named) expect(person).toMatch(/^c3-person-\d \(\d+% of the mask\): taste \d$/);
    expect(text('mask-people-note')).toBe(note);
  });

  it('deletes the person in use and then has no one to compare', async () => {
    await trainTwo();
    window.confirm = () => true;
    click('delete-profile');
    await until(() => text('person-message') === 'Deleted Me from this device.');
    expect(await store.names()).toEqual([]);
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
    const store = pageStore();
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
    expect(await refused.names()).toEqual([]);
    expect(text('person-message')).toBe('The linked profile was not kept.');
    expect(window.location.hash).toBe('');

    const kept = await openWith(hash, true);
    expect(await kept.names()).toEqual(['Dee']);
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
      store: pageStore(),
      dom: window,
    });
    await demo.start();
    expect(text('status')).toContain('run `npm run bank:build`');
    expect(document.body.dataset.error).toContain('no trained banks');
    expect(document.body.dataset.ready).toBeUndefined();
  });
});
