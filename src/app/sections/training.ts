// "Train your mask": what the bank behind the answer is, the training options (with the bytes each
// choice adds to a profile), the progress and chart while the worker trains, and cancelling.

import { profileSizes } from '../../profile/format';
import type { TrainOptions, TrainProgress } from '../../training/options';
import { MIN_HELD_OUT } from '../../xpeft/held-out';
import { taskOutputs } from '../../xpeft/task';
import { TrainingChart } from '../chart';
import { dataNote } from '../describe';
import type { Dom } from '../dom';
import { formatBytes, formatDuration } from '../dom';
import type { PageHooks } from '../hooks';
import type { NetworkMeter } from '../network-meter';
import type { PageState, ProfileStore } from '../page-state';
import { PAGE_TRAINING, type Preset } from '../presets';
import type { HistorySection } from './history';
import type { PeopleSection } from './people';

export class TrainingSection {
  private readonly chart: TrainingChart;
  private job: AbortController | undefined;
  private lastScoredEpoch = 0;

  constructor(
    private readonly dom: Dom,
    private readonly hooks: PageHooks,
    private readonly state: PageState,
    private readonly store: ProfileStore,
    private readonly meter: NetworkMeter,
    private readonly history: HistorySection,
    private readonly people: PeopleSection,
  ) {
    this.chart = new TrainingChart(dom.byId<HTMLCanvasElement>('chart'));
    dom.byId<HTMLInputElement>('k').value = String(PAGE_TRAINING.k);
    dom.byId<HTMLInputElement>('epochs').value = String(PAGE_TRAINING.epochs);
    dom.byId<HTMLSelectElement>('personal-head').value = PAGE_TRAINING.head;
    dom.byId('train-go').addEventListener('click', () => void dom.run('train-status', () => this.train()));
    dom.byId('train-cancel').addEventListener('click', () => this.job?.abort());
  }

  /** What the bank behind an answer is, and the bytes a personal bias or head adds to a profile. */
  showBank(preset: Preset): void {
    const { banks, base } = this.state;
    if (!banks || !base) return;
    const { byId } = this.dom;
    const bank = this.state.bankOf(preset);
    const { sites, n } = bank;
    const { d } = base.info.shape;
    const outputs = taskOutputs(preset.task);
    const head = {
      inputs: d,
      outputs,
      weight: new Float32Array(d * outputs),
      bias: new Float32Array(outputs),
    };
    const options = byId<HTMLSelectElement>('personal-head').options;
    const label = (value: string, sizes: { head: number }) => {
      const option = [...options].find((o) => o.value === value)!;
      option.textContent = `${option.textContent!.replace(/ \(\+.*\)$/, '')} (+${formatBytes(sizes.head)})`;
    };
    label('offset', profileSizes({ mode: 'hard', sites, n, offset: new Float32Array(outputs) }));
    label('profile', profileSizes({ mode: 'hard', sites, n, head }));
    const k = byId<HTMLInputElement>('k');
    k.max = String(n);
    if (Number(k.value) > n) k.value = String(n);
    const p = bank.population;
    this.dom.say('data-note', dataNote(bank));
    this.dom.say(
      'bank-note',
      `Bank: ${n} adapters, each trained on one person of ${bank.dataset}. The generic answer is the untouched model with a head fitted on ${p.labels.toLocaleString('en')} answers by ${p.people.toLocaleString('en')} people; the page's sample people are none of them.`,
    );
  }

  private options(preset: Preset): TrainOptions {
    const { byId } = this.dom;
    const n = this.state.bankOf(preset).n;
    const k = Number(byId<HTMLInputElement>('k').value);
    const epochs = Number(byId<HTMLInputElement>('epochs').value);
    const mode = byId<HTMLSelectElement>('mode').value as 'hard' | 'soft';
    if (!(Number.isInteger(k) && k >= 1 && k <= n))
      throw new Error(`k must be a whole number from 1 to N=${n}.`);
    if (!(Number.isInteger(epochs) && epochs >= 1 && epochs <= 50))
      throw new Error('Epochs must be a whole number from 1 to 50.');
    return {
      mask: { mode, k, ...(preset.mix ? { mix: preset.mix } : {}) },
      // What the profile keeps beside its mask: nothing (the bank's population head), a bias, or a head.
      head: byId<HTMLSelectElement>('personal-head').value as NonNullable<TrainOptions['head']>,
      epochs,
      batchSize: 16,
      maxLength: this.state.bankOf(preset).maxLength, // as the bank was built: 64, or 256 for jokes
      heldOutFraction: PAGE_TRAINING.heldOutFraction,
      seed: 0,
    };
  }

