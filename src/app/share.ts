// Profiles travel in a link's fragment (#profile=…&name=…): browsers never send the fragment to a
// server, so sharing a link shares the profile without uploading it anywhere.

export function shareLink(base: string, profileText: string, name: string): string {
  const url = new URL(base);
  url.hash = new URLSearchParams({ profile: profileText, name }).toString();
  return url.toString();
}

/** The profile text and name in a pasted link, fragment or bare profile text. */
export function readShared(input: string): { profile: string; name?: string } | undefined {
  const text = input.trim();
  if (text.length === 0) return undefined;
  const hash = text.includes('#') ? text.slice(text.indexOf('#') + 1) : text.includes('profile=') ? text : '';
  if (hash === '') return { profile: text };
  const params = new URLSearchParams(hash);
  const profile = params.get('profile');
  if (!profile) return undefined;
  const name = params.get('name');
  return { profile, ...(name ? { name } : {}) };
}
