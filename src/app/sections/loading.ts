// "Model": where the model and banks come from (the page's own server unless ?model= or ?banks= names
// an allowed origin), offline use, the files' download progress, and the backend chosen and why.

import type { BackendName } from '../../backend/backends';
import { DEFAULT_MODEL_FOLDER } from '../../model/known';
import { enableOffline, serviceWorkerClientId } from '../../runtime/offline';
import type { RemoteEngineOptions } from '../../runtime/remote-engine';
import { describeBackendChange, explainBackend } from '../describe';
import type { Dom } from '../dom';
import { formatBytes } from '../dom';
import type { PageHooks } from '../hooks';
import type { NetworkMeter } from '../network-meter';
import type { PageEngine, PageState } from '../page-state';
import { PAGE_BANKS_FORMAT, type PageBankIndex, PRESETS } from '../presets';
import { sourceBase } from '../share';

/** Origins besides the page's own that ?model= and ?banks= may name (none: everything is served here). */
const ALLOWED_SOURCE_ORIGINS: readonly string[] = [];
const MODEL_CACHE = 'xpeft-models';

/** Starts the engine the page runs on (RemoteEngine.create in the browser). */
export type EngineFactory = (options: RemoteEngineOptions) => Promise<PageEngine>;

export class LoadingSection {
  private readonly params: URLSearchParams;

  constructor(
    private readonly dom: Dom,
    private readonly hooks: PageHooks,
    private readonly state: PageState,
    private readonly meter: NetworkMeter,
    private readonly createEngine: EngineFactory,
  ) {
    this.params = new URLSearchParams(dom.window.location.search);
  }

  /** A ?model= or ?banks= value, refused (the page shows why, and loads nothing) unless it is allowed. */
  private source(name: string, fallback: string): string {
    const { origin } = this.dom.window.location;
    const checked = sourceBase(this.params.get(name) ?? fallback, origin, ALLOWED_SOURCE_ORIGINS);
    if ('refused' in checked) throw new Error(`?${name}= is refused: ${checked.refused}`);
    return checked.base;
  }

  /** Loads the banks' index and the engine with the first kind of answer's bank. */
  async load(): Promise<void> {
    const { state, dom } = this;
    state.modelBase = this.source('model', `/models/${DEFAULT_MODEL_FOLDER}`);
    state.banksBase = this.source('banks', '/banks');
    await this.keepOffline();
    this.meter.start(await serviceWorkerClientId());
    dom.say(
      'status',
      'Choosing the fastest backend on this device, then loading the model and the adapter bank…',
    );
    state.banks = await this.readBanks();
    const first = state.presets()[0]!;
    // Every model file is checked against what the banks were built on; a stale cached copy is refetched.
    const pinned = state.banks.modelFiles;
    const backend = this.params.get('backend');
    const threads = Number(this.params.get('threads'));
    const files = new Map<string, HTMLLIElement>();
    const base = await this.createEngine({
      model: { kind: 'url', base: state.modelBase },
      bank: state.bankSpec(first),
      task: first.task,
      cacheName: MODEL_CACHE,
      pinned,
      ...(backend ? { backend: backend as BackendName } : {}),
      ...(threads > 0 ? { threads } : {}),
      onWorkerStart: (id) => this.meter.claim(id),
      onBackendChange: (change) => {
        dom.say('backend-note', describeBackendChange(change));
        this.hooks.set('backend', change.to.backend);
      },
      onProgress: (p) => {
        let li = files.get(p.file);
        if (!li) {
          li = dom.h('li');
          files.set(p.file, li);
          dom.byId('files').append(li);
        }
        const bar = dom.h('progress', { max: String(p.total ?? 1), value: String(p.total ? p.loaded : 0) });
        bar.setAttribute('aria-label', p.file);
        const pct = p.total ? ` (${Math.round((100 * p.loaded) / p.total)}%)` : '';
        li.replaceChildren(
          `${p.file}: ${formatBytes(p.loaded)}${p.total ? ` of ${formatBytes(p.total)}` : ''}${pct} `,
          bar,
        );
      },
    });
    state.setBase(base);
    const { info } = base;
    dom.say(
      'status',
      `Ready. Model ${info.modelFingerprint.slice(0, 12)}…, ${info.shape.sites} adapter sites.`,
    );
    dom.say('backend-note', explainBackend(info.backend));
    this.hooks.set('backend', info.backend.backend);
    this.hooks.set('backendSelectionMs', Math.round(info.backend.selectionMs));
  }

  private async keepOffline(): Promise<void> {
    try {
      const { failed, controlled } = await enableOffline();
      this.dom.say(
        'offline-status',
        !controlled
          ? 'This visit was not kept for offline use (a hard reload bypasses the offline copy); a normal reload keeps it.'
          : failed.length === 0
            ? 'This page works offline after this visit, with the kinds of answer and the sample people used while online.'
            : `Offline use is incomplete: ${failed.length} files could not be kept.`,
      );
    } catch (e) {
      this.dom.say('offline-status', `Offline use is not available: ${(e as Error).message}`);
    }
  }

  private async readBanks(): Promise<PageBankIndex> {
    const missing = 'This page has no trained banks: run `npm run bank:build` (npm start builds them).';
    const res = await this.dom.window.fetch(`${this.state.banksBase}/index.json`).catch(() => undefined);
    if (!res?.ok) throw new Error(missing);
    const index = (await res.json()) as PageBankIndex;
    if (index.format !== PAGE_BANKS_FORMAT) throw new Error(`${missing} (found format ${index.format})`);
    if (!PRESETS.some((p) => index.banks?.[p.id])) throw new Error(`${missing} (its index lists none)`);
    return index;
  }
}
