// The page's DOM, bound to one window: element lookup, element building, messages next to controls,
// and actions whose errors are shown in plain words. Nothing here reaches for a global document.

export interface Dom {
  readonly window: Window;
  readonly document: Document;
  /** The element with this id; a page without it is a programming error. */
  byId<T extends HTMLElement = HTMLElement>(id: string): T;
  /** An element with text and attributes; children are appended in order. */
  h<K extends keyof HTMLElementTagNameMap>(
    tag: K,
    attrs?: Record<string, string>,
    ...children: (Node | string)[]
  ): HTMLElementTagNameMap[K];
  /** Shows a message in an element, marked as an error or not. */
  say(id: string, text: string, isError?: boolean): void;
  /** Runs an action, showing its error (if any) in the element `where`, next to the control that started it. */
  run(where: string, action: () => Promise<void>): Promise<void>;
}

export function pageDom(window: Window): Dom {
  const document = window.document;
  const byId = <T extends HTMLElement = HTMLElement>(id: string): T => {
    const el = document.getElementById(id);
    if (!el) throw new Error(`The page has no element #${id}.`);
    return el as T;
  };
  const say = (id: string, text: string, isError = false) => {
    const el = byId(id);
    el.textContent = text;
    el.classList.toggle('error', isError);
  };
  return {
    window,
    document,
    byId,
    h(tag, attrs = {}, ...children) {
      const el = document.createElement(tag);
      for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
      el.append(...children);
      return el;
    },
    say,
    async run(where, action) {
      try {
        await action();
      } catch (e) {
        say(where, (e as Error).message, true);
      }
    },
  };
}

export const formatBytes = (n: number) =>
  n < 10_000 ? `${n.toLocaleString('en')} bytes` : `${(n / 1e6).toFixed(n < 1e6 ? 3 : 1)} MB`;

export const formatDuration = (ms: number) =>
  ms < 60_000
    ? `${Math.ceil(ms / 1000)} s`
    : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
