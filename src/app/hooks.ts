// What the page tells its browser tests and benchmarks, as data attributes on <body>: written only here,
// so the page's observable states are listed in one place.

/** The page's observable states: `data-<name>` on <body>. */
export interface HookValues {
  /** 'true' once the model, banks and saved people are loaded. */
  ready: string;
  /** Why loading failed. */
  error: string;
  /** The backend the engine runs on, and how long choosing it took. */
  backend: string;
  backendSelectionMs: number;
  /** How many examples the person has. */
  examples: number;
  /** Bytes sent while jobs ran, and the page's requests in all (absent when not measured). */
  sentDuringJobs: number;
  requests: number;
  /** Profiles trained, comparisons answered and lists ranked since the page opened. */
  trained: number;
  compared: number;
  ranked: number;
}

export interface PageHooks {
  /** Sets a state, or removes it when the value is undefined. */
  set<K extends keyof HookValues>(name: K, value: HookValues[K] | undefined): void;
  /** Adds one to a counter. */
  count(name: 'trained' | 'compared' | 'ranked'): void;
}

export function pageHooks(body: HTMLElement): PageHooks {
  const set: PageHooks['set'] = (name, value) => {
    if (value === undefined) delete body.dataset[name];
    else body.dataset[name] = String(value);
  };
  return { set, count: (name) => set(name, Number(body.dataset[name] ?? 0) + 1) };
}
