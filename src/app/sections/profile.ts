// "Your profile": the person's profile size against a conventional adapter, a picture of their mask,
// the profile file to download and the link to share.

import { describeSizes } from '../describe';
import type { Dom } from '../dom';
import { maskPicture } from '../mask-picture';
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
    const { profile, name } = person;
    byId('sizes').textContent = describeSizes(profile, name, base.info.shape);
    const { svg, caption } = maskPicture(this.dom.document, profile);
    byId('mask').replaceChildren(svg);
    byId('mask-caption').textContent = caption;
    byId<HTMLInputElement>('share-link').value = shareLink(
      this.dom.window.location.href,
      profile.toString(),
      name,
    );
    byId('answer-who').textContent = name;
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