  private showProgress(p: TrainProgress, scoreName: string): void {
    this.dom.byId<HTMLProgressElement>('train-progress').value = p.step / p.totalSteps;
    this.chart.addLoss(p.step, p.loss);
    // A held-out score arrives with the first step after its epoch ends: one point per epoch.
    if (p.heldOut && p.epoch - 1 > this.lastScoredEpoch) {
      this.lastScoredEpoch = p.epoch - 1;
      this.chart.addScore(p.step, p.heldOut.value);
    }
    const score = p.heldOut ? `, ${scoreName} ${p.heldOut.value.toFixed(3)}` : '';
    this.dom.say(
      'train-status',
      `Epoch ${p.epoch} of ${p.epochs}, step ${p.step} of ${p.totalSteps}: loss ${p.loss.toFixed(3)}${score}. About ${formatDuration(p.etaMs)} left.`,
    );
  }

  private async train(): Promise<void> {
    if (this.state.training) return; // one job at a time: a second click while one runs does nothing
    const { byId, say } = this.dom;
    const preset = this.people.preset;
    const name = byId<HTMLInputElement>('person-name').value.trim();
    if (name.length === 0) throw new Error('Give this person a name first.');
    const options = this.options(preset);
    const examples = [...this.history.items];
    // Whom the result is for is decided now, not when training ends: the same name and kind of answer as
    // the selected (saved) person replaces their profile; anything else makes a new person.
    const { person } = this.state;
    const replaces = person?.name === name && person.preset.id === preset.id ? person.stored : undefined;
    // The box shows what is kept: ticked, these examples are kept; unticked, any kept before are deleted.
    const keep = byId<HTMLInputElement>('keep-history').checked;
    // Locked before anything is awaited, so nothing (a second Train, Delete, another person) slips in.
    const job = new AbortController();
    this.job = job;
    this.lock(true);
    try {
      const engine = await this.state.engineFor(preset);
      const scoreName =
        preset.task.kind === 'regression' ? 'held-out mean squared error' : 'held-out accuracy';
      this.chart.reset(scoreName);
      this.lastScoredEpoch = 0;
      const fraction: number = PAGE_TRAINING.heldOutFraction;
      if (fraction === 0)
        say(
          'train-status',
          `Training on all ${examples.length} examples, keeping the epoch that fits them best.`,
        );
      else if (examples.length < MIN_HELD_OUT / fraction)
        say('train-status', `Training on all ${examples.length} examples (no held-out score below 40).`);
      const { profile, report } = await this.meter.during(() =>
        engine.train(examples, {
          ...options,
          signal: job.signal,
          onProgress: (p) => this.showProgress(p, scoreName),
        }),
      );
      const last = report.heldOut.at(-1);
      if (last !== undefined && report.heldOut.length > this.lastScoredEpoch)
        this.chart.addScore(report.steps, last);
      const best = report.heldOut[report.bestEpoch - 1];
      const trained =
        `Trained in ${formatDuration(report.elapsedMs)} (${report.steps} steps)` +
        (best === undefined ? '' : `; kept epoch ${report.bestEpoch}, ${scoreName} ${best.toFixed(3)}`);
      try {
        const saved = await this.store.save(name, profile, {
          ...(replaces ? { id: replaces.id, ifUpdatedAt: replaces.updatedAt } : {}),
          history: keep ? examples : null,
        });
        await this.people.select(saved.id);
      } catch (e) {
        // Nothing trained is lost: the profile stays on the page to save as a new person or download.
        this.state.person = { name, preset, profile, ...(keep ? { keep: examples } : {}) };
        await this.people.showUnsaved();
        throw new Error(
          `${trained}, but it could not be saved: ${(e as Error).message} It is shown below: save it as a new person or download it.`,
        );
      }
      say('train-status', `${trained}.`);
      this.hooks.count('trained');
    } catch (e) {
      if ((e as Error).name === 'AbortError')
        say('train-status', 'Training was cancelled; the previous profile is unchanged.');
      else throw e;
    } finally {
      this.job = undefined;
      this.lock(false);
    }
  }

  /**
   * Locks what must not change while a profile trains (who, what, the examples, the options, deleting or
   * saving a person) or unlocks it.
   */
  private lock(on: boolean): void {
    const { byId, document } = this.dom;
    this.state.training = on;
    for (const group of document.querySelectorAll<HTMLFieldSetElement>('[data-locked-while-training]'))
      group.disabled = on;
    for (const id of ['train-go', 'delete-profile', 'save-new']) byId<HTMLButtonElement>(id).disabled = on;
    byId<HTMLButtonElement>('train-cancel').disabled = !on;
    if (on) byId('train-cancel').focus();
  }
}
