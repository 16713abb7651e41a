// The person's examples: typed one by one, pasted or imported as CSV/JSON, or loaded from a sample
// person. Rows that cannot be used are listed with their reason; nothing is dropped silently.

import { importHistory, type RowProblem } from '../history/import';
import type { Example } from '../xpeft/task';
import { byId, h } from './dom';
import type { Preset, SampleIndex, SampleUser } from './presets';

export class HistoryView {
  private examples: Example[] = [];
  private preset: Preset;
  private samples: SampleIndex = { users: [] };

  constructor(preset: Preset) {
    this.preset = preset;
    byId('add-example').addEventListener('click', () => this.addTyped());
    byId('paste-go').addEventListener('click', () => {
      const paste = byId<HTMLTextAreaElement>('paste');
      if (this.addImported(paste.value, 'pasted text')) paste.value = '';
    });
    byId<HTMLInputElement>('history-file').addEventListener('change', async (e) => {
      const input = e.target as HTMLInputElement;
      const file = input.files?.[0];
      if (file) this.addImported(await file.text(), file.name);
      input.value = '';
    });
    byId('clear-history').addEventListener('click', () => this.set([]));
    byId('load-sample').addEventListener('click', () => void this.loadSample());
    this.render();
  }

  get items(): readonly Example[] {
    return this.examples;
  }

  set(examples: Example[]): void {
    this.examples = examples;
    this.render();
  }

  /** Switches the kind of answer; examples that no longer fit are listed as problems, not kept. */
  setPreset(preset: Preset): void {
    this.preset = preset;
    byId('question').textContent = `Question: ${preset.question}`;
    const select = byId<HTMLSelectElement>('example-label');
    const rule = preset.rule;
    const options =
      rule.kind === 'choice'
        ? rule.labels
        : Array.from({ length: rule.max - rule.min + 1 }, (_, i) => String(rule.min + i));
    select.replaceChildren(...options.map((o) => h('option', { value: o }, o)));
    const kept = importHistory(JSON.stringify(this.examples), preset.rule);
    this.examples = kept.examples;
    this.showProblems(kept.problems, `your examples under "${preset.question}"`);
    this.renderSamples();
    this.render();
  }

  /** Reads the sample index; without one (datasets not installed) the sample picker says so. */
  async loadIndex(): Promise<void> {
    try {
      const res = await fetch('/samples/index.json');
      if (res.ok) this.samples = (await res.json()) as SampleIndex;
    } catch {
      // offline before the first visit cached it: no samples
    }
    this.renderSamples();
  }

  private renderSamples(): void {
    const users = this.samples.users.filter((u) => u.preset === this.preset.id);
    const select = byId<HTMLSelectElement>('sample');
    select.replaceChildren(
      ...(users.length > 0
        ? users.map((u) => h('option', { value: u.id }, `${u.name}: ${u.description}`))
        : [h('option', { value: '' }, 'No sample people are installed (run npm run samples)')]),
    );
    byId<HTMLButtonElement>('load-sample').disabled = users.length === 0;
  }

  private async loadSample(): Promise<void> {
    const id = byId<HTMLSelectElement>('sample').value;
    if (!id) return;
    const user = await fetchSample(id);
    byId<HTMLInputElement>('person-name').value = user.name.split(' (')[0]!;
    this.set([]);
    this.addImported(JSON.stringify(user.examples), `${user.name} (${user.source.dataset})`);
  }

  private addTyped(): void {
    const text = byId<HTMLTextAreaElement>('example-text');
    const label = byId<HTMLSelectElement>('example-label').value;
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
    const box = byId('problems');
    box.replaceChildren();
    const summary =
      added === undefined ? '' : `Added ${added} example${added === 1 ? '' : 's'} from ${from}. `;
    if (problems.length === 0) {
      box.append(h('p', {}, summary));
      return;
    }
    box.append(
      h('p', {}, `${summary}Skipped ${problems.length} row${problems.length === 1 ? '' : 's'} of ${from}:`),
      h('ul', { class: 'problems' }, ...problems.map((p) => h('li', {}, `row ${p.row}: ${p.reason}`))),
    );
  }

  private render(): void {
    const body = byId<HTMLTableElement>('examples').tBodies[0]!;
    body.replaceChildren(
      ...this.examples.map((e, i) => {
        const remove = h('button', { type: 'button', 'aria-label': `Remove example ${i + 1}` }, 'Remove');
        remove.addEventListener('click', () => {
          this.examples.splice(i, 1);
          this.render();
        });
        return h('tr', {}, h('td', {}, String(e.text)), h('td', {}, String(e.label)), h('td', {}, remove));
      }),
    );
    const n = this.examples.length;
    byId('history-count').textContent =
      n === 0
        ? 'No examples yet.'
        : `${n} example${n === 1 ? '' : 's'}${n < 40 ? ' (40 or more give a held-out score while training)' : ''}.`;
    document.body.dataset.examples = String(n);
  }
}

async function fetchSample(id: string): Promise<SampleUser> {
  const res = await fetch(`/samples/${encodeURIComponent(id)}.json`);
  if (!res.ok) throw new Error(`Sample ${id} could not be loaded (HTTP ${res.status}).`);
  return (await res.json()) as SampleUser;
}
