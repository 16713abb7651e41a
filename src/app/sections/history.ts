// The person's examples: typed one by one, pasted or imported as CSV/JSON, or loaded from a sample
// person. Rows that cannot be used are listed with their reason; nothing is dropped silently.

import { HISTORY_LIMITS, importHistory, type RowProblem } from '../../history/import';
import type { Example } from '../../xpeft/task';
import type { Dom } from '../dom';
import type { PageHooks } from '../hooks';
import type { Preset, SampleIndex, SampleUser } from '../presets';

export class HistorySection {
  private examples: Example[] = [];
  private preset: Preset;
  private samples: SampleIndex = { users: [] };

  constructor(
    private readonly dom: Dom,
    private readonly hooks: PageHooks,
    preset: Preset,
  ) {
    this.preset = preset;
    this.dom.byId('add-example').addEventListener('click', () => this.addTyped());
    this.dom.byId('paste-go').addEventListener('click', () => {
      const paste = this.dom.byId<HTMLTextAreaElement>('paste');
      if (this.addImported(paste.value, 'pasted text')) paste.value = '';
    });
    this.dom.byId<HTMLInputElement>('history-file').addEventListener('change', async (e) => {
      const input = e.target as HTMLInputElement;
      const file = input.files?.[0];
      if (file) this.addImported(await file.text(), file.name);
      input.value = '';
    });
    this.dom.byId('clear-history').addEventListener('click', () => this.set([]));
    this.dom
      .byId('load-sample')
      .addEventListener('click', () => void this.dom.run('problems', () => this.loadSample()));
    this.render();
  }

  get items(): readonly Example[] {
    return this.examples;
  }

  set(examples: Example[]): void {
    this.examples = examples;
    this.render();
  }

  /** A rating of a text, replacing any earlier answer for the same text. */
  rate(text: string, label: number): void {
    this.examples = [...this.examples.filter((e) => e.text !== text), { text, label }];
    this.dom.byId('problems').replaceChildren();
    this.render();
  }

  /** Switches the kind of answer; examples that no longer fit are listed as problems, not kept. */
  setPreset(preset: Preset): void {
    this.preset = preset;
    this.dom.byId('question').textContent = `Question: ${preset.question}`;
    const select = this.dom.byId<HTMLSelectElement>('example-label');
    const rule = preset.rule;
    const options =
      rule.kind === 'choice'
        ? rule.labels
        : Array.from({ length: rule.max - rule.min + 1 }, (_, i) => String(rule.min + i));
    select.replaceChildren(...options.map((o) => this.dom.h('option', { value: o }, o)));
    const kept = importHistory(JSON.stringify(this.examples), preset.rule);
    this.examples = kept.examples;
    this.showProblems(kept.problems, `your examples under "${preset.question}"`);
    this.renderSamples();
    this.render();
  }

  /** Reads the sample index; without one (datasets not installed) the sample picker says so. */
  async loadIndex(): Promise<void> {
    try {
      const res = await this.dom.window.fetch('/samples/index.json');
      if (res.ok) this.samples = (await res.json()) as SampleIndex;
    } catch {
      // offline before the first visit cached it: no samples
    }
    this.renderSamples();
  }

  private renderSamples(): void {
    const users = this.samples.users.filter((u) => u.preset === this.preset.id);
    const select = this.dom.byId<HTMLSelectElement>('sample');
    select.replaceChildren(
      ...(users.length > 0
        ? users.map((u) => this.dom.h('option', { value: u.id }, `${u.name}: ${u.description}`))
        : [this.dom.h('option', { value: '' }, 'No sample people are installed (run npm run samples)')]),
    );
    this.dom.byId<HTMLButtonElement>('load-sample').disabled = users.length === 0;
  }

