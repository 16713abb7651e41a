// The demo page's whole flow in Chromium on WebGPU (a tiny model and tiny trained banks for speed):
// load, add history (a sample person and pasted CSV with bad rows), train a mask over the shared head,
// compare with the generic answer (the population head, nothing trained for it), export a link, open
// it in a fresh browser, import, and get the same answers; the same offline after a reload; a
// keyboard-only run on the other kind of answer (its own bank) with a personal head; jokes rated with
// the keyboard, then the unrated ones ranked by the generic and the personal answer; cancelling keeps
// the old profile and locks who and what while training runs; a foreign profile is refused; nothing is
// sent while training and predicting, and each tab counts its own requests only; the content security
// policy refuses inline script and the page breaks none of it; a new build sheds the old build's
// offline files.
// Screenshots of every step at desktop and phone sizes are kept in test-results/demo/.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeProfile, Profile } from '../../src/advanced';
import { launchBrowser } from '../../tools/browser';
import { ROOT, type Site, startSite, writeSamples, writeTinyPageBanks } from '../../tools/site';
import { writeTinyModel } from '../helpers/tiny-model';

const SHOTS = join(ROOT, 'test-results', 'demo');
const SIZES = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } };
const PROBE = 'You are a complete idiot and everyone knows it.';
const TIMEOUT = 240_000;

