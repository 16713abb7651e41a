// The person's examples: typed one by one, pasted or imported as CSV/JSON, or loaded from a sample
// person. Rows that cannot be used are listed with their reason; nothing is dropped silently.

import { importHistory, type RowProblem } from '../../history/import';
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
    this.dom.byId('load-sample').addEventListener('click', () => void this.loadSample());
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
    this.addImported(JSON.stringify(user.examples), `${user.name} (${user.source.dataset})`);
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

  /** Adds the usable rows of `source` and lists the others; true if anything was added. */
  private addImported(source: string, from: string): boolean {
    const { examples, problems } = importHistory(source, this.preset.rule);
    this.examples = [...this.examples, ...examples];
    this.showProblems(problems, from, examples.length);
    this.render();
    return examples.length > 0;
  }

  private showProblems(problems: RowProblem[], from: string, added?: number): void {
    const box = this.dom.byId('problems');
    box.replaceChildren();
    const summary =
      added === undefined ? '' : `Added ${added} example${added === 1 ? '' : 's'} from ${from}. `;
    if (problems.length === 0) {
      box.append(this.dom.h('p', {}, summary));
      return;
    }
    box.append(
      this.dom.h(
        'p',
        {},
        `${summary}Skipped ${problems.length} row${problems.length === 1 ? '' : 's'} of ${from}:`,
      ),
      this.dom.h(
        'ul',
        { class: 'problems' },
        ...problems.map((p) => this.dom.h('li', {}, `row ${p.row}: ${p.reason}`)),
      ),
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

async function fetchSample(window: Window, id: string): Promise<SampleUser> {
  const res = await window.fetch(`/samples/${encodeURIComponent(id)}.json`);
  if (!res.ok) throw new Error(`Sample ${id} could not be loaded (HTTP ${res.status}).`);
  return (await res.json()) as SampleUser;
}
