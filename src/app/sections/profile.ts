// "Your profile": the person's profile size against a conventional adapter, a picture of their mask and
// the bank's people it picks, the profile file to download and the link to share.

import { dataNote, describeSizes } from '../describe';
import type { Dom } from '../dom';
import { maskPicture, type PickedPerson, pickedPeople } from '../mask-picture';
import type { PageState } from '../page-state';
import { shareLink } from '../share';

export class ProfileSection {
  constructor(
    private readonly dom: Dom,
    private readonly state: PageState,
  ) {
    dom.byId('export-file').addEventListener('click', () => this.download());
  }

  /** Shows the person in use, or that there is none. */
  show(): void {
    const { byId } = this.dom;
    const { person, base } = this.state;
    byId('profile-none').hidden = person !== undefined;
    byId('profile-details').hidden = person === undefined;
    if (!person || !base) return;
    byId('save-new').hidden = person.stored !== undefined;
    const { profile, name } = person;
    byId('sizes').textContent = describeSizes(profile, name, base.info.shape);
    const { svg, caption } = maskPicture(this.dom.document, profile);
    byId('mask').replaceChildren(svg);
    byId('mask-caption').textContent = caption;
    const bank = this.state.bankOf(person.preset);
    const people = pickedPeople(profile.data, bank.people);
    byId('mask-people-caption').textContent = people.caption;
    byId('mask-people').replaceChildren(...people.picked.map((p) => this.person(p)));
    byId('mask-people-note').textContent = dataNote(bank);
    byId<HTMLInputElement>('share-link').value = shareLink(
      this.dom.window.location.href,
      profile.toString(),
      name,
    );
    byId('answer-who').textContent = name;
  }

  private person(p: PickedPerson): HTMLLIElement {
    const { h } = this.dom;
    const share = `${Math.round(100 * p.share)}% of the mask`;
    return h(
      'li',
      {},
      h('strong', {}, p.id),
      ` (${share}): ${p.taste ?? 'not described by this bank’s index'}`,
    );
  }

  private download(): void {
    const { person } = this.state;
    if (!person) return;
    const url = URL.createObjectURL(
      new Blob([person.profile.toBytes() as BlobPart], { type: 'application/octet-stream' }),
    );
    const a = this.dom.h('a', { href: url, download: `${person.name.replace(/[^\w.-]+/g, '_')}.xpeft` });
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}
