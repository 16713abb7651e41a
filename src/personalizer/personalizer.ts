// The one-call entry point: createPersonalizer() loads the frozen model and the adapter bank and
// returns an object that trains, predicts and keeps profiles. In a browser the engine runs in a Web
// Worker (the page stays responsive while a mask trains); in Node it runs in this thread.

import type { UseStore } from 'idb-keyval';
import type { BackendName } from '../backend/backends';
import type { PersonalizationEngine } from '../engine/engine';
import type { LoadProgress } from '../model/checkpoint';
import type { ModelSource } from '../model/source';
import type { WorkerEngineOptions } from '../runtime/engine-worker';
import { RemoteEngine } from '../runtime/remote-engine';
import type { Task } from '../xpeft/task';
import { env, inBrowserPage, modelFromEnv } from './env';
import { type ProfileShelf, profileShelf } from './profiles';

export interface PersonalizerOptions {
  /** The frozen model: a folder (Node), a URL base or a hub id; default env.model. */
  model?: ModelSource;
  /** The shared adapter bank: a bank file, or a random recipe; default env.bank. */
  bank?: WorkerEngineOptions['bank'];
  task: Task;
  /** 'auto' (the default) measures the backends that start here and takes the fastest. */
  backend?: BackendName | 'auto';
  /** Run the engine in a Web Worker: the default where there are workers and a page (a browser). */
  worker?: boolean;
  /** Progress of the model and bank downloads. */
  onProgress?: (p: LoadProgress) => void;
  /** Where profiles are kept (default: the engine's IndexedDB store; see idb-keyval's createStore). */
  store?: UseStore;
}

/** train, predict and importProfile as the engine offers them, with the profiles kept on this device. */
export interface Personalizer extends PersonalizationEngine {
  /** The profiles kept on this device (IndexedDB), checked against this model, bank and task. */
  readonly profiles: ProfileShelf;
  /** Where it runs: 'worker' or 'thread'. */
  readonly runsIn: 'worker' | 'thread';
  /** Cancels running jobs and frees the model, the bank and the worker. */
  dispose(): Promise<void>;
}

/** Loads the model and bank (in a worker in a browser, in this thread elsewhere) and returns a Personalizer. */
export async function createPersonalizer(options: PersonalizerOptions): Promise<Personalizer> {
  const { worker = inBrowserPage(), backend = 'auto', onProgress, store, task } = options;
  const rest = { task, model: modelFromEnv(options.model), bank: options.bank ?? env.bank };
  if (worker) {
    const remote = await RemoteEngine.create({
      ...rest,
      backend,
      ...(onProgress ? { onProgress } : {}),
      ...(env.wasmPaths ? { wasmPaths: env.wasmPaths } : {}),
    });
    return personalizer(remote, 'worker', store, () => remote.dispose());
  }
  // Loaded only here, so a page that runs the engine in its worker does not bundle tfjs itself.
  const { Engine } = await import('../engine/engine');
  const engine = await Engine.load({ ...rest, backend, ...(onProgress ? { onProgress } : {}) });
  return personalizer(engine, 'thread', store, async () => engine.dispose());
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
    predict: (profile, texts) => engine.predict(profile, texts),
    importProfile: (saved) => engine.importProfile(saved),
    assertCompatible: (profile) => engine.assertCompatible(profile),
    fingerprints: engine.fingerprints,
    profiles: profileShelf(engine, store),
    dispose,
  };
}
