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
    byId('import-link-go').addEventListener('click', () => {
      const shared = readShared(byId<HTMLInputElement>('import-link').value);
      if (!shared) return say('person-message', 'Paste a share link or a profile text first.', true);
      void this.importText(shared.profile, shared.name ?? 'Imported profile', false);
    });
    byId<HTMLInputElement>('import-file').addEventListener('change', (e) => void this.importFile(e));
    byId('delete-profile').addEventListener('click', () => dom.run('person-message', () => this.remove()));
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
    const pressed = String(this.state.person?.id === p.id);
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
    const profile = await this.store.load(id);
    const preset = this.state.presetOf(profile);
    const people = await this.store.list();
    const info = people.find((p) => p.id === id)!;
    this.state.person = { id, name: info.name, preset, profile };
    this.dom.byId<HTMLInputElement>('person-name').value = info.name;
    if (this.presetSelect.value !== preset.id) {
      this.presetSelect.value = preset.id;
      this.onPreset(preset);
    }
    const kept = await this.store.loadHistory(id);
    if (kept) this.history.set(kept);
    this.profile.show();
    await this.refresh(people);
    this.dom.say(
      'person-message',
      `Now using ${info.name}.${kept ? ` Their ${kept.length} kept examples are loaded.` : ''}`,
    );
  }

  private async remove(): Promise<void> {
    const { person } = this.state;
    if (!person) return;
    await this.store.remove(person.id);
    this.state.person = undefined;
    this.profile.show();
    await this.refresh();
    this.dom.say('person-message', `Deleted ${person.name} from this device.`);
  }

  /**
   * The largest profile this page can use: soft scores over the widest bank, with a head of its own. A
   * file or link longer than this is refused before it is decoded.
   */
  private largestProfileBytes(): number {
    const { d } = this.state.base!.info.shape;
    return Math.max(
      ...PRESETS.filter((preset) => this.state.banks?.banks[preset.id]).map((preset) => {
        const outputs = taskOutputs(preset.task);
        const head = { inputs: d, outputs, weight: new Float32Array(0), bias: new Float32Array(0) };
        const { sites, n } = this.state.bankOf(preset);
        return profileSizes({ mode: 'soft', sites, n, head }).total;
      }),
    );
  }

  /** A profile's text (from a link or pasted): its length is checked before it is decoded. */
  async importText(text: string, name: string, arrivedByLink: boolean): Promise<void> {
    // Base64url: 4 characters per 3 bytes.
    if (text.length > Math.ceil((this.largestProfileBytes() * 4) / 3) + 4)
      return this.dom.say(
        'person-message',
        `This profile text is ${text.length.toLocaleString('en')} characters, longer than any profile for this page's banks; it was not read.`,
        true,
      );
    await this.dom.run('person-message', () =>
      this.importBytes(profileFromString(text), name, arrivedByLink),
    );
  }

  private async importFile(e: Event): Promise<void> {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    if (file.size > this.largestProfileBytes())
      return this.dom.say(
        'person-message',
        `${file.name} is ${formatBytes(file.size)}, larger than any profile for this page's banks; it was not read.`,
        true,
      );
    const bytes = new Uint8Array(await file.arrayBuffer());
    await this.dom.run('person-message', () =>
      this.importBytes(bytes, file.name.replace(/\.xpeft$/, ''), false),
    );
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
