// "Your order": the texts shipped with the bank that the person has not rated, ranked by the generic
// answer (the population head) beside their own, with how much the order changed. Both run at the
// bank's token length; over the Jester bank the worker keeps each joke's states at the adapter sites,
// so a second ranking runs only the last layer per joke.

import { dataNote, describeRanking } from '../describe';
import type { Dom } from '../dom';
import type { PageHooks } from '../hooks';
import type { NetworkMeter } from '../network-meter';
import type { PageState } from '../page-state';
import type { PageTexts, Preset } from '../presets';
import { type RankedText, rankScore, rankTexts, unrated } from '../ranking';
import type { HistorySection } from './history';

/** Characters of a text shown on the lists. */
const EXCERPT = 140;

export class RankingSection {
  constructor(
    private readonly dom: Dom,
    private readonly hooks: PageHooks,
    private readonly state: PageState,
    private readonly meter: NetworkMeter,
    private readonly history: HistorySection,
  ) {
    dom.byId('rank-go').addEventListener('click', () => void dom.run('rank-status', () => this.rank()));
  }

  /** Names the texts the button ranks for a kind of answer, and clears an earlier ranking. */
  async showPreset(preset: Preset): Promise<void> {
    const { byId } = this.dom;
    for (const id of ['rank-generic', 'rank-personal']) byId(id).replaceChildren();
    for (const id of ['rank-summary', 'rank-status', 'rank-note']) this.dom.say(id, '');
    const list = this.state.banks?.banks[preset.id]?.texts ? await this.state.textsFor(preset) : undefined;
    byId('rank-go').textContent = `Rank the ${list?.noun ?? 'texts'} I have not rated`;
    // Over a catalogue, its texts pass the layers below the adapter sites now, once, while the visitor
    // rates: training and every ranking then run only the layers above.
    if (preset.keepSiteStates && list) void this.dom.run('rank-status', () => this.read(preset, list));
  }

  private async read(preset: Preset, list: PageTexts): Promise<void> {
    const texts = list.texts.map((t) => t.text);
    this.dom.say('rank-status', `Reading the ${texts.length} ${list.noun} through the model once…`);
    const engine = await this.state.engineFor(preset);
    const started = performance.now();
    await this.meter.during(() => engine.outputs(undefined, texts, this.state.bankOf(preset).maxLength));
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    this.dom.say(
      'rank-status',
      `Read the ${texts.length} ${list.noun} in ${seconds} s: training and ranking now run only the top layer.`,
    );
  }

  private async rank(): Promise<void> {
    const { byId, say } = this.dom;
    const { person } = this.state;
    if (!person) throw new Error('Train or pick a person first.');
    const { preset, profile, name } = person;
    const list = await this.state.textsFor(preset);
    if (!list) throw new Error('This bank comes with no texts to rank.');
    const texts = unrated(list.texts, this.history.items);
    if (texts.length < 2) throw new Error(`Fewer than two of the ${list.noun} are left unrated.`);
    say('rank-status', `Ranking ${texts.length} ${list.noun}…`);
    const engine = await this.state.engineFor(preset);
    const { maxLength } = this.state.bankOf(preset);
    const plain = texts.map((t) => t.text);
    const started = performance.now();
    const [mine, theirs] = await this.meter.during(() =>
      Promise.all([engine.outputs(profile, plain, maxLength), engine.outputs(undefined, plain, maxLength)]),
    );
    const score = (rows: number[][]) => rows.map((row) => rankScore(preset.task, row));
    const ranking = rankTexts(texts, score(theirs), score(mine));
    const ms = Math.round(performance.now() - started);
    byId('rank-personal-title').textContent = `${name}'s order`;
    byId('rank-generic').replaceChildren(...ranking.byGeneric.map((t) => this.item(t, preset, false)));
    byId('rank-personal').replaceChildren(...ranking.byPersonal.map((t) => this.item(t, preset, true)));
    say('rank-summary', describeRanking(preset, ranking, list.noun));
    say('rank-note', dataNote(list));
    say('rank-status', `Ranked ${texts.length} ${list.noun} in ${ms} ms.`);
    this.hooks.count('ranked');
  }

  private item(t: RankedText, preset: Preset, personal: boolean): HTMLLIElement {
    const { h } = this.dom;
    const value = personal ? t.personal : t.generic;
    const shown = preset.task.kind === 'regression' ? value.toFixed(1) : `${Math.round(100 * value)}%`;
    const text = t.text.length > EXCERPT ? `${t.text.slice(0, EXCERPT).trimEnd()}…` : t.text;
    const parts: (Node | string)[] = [h('span', { class: 'text' }, text), ' ', h('strong', {}, shown)];
    if (personal) {
      const by = t.genericRank - t.personalRank;
      const move = by > 0 ? `up ${by}` : by < 0 ? `down ${-by}` : 'same place';
      parts.push(' ', h('span', { class: 'move' }, `(${move})`));
    }
    return h('li', {}, ...parts);
  }
}
