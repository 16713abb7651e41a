// "Rate these first": the texts a bank's list asks a visitor to rate before anything else (Jester's gauge
// jokes, which nearly everyone in the data rated first), each with a slider over the answer's scale and a
// button that adds that rating to the examples, or replaces an earlier one.

import { dataNote } from '../describe';
import type { Dom } from '../dom';
import type { PageState } from '../page-state';
import type { PageTexts, Preset } from '../presets';
import type { HistorySection } from './history';

const signed = (v: number) => (v < 0 ? `−${-v}` : v > 0 ? `+${v}` : '0');

export class RateFirstPanel {
  /** The kind of answer last asked for: a slower earlier fetch must not overwrite it. */
  private current: Preset['id'] | undefined;

  constructor(
    private readonly dom: Dom,
    private readonly state: PageState,
    private readonly history: HistorySection,
  ) {}

  /** Shows the texts to rate first for a kind of answer, or hides the panel if its bank asks for none. */
  show(preset: Preset): Promise<void> {
    this.current = preset.id;
    return this.dom.run('rate-status', async () => {
      const { byId } = this.dom;
      const box = byId('rate-first');
      const rule = preset.rule;
      const list =
        rule.kind === 'range' && this.state.banks?.banks[preset.id]
          ? await this.state.textsFor(preset)
          : undefined;
      if (this.current !== preset.id) return;
      const asked = list ? list.rateFirst.flatMap((id) => list.texts.filter((t) => t.id === id)) : [];
      box.hidden = asked.length === 0;
      if (!list || asked.length === 0 || rule.kind !== 'range') return;
      byId('rate-title').textContent = `Rate these ${asked.length} ${list.noun} first`;
      byId('rate-note').textContent = dataNote(list);
      this.dom.say('rate-status', '');
      byId('rate-list').replaceChildren(...asked.map((t) => this.item(t, asked, list, rule)));
    });
  }

  private item(
    t: PageTexts['texts'][number],
    asked: readonly PageTexts['texts'][number][],
    list: PageTexts,
    rule: { min: number; max: number },
  ): HTMLLIElement {
    const { h } = this.dom;
    const one = list.noun.replace(/s$/, '');
    const id = `rate-${t.id}`;
    const earlier = this.history.items.find((e) => e.text === t.text)?.label;
    const slider = h('input', {
      type: 'range',
      id,
      min: String(rule.min),
      max: String(rule.max),
      step: '1',
      value: String(Math.round(Number(earlier ?? 0))),
      'aria-describedby': `${id}-text`,
    });
    const shown = h('output', { for: id }, slider.value);
    slider.addEventListener('input', () => {
      shown.textContent = slider.value;
    });
    const button = h('button', { type: 'button' }, `Rate ${one} ${t.id}`);
    button.addEventListener('click', () => {
      this.history.rate(t.text, Number(slider.value));
      const texts = new Set(this.history.items.map((e) => e.text));
      const rated = asked.filter((a) => texts.has(a.text)).length;
      this.dom.say(
        'rate-status',
        `Rated ${one} ${t.id}: ${slider.value}. ${rated} of these ${asked.length} ${list.noun} rated.`,
      );
    });
    return h(
      'li',
      {},
      h('p', { id: `${id}-text`, class: 'text' }, t.text),
      h('label', { for: id }, `Your rating of ${one} ${t.id} (${signed(rule.min)} to ${signed(rule.max)})`),
      h('div', { class: 'rate' }, slider, shown, button),
    );
  }
}
