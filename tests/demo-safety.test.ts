// @vitest-environment happy-dom
// What a person makes on the page is never lost and the page never acts on a stale view: kept examples
// survive a reload and a retrain, Train and Delete cannot interleave, a failed save keeps the trained
// profile on screen, a change in another tab is seen and never overwritten unasked, a page with one bank
// works, and every failure is shown in words.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDemo } from '../src/app/demo';
import { StorageQuotaError } from '../src/errors';
import type { RemoteEngineOptions } from '../src/runtime/remote-engine';
import { loadHistory, saveProfile } from '../src/runtime/storage';
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
  text,
  trainingHeld,
  until,
} from './helpers/demo-page';

const box = () => document.getElementById('keep-history') as HTMLInputElement;
const button = (id: string) => document.getElementById(id) as HTMLButtonElement;

describe('the page keeps what a person made', () => {
  let store: ReturnType<typeof pageStore>;
  let engine: StandInEngine;
  let created: RemoteEngineOptions[];

  /** Opens the page (again: a reload) over the same store. */
  async function open(index = BANKS, samples?: (banks: typeof fetch) => typeof fetch): Promise<void> {
    loadPage();
    serveBanks(index);
    if (samples) window.fetch = samples(window.fetch);
    created = [];
    await createDemo({
      engine: async (options) => {
        created.push(options);
        const entry = Object.values(index.banks).find(
          (b) => options.bank.kind === 'file' && b.file === options.bank.file,
        )!;
        engine = new StandInEngine(entry.fingerprint, options.task!);
        return engine;
      },
      store,
      dom: window,
    }).start();
  }

  async function train(): Promise<void> {
    const before = Number(data('trained') ?? 0);
    click('train-go');
    await until(() => Number(data('trained') ?? 0) === before + 1);
  }

  beforeEach(() => {
    store = pageStore();
    trainingHeld.until = Promise.resolve();
    window.confirm = () => true;
  });
  afterEach(() => {
    trainingHeld.until = Promise.resolve();
  });

  it('ticks "keep my examples" for a person who kept them, so a retrain after a reload keeps them', async () => {
    await open();
    input('paste', 'text,label\nyou idiot,5\nnice day,1');
    click('paste-go');
    box().checked = true;
    await train();
    const [me] = await store.list();
    expect(me!.hasHistory).toBe(true);

    await open(); // a reload
    expect(box().checked).toBe(false);
    (document.querySelector('#people button') as HTMLButtonElement).click();
    await until(() => text('person-message').startsWith('Now using Me.'));
    expect(data('examples')).toBe('2');
    expect(box().checked).toBe(true); // the box shows what is kept
    await train();
    expect(await loadHistory(me!.id, store.raw)).toHaveLength(2);

    // Unticked, the person chooses to drop them: the retrain deletes what was kept.
    box().checked = false;
    await train();
    expect(await loadHistory(me!.id, store.raw)).toBeUndefined();
    expect(await store.names()).toEqual(['Me']);
  });

  it('starts one training however fast Train is clicked', async () => {
    await open();
    input('paste', 'text,label\na,1\nb,2');
    click('paste-go');
    click('train-go');
    click('train-go');
    await until(() => data('trained') === '1');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(engine.trained).toHaveLength(1);
    expect(await store.names()).toEqual(['Me']);
  });

  it('locks Delete while a profile trains, and keeps a profile whose save failed on the page to save as new', async () => {
    await open();
    input('paste', 'text,label\na,1\nb,2');
    click('paste-go');
    await train();
    let release = () => {};
    trainingHeld.until = new Promise((resolve) => {
      release = resolve;
    });
    click('train-go'); // retraining Me
    await until(() => engine.trained.length === 2);
    expect(button('delete-profile').disabled).toBe(true);
    expect(button('train-go').disabled).toBe(true);
    const save = store.save;
    store.save = async () => {
      throw new StorageQuotaError(2000, 10);
    };
    release();
    await until(() => text('train-status').includes('could not be saved'));
    expect(text('train-status')).toMatch(/^Trained in .*, but it could not be saved: Not enough storage/);
    expect(document.getElementById('train-status')!.classList.contains('error')).toBe(true);
    expect(button('delete-profile').disabled).toBe(false);
    expect(document.getElementById('profile-details')!.hidden).toBe(false);
    expect(button('save-new').hidden).toBe(false);
    expect((document.getElementById('share-link') as HTMLInputElement).value).toContain('#profile=');

    store.save = save;
    click('save-new');
    await until(() => text('person-message') === 'Saved Me as a new person.');
    expect(await store.names()).toEqual(['Me', 'Me']); // the first profile was never touched
    expect(button('save-new').hidden).toBe(true);
  });

  it('deletes a person only when the user confirms', async () => {
    await open();
    input('paste', 'text,label\na,1\nb,2');
    click('paste-go');
    box().checked = true;
    await train();
    const asked: string[] = [];
    window.confirm = (question) => {
      asked.push(String(question));
      return false;
    };
    click('delete-profile');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(asked).toEqual(['Delete Me and their kept examples from this device?']);
    expect(await store.names()).toEqual(['Me']);
    window.confirm = () => true;
    click('delete-profile');
    await until(() => text('person-message') === 'Deleted Me from this device.');
    expect(await store.names()).toEqual([]);
  });

  it('follows a change made in another tab, and never overwrites one it has not seen', async () => {
    await open();
    input('paste', 'text,label\na,1\nb,2');
    click('paste-go');
    await train();
    const [me] = await store.list();
    const elsewhere = profileOver(BANKS.banks.offensive!.fingerprint, 40, 2.5);
    const later = () => new Promise((resolve) => setTimeout(resolve, 5));

    await later();
    await saveProfile('Me', elsewhere, { id: me!.id }, store.raw);
    store.otherTab(me!.id);
    await until(() => text('person-message').includes('changed in another tab'));
    expect(text('sizes')).toContain('Me');

    // Changed again without a word (a tab that was closed mid-way): the retrain refuses to overwrite.
    await later();
    await saveProfile('Me', elsewhere, { id: me!.id }, store.raw);
    click('train-go');
    await until(() => text('train-status').includes('could not be saved'));
    expect(text('train-status')).toContain('after it was read');
    expect(button('save-new').hidden).toBe(false);
    expect(await store.names()).toEqual(['Me']);
  });

  it('works with one bank in its index: loads it, offers only its kind of answer and imports its profiles', async () => {
    const like = BANKS.banks.like!;
    await open({ ...BANKS, banks: { like } });
    expect(data('ready')).toBe('true');
    expect(created[0]!.bank).toMatchObject({ file: like.file });
    const offered = [...(document.getElementById('preset') as HTMLSelectElement).options].map((o) => o.value);
    expect(offered).toEqual(['like']);

    input(
      'import-link',
      `https://example.org/#profile=${profileOver(like.fingerprint, 3).toString()}&name=Cy`,
    );
    click('import-link-go');
    await until(() => text('person-message').startsWith('Imported Cy'));

    input('import-link', 'A'.repeat(100_000));
    click('import-link-go');
    await until(() => text('person-message').includes('longer than any profile'));
    expect(document.getElementById('person-message')!.classList.contains('error')).toBe(true);
  });

  it('says plainly that a kind of answer never used online needs a connection', async () => {
    await open();
    engine.variant = async () => {
      throw new Error('Cannot read b2.safetensors from /banks: Failed to fetch');
    };
    const preset = document.getElementById('preset') as HTMLSelectElement;
    preset.value = 'like';
    preset.dispatchEvent(new Event('change'));
    input('paste', 'text,label\na,yes\nb,no');
    click('paste-go');
    click('train-go');
    await until(() => text('train-status').includes('could not be loaded'));
    expect(text('train-status')).toBe(
      'The bank for "Do I like this? (yes / no)" could not be loaded (Cannot read b2.safetensors from /banks: Failed to fetch). A bank is kept on this device once it has been used with a connection; offline, only those used before work.',
    );
    expect(button('train-go').disabled).toBe(false);
  });

  it('says where a sample came from once, outside the problems box, and says plainly when one needs a connection', async () => {
    const sample = {
      id: 's1',
      preset: 'offensive',
      name: 'Ann (POPQUORN annotator 258)',
      description: 'strict',
      source: { dataset: 'POPQUORN offensiveness (Pei & Jurgens)' },
      examples: [
        { text: 'you idiot', label: 5 },
        { text: 'nice day', label: 1 },
      ],
    };
    let online = true;
    await open(
      BANKS,
      (banks) =>
        (async (url: string) => {
          if (String(url).endsWith('/samples/index.json'))
            return new Response(JSON.stringify({ users: [sample] }), { status: 200 });
          if (String(url).includes('/samples/')) {
            if (!online) throw new TypeError('Failed to fetch');
            return new Response(JSON.stringify(sample), { status: 200 });
          }
          return banks(url);
        }) as typeof fetch,
    );
    click('load-sample');
    await until(() => data('examples') === '2');
    expect(text('history-status')).toBe('Added 2 examples from Ann (POPQUORN annotator 258).');
    expect(text('problems')).toBe('');

    online = false;
    click('load-sample');
    await until(() => text('problems') !== '');
    expect(text('problems')).toContain('offline');
  });
});
