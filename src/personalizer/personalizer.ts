// The one-call entry point: createPersonalizer() loads the frozen model and the adapter bank and
// returns an object that trains, predicts and keeps profiles. In a browser the engine runs in a Web
// Worker (the page stays responsive while a mask trains); in Node it runs in this thread.

import type { UseStore } from 'idb-keyval';
import type { BackendName } from '../backend/backends';
import type { PersonalizationEngine } from '../engine/types';
import { browserFileCache } from '../model/cache';
import type { ModelSource } from '../model/source';
import type { WorkerEngineOptions } from '../runtime/engine-worker';
import { RemoteEngine } from '../runtime/remote-engine';
import type { Task } from '../xpeft/task';
import { env, inBrowserPage, modelFromEnv } from './env';
import { type ProfileShelf, profileShelf } from './profiles';
import { type LoadProgress, trackLoad } from './progress';

/**
 * What createPersonalizer loads and where it runs; only `task` is required.
 *
 * @group Entry points
 */
export interface PersonalizerOptions {
  /** The frozen model: a folder (Node), a URL base or a hub id; default env.model. */
  model?: ModelSource;
  /** The shared adapter bank: a bank file, or a random recipe; default env.bank. */
  bank?: WorkerEngineOptions['bank'];
  task: Task;
  /** 'auto' (the default) measures the backends that start here and takes the fastest. */
  backend?: BackendName | 'auto';
  /**
   * Where the engine runs. true (the default in a browser page): a Web Worker the library makes from
   * its own script. A function: the worker it returns, a module worker whose script imports
   * `xpeft-web/worker` (for bundlers that do not follow `new URL(…, import.meta.url)`, such as esbuild);
   * it is called again if the worker crashes. false (the default in Node and in workers): this thread.
   */
  worker?: boolean | (() => Worker);
  /** Hears the load: its phase ('model', 'bank', 'ready'), a 0–1 figure, and the file being read. */
  onProgress?: (p: LoadProgress) => void;
  /** Ends the load early: the promise rejects with the signal's reason and nothing stays loaded. */
  signal?: AbortSignal;
  /** Where profiles are kept (default: the engine's IndexedDB store; see idb-keyval's createStore). */
  store?: UseStore;
  /**
   * The Cache API cache that keeps downloaded model and bank files, checked by sha256 on every load, so
   * a second visit downloads nothing; false keeps none. Default FILE_CACHE where there is a Cache API.
   */
  cacheName?: string | false;
}

/** The Cache API cache createPersonalizer keeps downloaded files in unless told otherwise. */
export const FILE_CACHE = 'xpeft-web-files';

/**
 * train, predict and importProfile as the engine offers them, with the profiles kept on this device.
 *
 * @group Entry points
 */
export interface Personalizer extends PersonalizationEngine {
  /** The profiles kept on this device (IndexedDB), checked against this model, bank and task. */
  readonly profiles: ProfileShelf;
  /** Where it runs: 'worker' or 'thread'. */
  readonly runsIn: 'worker' | 'thread';
  /** Cancels running jobs and frees the model, the bank and the worker. */
  dispose(): Promise<void>;
}

/**
 * Loads the model and bank (in a worker in a browser, in this thread elsewhere) and returns a Personalizer.
 *
 * @example
 * ```ts
 * const filter = await createPersonalizer({ task: { kind: 'classification', labels: ['show', 'hide'] } });
 * const { profile } = await filter.train([{ text: 'You are an idiot', label: 'hide' }, { text: 'Nice point', label: 'show' }]);
 * const [answer] = await filter.predict(profile, ['What a fool']);
 * if (answer.kind === 'label') console.log(answer.label, answer.probabilities);
 * await filter.profiles.save('My filter', profile);
 * ```
 *
 * @group Entry points
 */
export async function createPersonalizer(options: PersonalizerOptions): Promise<Personalizer> {
  const { worker = inBrowserPage(), backend = 'auto', onProgress, signal, store, task } = options;
  signal?.throwIfAborted();
  const cacheName = typeof caches === 'undefined' ? false : (options.cacheName ?? FILE_CACHE);
  const rest = { task, model: modelFromEnv(options.model), bank: options.bank ?? env.bank };
  const load = trackLoad(rest.bank.kind === 'file' ? rest.bank.file : undefined, (p) => onProgress?.(p));
  const watch = onProgress ? { onProgress: load.onFile } : {};
  let made: Personalizer;
  if (worker) {
    const remote = await RemoteEngine.create({
      ...rest,
      backend,
      ...watch,
      ...(typeof worker === 'function' ? { makeWorker: worker } : {}),
      ...(cacheName ? { cacheName } : {}),
      ...(signal ? { signal } : {}),
      ...(env.wasmPaths ? { wasmPaths: env.wasmPaths } : {}),
    });
    made = personalizer(remote, 'worker', store, () => remote.dispose());
  } else {
    // Loaded only here, so a page that runs the engine in its worker does not bundle tfjs itself.
    const { Engine } = await import('../engine/engine');
    const cache = cacheName ? { cache: browserFileCache(cacheName) } : {};
    const engine = await Engine.load({ ...rest, backend, ...watch, ...cache, ...(signal ? { signal } : {}) });
    made = personalizer(engine, 'thread', store, async () => engine.dispose());
  }
  load.ready();
  return made;
}

function personalizer(
  engine: PersonalizationEngine,
  runsIn: Personalizer['runsIn'],
  store: UseStore | undefined,
  dispose: () => Promise<void>,
): Personalizer {
  return {
    task: engine.task,
    runsIn,
    train: (history, options) => engine.train(history, options),
    predict: (profile, texts, options) => engine.predict(profile, texts, options),
    importProfile: (saved) => engine.importProfile(saved),
    assertCompatible: (profile) => engine.assertCompatible(profile),
    fingerprints: engine.fingerprints,
    profiles: profileShelf(engine, store),
    dispose,
  };
}