  private async loadSample(): Promise<void> {
    const id = this.dom.byId<HTMLSelectElement>('sample').value;
    if (!id) return;
    const user = await fetchSample(this.dom.window, id);
    this.dom.byId<HTMLInputElement>('person-name').value = user.name.split(' (')[0]!;
    this.set([]);
    this.addImported(JSON.stringify(user.examples), user.name);
  }

  private addTyped(): void {
    const text = this.dom.byId<HTMLTextAreaElement>('example-text');
    const label = this.dom.byId<HTMLSelectElement>('example-label').value;
    const answer = this.preset.rule.kind === 'range' ? Number(label) : label;
    if (this.addImported(JSON.stringify([{ text: text.value, label: answer }]), 'the new example')) {
      text.value = '';
      text.focus();
    }
  }

  /** Adds the usable rows of `source` (up to the history's limit) and lists the others; true if any was added. */
  private addImported(source: string, from: string): boolean {
    const { examples, problems } = importHistory(source, this.preset.rule);
    const room = Math.max(0, HISTORY_LIMITS.rows - this.examples.length);
    const added = examples.slice(0, room);
    this.examples = this.examples.concat(added);
    const full =
      added.length < examples.length
        ? ` ${examples.length - added.length} more were not added: a history holds at most ${HISTORY_LIMITS.rows.toLocaleString('en')} examples.`
        : '';
    this.showProblems(problems, from, added.length, full);
    this.render();
    return added.length > 0;
  }

  /** What an import added (a status) and the rows it skipped with their reasons (the problems box). */
  private showProblems(problems: RowProblem[], from: string, added?: number, full = ''): void {
    const { say, h, byId } = this.dom;
    say(
      'history-status',
      added === undefined ? '' : `Added ${plural(added, 'example')} from ${from}.${full}`,
    );
    const box = byId('problems');
    box.replaceChildren();
    if (problems.length === 0) return;
    const shown = problems.slice(0, MAX_PROBLEMS_SHOWN);
    const more = problems.length - shown.length;
    box.append(
      h('p', {}, `Skipped ${plural(problems.length, 'row')} of ${from}:`),
      h('ul', { class: 'problems' }, ...shown.map((p) => h('li', {}, `row ${p.row}: ${p.reason}`))),
      ...(more > 0 ? [h('p', {}, `…and ${plural(more, 'more row')}.`)] : []),
    );
  }

  private render(): void {
    const body = this.dom.byId<HTMLTableElement>('examples').tBodies[0]!;
    body.replaceChildren(
      ...this.examples.map((e, i) => {
        const remove = this.dom.h(
          'button',
          { type: 'button', 'aria-label': `Remove example ${i + 1}` },
          'Remove',
        );
        remove.addEventListener('click', () => {
          this.examples.splice(i, 1);
          this.render();
        });
        return this.dom.h(
          'tr',
          {},
          this.dom.h('td', {}, String(e.text)),
          this.dom.h('td', {}, String(e.label)),
          this.dom.h('td', {}, remove),
        );
      }),
    );
    const n = this.examples.length;
    this.dom.byId('history-count').textContent =
      n === 0
        ? 'No examples yet.'
        : `${n} example${n === 1 ? '' : 's'}${n < 40 ? ' (40 or more give a held-out score while training)' : ''}.`;
    this.hooks.set('examples', n);
  }
}

/** The most skipped rows listed one by one; the rest are counted. */
const MAX_PROBLEMS_SHOWN = 100;

const plural = (n: number, noun: string) => `${n.toLocaleString('en')} ${noun}${n === 1 ? '' : 's'}`;

async function fetchSample(window: Window, id: string): Promise<SampleUser> {
  const offline = `Sample ${id} could not be loaded: this device seems to be offline, and sample people are kept for offline use only once opened online.`;
  const res = await window.fetch(`/samples/${encodeURIComponent(id)}.json`).catch(() => {
    throw new Error(offline);
  });
  if (!res.ok) throw new Error(`Sample ${id} could not be loaded (HTTP ${res.status}).`);
  return (await res.json()) as SampleUser;
}
