// Profiles travel in a link's fragment (#profile=…&name=…): browsers never send the fragment to a
// server, so sharing a link shares the profile without uploading it anywhere.

/**
 * A link to the page (origin and path of `base`) with the profile in its fragment. The query is dropped:
 * a link carries a profile, never the sender's ?model=, ?banks= or ?backend= settings.
 */
export function shareLink(base: string, profileText: string, name: string): string {
  const url = new URL(base);
  url.search = '';
  url.hash = new URLSearchParams({ profile: profileText, name }).toString();
  return url.toString();
}

/**
 * A ?model= or ?banks= value the page may fetch from: a path or URL on the page's own origin, or a
 * URL on one of `allowed` origins; anything else is refused with the reason. The result has no
 * trailing slash.
 */
export function sourceBase(
  value: string,
  pageOrigin: string,
  allowed: readonly string[] = [],
): { base: string } | { refused: string } {
  let url: URL;
  try {
    url = new URL(value, pageOrigin);
  } catch {
    return { refused: `"${value}" is not a URL or path.` };
  }
  if (url.origin !== pageOrigin && !allowed.includes(url.origin))
    return {
      refused: `${url.origin} is not this page's origin${allowed.length ? ` or one of ${allowed.join(', ')}` : ''}: the page only downloads models and banks from where it is served.`,
    };
  const base = url.origin === pageOrigin ? url.pathname : `${url.origin}${url.pathname}`;
  return { base: base.replace(/\/+$/, '') };
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
