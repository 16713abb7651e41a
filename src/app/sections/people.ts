// "Who and what": the kind of answer taught, the people saved on this device, and profiles imported
// from a link, a pasted text or a file. Every import is checked against this page's model, bank and task
// before it is kept, and its length is checked before it is decoded.

import { profileFromString, profileSizes } from '../../profile/format';
import { Profile } from '../../profile/profile';
import type { StoredProfileInfo } from '../../runtime/storage';
import { taskOutputs } from '../../xpeft/task';
import type { Dom } from '../dom';
import { formatBytes } from '../dom';
import type { PageState, ProfileStore } from '../page-state';
import { PRESETS, type Preset, presetById } from '../presets';
import { readShared } from '../share';
import type { HistorySection } from './history';
import type { ProfileSection } from './profile';

export class PeopleSection {
  private readonly presetSelect: HTMLSelectElement;

  constructor(
    private readonly dom: Dom,
    private readonly state: PageState,
    private readonly store: ProfileStore,
    private readonly history: HistorySection,
    private readonly profile: ProfileSection,
    /** Switches the page to another kind of answer. */
    private readonly onPreset: (preset: Preset) => void,
  ) {
    const { byId, h, say } = dom;
    this.presetSelect = byId<HTMLSelectElement>('preset');
    this.presetSelect.replaceChildren(...PRESETS.map((p) => h('option', { value: p.id }, p.question)));
    this.presetSelect.addEventListener('change', () => onPreset(this.preset));
    store.watch?.((id) => void dom.run('person-message', () => this.heard(id)));
    byId('import-link-go').addEventListener('click', () => {
      const shared = readShared(byId<HTMLInputElement>('import-link').value);
      if (!shared) return say('person-message', 'Paste a share link or a profile text first.', true);
      void this.importText(shared.profile, shared.name ?? 'Imported profile', false);
    });
    byId<HTMLInputElement>('import-file').addEventListener(
      'change',
      (e) => void dom.run('person-message', () => this.importFile(e)),
    );
    byId('delete-profile').addEventListener('click', () => dom.run('person-message', () => this.remove()));
    byId('save-new').addEventListener('click', () => dom.run('person-message', () => this.saveUnsaved()));
  }

  /** Offers only the kinds of answer this page has a bank for; the first of them is chosen. */
  showPresets(): void {
    const offered = this.state.presets();
    const { h } = this.dom;
    this.presetSelect.replaceChildren(...offered.map((p) => h('option', { value: p.id }, p.question)));
    this.presetSelect.value = offered[0]!.id;
  }

  /** The kind of answer chosen. */
  get preset(): Preset {
    return presetById(this.presetSelect.value);
  }

  async refresh(people?: StoredProfileInfo[]): Promise<void> {
    people ??= await this.store.list();
    this.dom.byId('people-empty').hidden = people.length > 0;
    this.dom.byId('people').replaceChildren(...people.map((p) => this.item(p)));
  }

  private item(p: StoredProfileInfo): HTMLLIElement {
    const { h, run } = this.dom;
    const pressed = String(this.state.person?.stored?.id === p.id);
    const button = h(
      'button',
      { type: 'button', 'aria-pressed': pressed, 'data-id': p.id },
      `${p.name} · ${p.mode} mask · ${formatBytes(p.bytes)}`,
    );
    button.addEventListener('click', () => void run('person-message', () => this.select(p.id)));
    return h('li', {}, button);
  }

  /** Makes a saved person the one in use, with their kind of answer and any examples they kept. */
  async select(id: string): Promise<void> {
    const people = await this.store.list();
    const info = people.find((p) => p.id === id);
    if (!info) throw new Error('That person is no longer on this device (deleted in another tab?).');
    const profile = await this.store.load(id);
    const preset = this.state.presetOf(profile);
    const kept = await this.store.loadHistory(id);
    const stored = { id, updatedAt: info.updatedAt, hasHistory: kept !== undefined };
    this.state.person = { stored, name: info.name, preset, profile };
    this.dom.byId<HTMLInputElement>('person-name').value = info.name;
    if (this.presetSelect.value !== preset.id) {
      this.presetSelect.value = preset.id;
      this.onPreset(preset);
    }
    if (kept) this.history.set(kept);
    // The box shows what is kept: ticked while their examples are kept, so a retrain keeps them too.
    this.dom.byId<HTMLInputElement>('keep-history').checked = kept !== undefined;
    this.profile.show();
    await this.refresh(people);
    this.dom.say(
      'person-message',
      `Now using ${info.name}.${kept ? ` Their ${kept.length} kept examples are loaded.` : ''}`,
    );
  }

  /** Shows the person in use when their profile is not saved (its save failed). */
  async showUnsaved(): Promise<void> {
    this.profile.show();
    await this.refresh();
  }