describe('the demo page', () => {
  let site: Site;
  let browser: BrowserContext;
  let page: Page;
  let pageUrl: string;
  const requests: Request[] = [];

  beforeAll(async () => {
    const modelDir = writeTinyModel({ seed: 23 });
    site = await startSite({ '/models/tiny/': modelDir });
    ({ browser, page } = site);
    writeSamples(site.outDir);
    writeTinyPageBanks(site.outDir, modelDir);
    pageUrl = `${site.server.url}/?model=/models/tiny&backend=webgpu`;
    mkdirSync(SHOTS, { recursive: true });
    browser.on('request', (r) => requests.push(r));
    await browser.addInitScript(() => {
      const seen: string[] = [];
      (window as never as { cspViolations: string[] }).cspViolations = seen;
      document.addEventListener('securitypolicyviolation', (e) =>
        seen.push(`${e.effectiveDirective} ${e.blockedURI}`),
      );
    });
    page.setDefaultTimeout(TIMEOUT); // SwiftShader compiles shaders for every new shape: slow, not stuck
    await page.setViewportSize(SIZES.desktop);
  }, TIMEOUT);
  afterAll(() => site?.close());

  /** Full-page screenshots of the current state at both sizes. */
  async function shoot(p: Page, name: string): Promise<void> {
    for (const [size, viewport] of Object.entries(SIZES)) {
      await p.setViewportSize(viewport);
      await p.screenshot({ path: join(SHOTS, `${name}-${size}.png`), fullPage: true });
    }
    await p.setViewportSize(SIZES.desktop);
  }

  const data = (p: Page, key: string) => p.evaluate((k) => document.body.dataset[k], key);
  const waitFor = (p: Page, key: string, value: string) =>
    p.waitForFunction(([k, v]) => document.body.dataset[k!] === v, [key, value] as const, {
      timeout: TIMEOUT,
    });

  const cspViolations = (p: Page) =>
    p.evaluate(() => (window as never as { cspViolations: string[] }).cspViolations);

  async function open(p: Page, url: string): Promise<void> {
    await p.goto(url);
    await p.waitForFunction(
      () => document.body.dataset.ready === 'true' || document.body.dataset.error,
      null,
      {
        timeout: TIMEOUT,
      },
    );
    expect(await data(p, 'error')).toBeUndefined();
  }

  it(
    'loads with per-file progress and names the backend',
    async () => {
      await open(page, pageUrl);
      expect(await data(page, 'backend')).toBe('webgpu');
      const files = await page.$$eval('#files li', (lis) => lis.map((li) => li.textContent ?? ''));
      expect(files.length).toBe(5); // config, tokenizer, tokenizer config, weights, the rating bank
      for (const f of files) expect(f).toContain('(100%)');
      expect(await page.textContent('#backend-note')).toContain('WebGPU');
      expect(await page.textContent('#backend-note')).toMatch(
        /^Running on WebGPU \(software adapter: [^)]+\): forced by the caller/,
      );
      await shoot(page, '01-loaded');
    },
    TIMEOUT,
  );

  it(
    'adds a sample person and reports every bad pasted row with its reason',
    async () => {
      await page.selectOption('#sample', { index: 2 });
      await page.click('#load-sample');
      await waitFor(page, 'examples', '50');
      await page.click('#history summary');
      await page.fill(
        '#paste',
        'text,label\nwhat a lovely day,1\n,4\nshut up,9\nfine,three\n"a,b",2,extra\n',
      );
      await page.click('#paste-go');
      await waitFor(page, 'examples', '51');
      const problems = await page.$$eval('#problems li', (lis) => lis.map((li) => li.textContent));
      expect(problems).toEqual([
        'row 3: the text is empty (no letter, digit or sign to read)',
        'row 4: label 9 is outside 1–5',
        'row 5: label "three" is not a number',
        'row 6: the row has 3 fields; 2 were expected',
      ]);
      expect(await page.textContent('#history-status')).toBe('Added 1 example from pasted text.');
      await shoot(page, '02-history');
    },
    TIMEOUT,
  );

  let personal = '';
  let link = '';

  it(
    'trains with live progress, sends nothing while training and predicting, and compares answers',
    async () => {
      await page.fill('#person-name', 'Alex');
      await page.fill('#k', '4');
      await page.fill('#epochs', '2');
      const before = requests.length;
      await page.click('#train-go');
      await waitFor(page, 'trained', '1');
      expect(await page.textContent('#train-status')).toMatch(/Trained in .* steps/);
      await page.fill('#try-text', PROBE);
      await page.click('#try-go');
      await waitFor(page, 'compared', '1');
      // Nothing is fetched for the generic answer: the bank loaded at start carries its population head.
      expect(requests.slice(before).map((r) => r.url())).toEqual([]);
      expect(await data(page, 'sentDuringJobs')).toBe('0');
      expect(await page.textContent('#sent-during')).toBe('0 bytes (0 requests)');
      // The engine worker's downloads count as this page's too.
      const workerFiles = requests.filter((r) => /\/(models|banks)\//.test(r.url())).length;
      expect(workerFiles).toBeGreaterThan(0);
      expect(Number(await data(page, 'requests'))).toBeGreaterThan(workerFiles);
      expect(await cspViolations(page)).toEqual([]);
      personal = (await page.textContent('#answer-personal')) ?? '';
      expect(personal).toMatch(/^\d\.\d \(offensiveness 1–5\)$/);
      expect(await page.textContent('#answer-generic')).toMatch(/^\d\.\d \(offensiveness 1–5\)$/);
      expect(await page.$$eval('#people button', (b) => b.map((x) => x.textContent))).toEqual([
        expect.stringMatching(/^Alex · hard mask · [\d,]+ bytes$/),
      ]);
      expect(await page.locator('#mask rect').count()).toBe(2 * 1 * 4); // tiny banks from layer 1: 1 site × (down, up) × k
      // The default profile is the mask and a personal bias over the bank's population head.
      expect(await page.textContent('#sizes')).toMatch(
        /its own bias 4 bytes over the bank’s population head.*× smaller/,
      );
      expect(await page.textContent('#bank-note')).toMatch(
        /^Bank: 6 adapters, each trained on one person of POPQUORN/,
      );
      await shoot(page, '03-trained-and-compared');
      link = await page.inputValue('#share-link');
      expect(link).toContain('#profile=');
    },
    TIMEOUT,
  );

  it(
    'opens the share link in a fresh browser, asks before keeping it, imports it and gives the same answer',
    async () => {
      const fresh = await launchBrowser();
      try {
        const other = await fresh.newPage();
        other.setDefaultTimeout(TIMEOUT);
        await other.setViewportSize(SIZES.desktop);
        // A link carries no query; this test page runs on the tiny model, so the recipient adds it back.
        expect(new URL(link).search).toBe('');
        const received = new URL(link);
        received.search = new URL(pageUrl).search;
        let asked = '';
        other.once('dialog', (d) => {
          asked = d.message();
          void d.dismiss();
        });
        await open(other, received.toString());
        expect(asked).toMatch(
          /A link brings a profile named "Alex" \(\d+ bytes\)\. Keep it on this device\?/,
        );
        expect(await other.textContent('#person-message')).toBe('The linked profile was not kept.');
        expect(await other.locator('#people button').count()).toBe(0);
        other.once('dialog', (d) => void d.accept());
        await other.goto('about:blank'); // the same URL again would be a fragment change, not a load
        await open(other, received.toString());
        expect(await other.textContent('#person-message')).toContain('Imported Alex');
        expect(other.url()).not.toContain('#profile='); // the fragment is consumed once
        await other.fill('#try-text', PROBE);
        await other.click('#try-go');
        await waitFor(other, 'compared', '1');
        expect(await other.textContent('#answer-personal')).toBe(personal);
        await shoot(other, '04-imported-from-link');
      } finally {
        await fresh.close();
      }
    },
    TIMEOUT,
  );

  it(
    'refuses a profile made for another model, naming both',
    async () => {
      const text = new URL(link).hash.match(/profile=([^&]+)/)![1]!;
      const foreign = Profile.fromString(decodeURIComponent(text)).data;
      const bytes = encodeProfile({ ...foreign, modelFingerprint: 'ab'.repeat(32) });
      await page.fill('#import-link', Profile.fromBytes(bytes).toString());
      await page.click('#import-link-go');
      await page.waitForFunction(() =>
        document.getElementById('person-message')?.classList.contains('error'),
      );
      const message = await page.textContent('#person-message');
      expect(message).toContain(`trained for model ${'ab'.repeat(32)}`);
      expect(await page.locator('#people button').count()).toBe(1);
      // The real fingerprints with a shape this bank cannot have: refused in full, before keeping.
      const refused = async (profileText: string) => {
        await page.fill('#import-link', profileText);
        await page.evaluate(() => {
          document.getElementById('person-message')!.textContent = '';
        });
        await page.click('#import-link-go');
        await page.waitForFunction(() => document.getElementById('person-message')!.textContent !== '');
        return page.textContent('#person-message');
      };
      // Hard masks over `sites` sites: the first k adapters of every row.
      const masks = (sites: number) =>
        Float32Array.from({ length: 2 * sites * foreign.n }, (_, i) => (i % foreign.n < foreign.k ? 1 : 0));
      const sites = foreign.sites + 1;
      const extra = encodeProfile({ ...foreign, sites, scores: masks(sites) });
      expect(await refused(Profile.fromBytes(extra).toString())).toContain(`${sites} pfeiffer sites`);
      const huge = encodeProfile({ ...foreign, sites: 40_000, scores: masks(40_000) });
      expect(await refused(Profile.fromBytes(huge).toString())).toMatch(
        /longer than any profile for this page's banks; it was not read/,
      );
      expect(await page.locator('#people button').count()).toBe(1);
      await shoot(page, '05-foreign-profile-refused');
    },
    TIMEOUT,
  );

  it(
    'cancelling keeps the previous profile, and the counter does count requests made during a job',
    async () => {
      const stored = await page.textContent('#people button');
      const sizes = await page.textContent('#sizes');
      await page.fill('#epochs', '50');
      await page.click('#train-go');
      await page.waitForFunction(() =>
        /step \d+ of/.test(document.getElementById('train-status')?.textContent ?? ''),
      );
      // Who the profile is for, their kind of answer, their examples and the options are locked.
      const locked = () =>
        page.$$eval('#people button, #preset, #person-name, #import-link-go, #load-sample, #k', (els) =>
          els.map((el) => el.matches(':disabled')),
        );
      expect(await locked()).toEqual([true, true, true, true, true, true]);
      await page.evaluate(() => fetch('/samples/index.json?during-training').then((r) => r.text()));
      await page.waitForFunction(() => Number(document.body.dataset.sentDuringJobs) > 0);
      await page.keyboard.press('Enter'); // focus moved to Cancel when training started
      await page.waitForFunction(() =>
        document.getElementById('train-status')?.textContent?.includes('cancelled'),
      );
      expect(await page.textContent('#people button')).toBe(stored);
      expect(await locked()).toEqual([false, false, false, false, false, false]);
      expect(await page.textContent('#sizes')).toBe(sizes);
      expect(await data(page, 'trained')).toBe('1');
      await shoot(page, '06-cancelled');
    },
    TIMEOUT,
  );

  it(
    'works offline after the first visit, whatever the query: reloads, switches to the saved person and answers the same',
    async () => {
      await browser.setOffline(true);
      try {
        // The same page with its query in another order: never visited as such, answered from the kept page.
        const reordered = new URL(pageUrl);
        reordered.search = `?backend=webgpu&model=${reordered.searchParams.get('model')}`;
        expect(reordered.toString()).not.toBe(pageUrl);
        await open(page, reordered.toString());
        await page.click('#people button');
        await page.waitForFunction(() =>
          document.getElementById('person-message')?.textContent?.includes('Now using'),
        );
        await page.fill('#try-text', PROBE);
        await page.click('#try-go');
        await waitFor(page, 'compared', '1');
        expect(await page.textContent('#answer-personal')).toBe(personal);
      } finally {
        await browser.setOffline(false);
      }
    },
    TIMEOUT,
  );

  it(
    'runs the main flow with the keyboard alone',
    async () => {
      const counted = await data(page, 'requests');
      const keys = await browser.newPage();
      keys.setDefaultTimeout(TIMEOUT);
      await keys.setViewportSize(SIZES.phone);
      await open(keys, pageUrl);
      /** Presses Tab until the element with `id` has focus; fails if it is not reachable. */
      const tabTo = async (id: string) => {
        for (let i = 0; i < 120; i++) {
          if ((await keys.evaluate(() => document.activeElement?.id)) === id) return;
          await keys.keyboard.press('Tab');
        }
        throw new Error(`#${id} cannot be reached with Tab`);
      };
      await tabTo('preset');
      await keys.keyboard.press('ArrowDown'); // "Do I like this?"
      await tabTo('sample');
      await keys.keyboard.press('ArrowDown');
      await tabTo('load-sample');
      await keys.keyboard.press('Enter');
      await keys.waitForFunction(() => Number(document.body.dataset.examples) > 0);
      await tabTo('epochs');
      await keys.keyboard.press('Control+A');
      await keys.keyboard.type('1');
      await tabTo('personal-head');
      await keys.keyboard.press('ArrowDown'); // from "my own bias" to "a task head of my own"
      await tabTo('train-go');
      await keys.keyboard.press('Enter');
      await waitFor(keys, 'trained', '1');
      await tabTo('try-text');
      await keys.keyboard.type('This guitar stopped working after a week.');
      await tabTo('try-go');
      await keys.keyboard.press('Enter');
      await waitFor(keys, 'compared', '1');
      expect(await keys.textContent('#answer-personal')).toMatch(/^(yes|no) \(\d+%\)$/);
      expect(await keys.textContent('#answer-generic')).toMatch(/^(yes|no) \(\d+%\)$/);
      expect(await keys.textContent('#bank-note')).toContain('Amazon reviews');
      expect(await keys.textContent('#sizes')).toMatch(/task head of its own [\d,]+ bytes/);
      await keys.screenshot({ path: join(SHOTS, '07-keyboard-only-phone.png'), fullPage: true });
      expect(await cspViolations(keys)).toEqual([]);
      await keys.close();
      // The other tab's requests were not counted here.
      expect(await data(page, 'requests')).toBe(counted);
    },
    TIMEOUT,
  );

  it(
    'over the jokes: rates gauge jokes with the keyboard, ranks the unrated jokes both ways and names the people the mask picks',
    async () => {
      await page.selectOption('#preset', 'funny');
      await page.waitForFunction(() => document.querySelectorAll('#rate-list li').length === 10);
      for (const note of ['#data-note', '#rate-note'])
        expect(await page.textContent(note)).toMatch(
          /^Jester data: Ken Goldberg.*Content note: the jokes are from 1999–2003/,
        );
      await page.click('#clear-history');
      // A slider moves with the keyboard; its button adds the rating.
      const rate = async (joke: string, key: string) => {
        await page.focus(`#rate-${joke}`);
        await page.keyboard.press(key);
        await page.locator(`#rate-${joke} ~ button`).click();
      };
      await rate('5', 'End');
      await rate('7', 'Home');
      await rate('8', 'ArrowRight');
      await waitFor(page, 'examples', '3');
      expect(
        await page.$$eval('#examples tbody tr td:nth-child(2)', (tds) => tds.map((td) => td.textContent)),
      ).toEqual(['10', '-10', '1']);
      await page.fill('#person-name', 'Jo');
      await page.fill('#epochs', '2');
      const trained = Number((await data(page, 'trained')) ?? 0);
      await page.click('#train-go');
      await waitFor(page, 'trained', String(trained + 1));
      await page.click('#rank-go');
      await waitFor(page, 'ranked', '1');
      expect(await page.locator('#rank-generic li').count()).toBe(97);
      expect(await page.locator('#rank-personal li').count()).toBe(97);
      expect(await page.textContent('#rank-summary')).toMatch(
        /^Spearman rank correlation between the two orders: -?[01]\.\d\d .* the 97 jokes you have not rated/,
      );
      expect(await page.textContent('#rank-note')).toMatch(/^Jester data: /);
      const people = await page.$$eval('#mask-people li', (lis) => lis.map((li) => li.textContent));
      expect(people.length).toBeGreaterThanOrEqual(1);
      for (const p of people)
        expect(p).toMatch(
          /^u\d{5} \(\d+% of the mask\): mean rating [+−]\d\.\d\d over 100 jokes; favourite: “/,
        );
      expect(await page.textContent('#mask-people-caption')).toMatch(
        /^Your profile picks these \d of 6 people/,
      );
      expect(await cspViolations(page)).toEqual([]);
      await shoot(page, '08-jokes-ranked');
    },
    TIMEOUT,
  );

  it(
    'refuses inline script, says the counter measures nothing after a hard reload, and a new build drops the old build’s files',
    async () => {
      const build = await page.evaluate(
        () => new URL(navigator.serviceWorker.controller!.scriptURL).searchParams.get('build') ?? '',
      );
      expect(build).toMatch(/^[0-9a-f]{16}$/);
      expect(await page.evaluate(() => caches.keys())).toContain(`xpeft-app-${build}`);
      const inlineRan = await page.evaluate(() => {
        const script = document.createElement('script');
        script.textContent = 'document.body.dataset.inlineRan = "yes"';
        document.body.append(script);
        return document.body.dataset.inlineRan === 'yes';
      });
      expect(inlineRan).toBe(false);
      expect(await cspViolations(page)).toEqual(['script-src-elem inline']);

      const cdp = await browser.newCDPSession(page);
      await cdp.send('Page.reload', { ignoreCache: true });
      await page.waitForFunction(() => document.body.dataset.ready === 'true' || document.body.dataset.error);
      expect(await data(page, 'error')).toBeUndefined();
      expect(await page.textContent('#sent-during')).toBe('not measured');
      expect(await data(page, 'requests')).toBeUndefined();

      // The next build registers its worker under its own name; once it is active the old files are gone.
      const left = await page.evaluate(async () => {
        const registration = await navigator.serviceWorker.register('/sw.js?build=next', { scope: '/' });
        const next = registration.installing ?? registration.waiting ?? registration.active!;
        if (next.state !== 'activated')
          await new Promise<void>((resolve) =>
            next.addEventListener('statechange', () => next.state === 'activated' && resolve()),
          );
        return caches.keys();
      });
      expect(left).not.toContain(`xpeft-app-${build}`);
      expect(left.filter((k) => k.startsWith('xpeft-app-'))).toEqual(
        left.includes('xpeft-app-next') ? ['xpeft-app-next'] : [],
      );
    },
    TIMEOUT,
  );
});
