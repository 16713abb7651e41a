// "See the difference": a new text answered by the person's profile and by the population (the
// untouched model with the bank's population head), side by side.

import { formatAnswer } from '../describe';
import type { Dom } from '../dom';
import type { PageHooks } from '../hooks';
import type { NetworkMeter } from '../network-meter';
import type { PageState } from '../page-state';

export class CompareSection {
  constructor(
    private readonly dom: Dom,
    private readonly hooks: PageHooks,
    private readonly state: PageState,
    private readonly meter: NetworkMeter,
  ) {
    dom.byId('try-go').addEventListener('click', () => void dom.run('try-status', () => this.compare()));
  }

  private async compare(): Promise<void> {
    const { byId } = this.dom;
    const text = byId<HTMLTextAreaElement>('try-text').value.trim();
    if (text.length === 0) throw new Error('Type a text to compare.');
    const { person } = this.state;
    if (!person) throw new Error('Train or pick a person first.');
    const { preset, profile, name } = person;
    const engine = await this.state.engineFor(preset);
    const [[mine], [theirs]] = await this.meter.during(() =>
      Promise.all([engine.predict(profile, [text]), engine.predictFrozen([text])]),
    );
    byId('answer-who').textContent = name;
    byId('answer-personal').textContent = formatAnswer(preset, mine!);
    byId('answer-generic').textContent = formatAnswer(preset, theirs!);
    this.dom.say('try-status', '');
    this.hooks.count('compared');
  }
}