  /** Deletes the person in use (or discards an unsaved profile) once the user confirms. */
  private async remove(): Promise<void> {
    const { person } = this.state;
    if (!person || this.state.training) return;
    const { stored, name } = person;
    const question = stored
      ? `Delete ${name}${stored.hasHistory ? ' and their kept examples' : ''} from this device?`
      : `Discard ${name}'s unsaved profile?`;
    if (!this.dom.window.confirm(question)) return;
    if (stored) await this.store.remove(stored.id);
    this.state.person = undefined;
    this.profile.show();
    await this.refresh();
    this.dom.say(
      'person-message',
      stored ? `Deleted ${name} from this device.` : `Discarded ${name}'s unsaved profile.`,
    );
  }

  /** Keeps a trained profile whose save failed as a new person (with its examples if they were to be kept). */
  private async saveUnsaved(): Promise<void> {
    const { person } = this.state;
    if (!person || person.stored || this.state.training) return;
    const saved = await this.store.save(person.name, person.profile, {
      ...(person.keep ? { history: person.keep } : {}),
    });
    await this.select(saved.id);
    this.dom.say('person-message', `Saved ${saved.name} as a new person.`);
  }

  /** Another tab changed or deleted someone: the list follows, and so does the person in use. */
  private async heard(id: string): Promise<void> {
    const people = await this.store.list();
    await this.refresh(people);
    const { person } = this.state;
    if (person?.stored?.id !== id || this.state.training) return;
    const now = people.find((p) => p.id === id);
    if (!now) {
      this.state.person = { ...person, stored: undefined };
      this.profile.show();
      this.dom.say(
        'person-message',
        `${person.name} was deleted in another tab; their profile stays on this page, unsaved, until you save it again or leave.`,
      );
    } else if (now.updatedAt !== person.stored.updatedAt) {
      await this.select(id);
      this.dom.say('person-message', `${now.name} was changed in another tab; this page now shows that.`);
    }
  }

  /**
   * The largest profile this page can use: soft scores over the widest bank, with a head of its own. A
   * file or link longer than this is refused before it is decoded.
   */
  private largestProfileBytes(): number {
    if (!this.state.base) throw new Error('The model is not loaded yet.');
    const { d } = this.state.base.info.shape;
    return Math.max(
      ...this.state.presets().map((preset) => {
        const outputs = taskOutputs(preset.task);
        const head = { inputs: d, outputs, weight: new Float32Array(0), bias: new Float32Array(0) };
        const { sites, n } = this.state.bankOf(preset);
        return profileSizes({ mode: 'soft', sites, n, head }).total;
      }),
    );
  }

  /** A profile's text (from a link or pasted): its length is checked before it is decoded. */
  async importText(text: string, name: string, arrivedByLink: boolean): Promise<void> {
    await this.dom.run('person-message', async () => {
      // Base64url: 4 characters per 3 bytes.
      if (text.length > Math.ceil((this.largestProfileBytes() * 4) / 3) + 4)
        throw new Error(
          `This profile text is ${text.length.toLocaleString('en')} characters, longer than any profile for this page's banks; it was not read.`,
        );
      await this.importBytes(profileFromString(text), name, arrivedByLink);
    });
  }

  private async importFile(e: Event): Promise<void> {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    if (file.size > this.largestProfileBytes())
      throw new Error(
        `${file.name} is ${formatBytes(file.size)}, larger than any profile for this page's banks; it was not read.`,
      );
    const bytes = new Uint8Array(await file.arrayBuffer());
    await this.importBytes(bytes, file.name.replace(/\.xpeft$/, ''), false);
  }

  /**
   * Checks a profile in full against this page's model, bank and task (fingerprints, sites, N, head or
   * bias shape) before keeping it; one that arrived by link is kept only if the user agrees.
   */
  private async importBytes(bytes: Uint8Array, name: string, arrivedByLink: boolean): Promise<void> {
    const limit = this.largestProfileBytes();
    if (bytes.byteLength > limit)
      throw new Error(
        `This profile is ${formatBytes(bytes.byteLength)}; no profile for this page's banks is over ${formatBytes(limit)}, so it was not read.`,
      );
    const profile = Profile.fromBytes(bytes);
    (await this.state.engineFor(this.state.presetOf(profile))).importProfile(profile.toBytes());
    const question = `A link brings a profile named "${name}" (${formatBytes(bytes.byteLength)}). Keep it on this device?`;
    if (arrivedByLink && !this.dom.window.confirm(question)) {
      this.dom.say('person-message', 'The linked profile was not kept.');
      return;
    }
    const saved = await this.store.save(name, profile);
    await this.select(saved.id);
    this.dom.say('person-message', `Imported ${saved.name} (${formatBytes(saved.bytes)}).`);
  }
}
