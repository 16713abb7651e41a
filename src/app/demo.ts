// The demo page as one object: createDemo wires a controller per section of index.html to an engine, a
// profile store and a window, and start() loads the model and banks. Nothing is kept at module level, so
// a test can build a page around a stand-in engine and store.

import { type Dom, pageDom } from './dom';
import { pageHooks } from './hooks';
import { PageState, type ProfileStore } from './page-state';
import { PRESETS, type Preset } from './presets';
import { CompareSection } from './sections/compare';
import { HistorySection } from './sections/history';
import { type EngineFactory, LoadingSection } from './sections/loading';
import { meterView } from './sections/meter';
import { PeopleSection } from './sections/people';
import { ProfileSection } from './sections/profile';
import { RankingSection } from './sections/ranking';
import { RateFirstPanel } from './sections/rate-first';
import { TrainingSection } from './sections/training';
import { readShared } from './share';

export interface DemoParts {
  /** Starts the engine (RemoteEngine.create on the page). */
  engine: EngineFactory;
  /** Where people are kept (IndexedDB on the page). */
  store: ProfileStore;
  /** The window whose document is index.html. */
  dom: Window;
}

export interface Demo {
  /** Loads the model and banks, lists the saved people and takes in a profile the address brings. */
  start(): Promise<void>;
}

export function createDemo(parts: DemoParts): Demo {
  const dom: Dom = pageDom(parts.dom);
  const hooks = pageHooks(dom.document.body);
  const state = new PageState((url) => dom.window.fetch(url));
  const meter = meterView(dom, hooks);
  const history = new HistorySection(dom, hooks, PRESETS[0]!);
  const profile = new ProfileSection(dom, state);
  const rateFirst = new RateFirstPanel(dom, state, history);
  const ranking = new RankingSection(dom, hooks, state, meter, history);
  const setPreset = (preset: Preset) => {
    history.setPreset(preset);
    training.showBank(preset);
    void rateFirst.show(preset);
    void dom.run('rank-status', () => ranking.showPreset(preset));
  };
  const people = new PeopleSection(dom, state, parts.store, history, profile, setPreset);
  const training = new TrainingSection(dom, hooks, state, parts.store, meter, history, people);
  new CompareSection(dom, hooks, state, meter);
  const loading = new LoadingSection(dom, hooks, state, meter, parts.engine);
  history.setPreset(PRESETS[0]!);

  async function start(): Promise<void> {
    await loading.load();
    people.showPresets();
    history.setPreset(people.preset);
    training.showBank(people.preset);
    await history.loadIndex();
    await people.refresh();
    await Promise.all([
      rateFirst.show(people.preset),
      dom.run('rank-status', () => ranking.showPreset(people.preset)),
    ]);
    for (const id of ['train-go', 'try-go', 'rank-go']) dom.byId<HTMLButtonElement>(id).disabled = false;
    const { location, history: address } = dom.window;
    if (location.hash.includes('profile=')) {
      const shared = readShared(location.hash);
      address.replaceState(null, '', location.pathname + location.search); // imported once, not on reload
      if (shared) await people.importText(shared.profile, shared.name ?? 'Shared profile', true);
    }
    hooks.set('ready', 'true');
  }

  return {
    start: () =>
      start().catch((e: Error) => {
        dom.say('status', `The model could not be loaded: ${e.message}`, true);
        hooks.set('error', e.message);
      }),
  };
}
