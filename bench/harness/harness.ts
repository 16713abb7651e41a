// Test harness page: drives the worker engine from the page so browser tests can check what only a
// browser has (WebGPU in a worker, responsiveness, cancellation, IndexedDB, offline use), and runs the
// benchmark figures on a chosen backend.

import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import {
  type BackendName,
  cosineSimilarity,
  createPersonalizer,
  Engine,
  type Example,
  env,
  exportProfile,
  FILE_CACHE,
  HistoryError,
  LanguageModel,
  listProfiles,
  Profile,
  type RandomBankRecipe,
  RemoteEngine,
  saveProfile,
  type TrainOptions,
  WorkerCrashedError,
} from '../../src/advanced';
import { startBackend } from '../../src/runtime/browser-backend';
import type { BackendChange } from '../../src/runtime/engine-worker';
import { enableOffline } from '../../src/runtime/offline';
import { type FigureOptions, runFigures } from '../figures';
import { transformersJsEncoder } from '../transformers-js';

let remote: RemoteEngine | undefined;
const backendChanges: BackendChange[] = [];
const longTasks: number[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) longTasks.push(e.duration);
}).observe({ type: 'longtask', buffered: true });

/** What a harness training call reports: the profile (or the error), steps seen, and long tasks on the page. */
export interface TrainOutcome {
  bytes?: number[];
  losses?: number[];
  error?: string;
  steps: number[];
  longTasks: number[];
}

/** Counts the Workers this page makes until stop() (the constructor is wrapped meanwhile). */
function countWorkers(): { readonly count: number; stop(): void } {
  const Original = globalThis.Worker;
  const counter = {
    count: 0,
    stop: () => {
      globalThis.Worker = Original;
    },
  };
  globalThis.Worker = class extends Original {
    constructor(url: string | URL, options?: WorkerOptions) {
      super(url, options);
      counter.count++;
    }
  };
  return counter;
}

const harness = {
  async load(
    modelBase: string,
    backend: BackendName | 'auto',
    bank: RandomBankRecipe,
    cacheName?: string,
    threads?: number,
  ) {
    await remote?.dispose();
    const started = performance.now();
    remote = await RemoteEngine.create({
      model: { kind: 'url', base: modelBase },
      bank: { kind: 'random', ...bank },
      task: { kind: 'classification', labels: ['negative', 'positive'] },
      backend,
      ...(cacheName ? { cacheName } : {}),
      ...(threads ? { threads } : {}),
      onBackendChange: (change) => backendChanges.push(change),
    });
    return { ...remote.info, loadMs: performance.now() - started, isolated: crossOriginIsolated };
  },

  enableOffline: () => enableOffline(),

  /** The one-call API with its defaults: trains, keeps and reloads a profile, and predicts. */
  async personalize(
    modelBase: string,
    bank: RandomBankRecipe,
    history: Example[],
    options: TrainOptions,
    texts: string[],
    wasmPaths?: string,
  ) {
    env.wasmPaths = wasmPaths;
    const personalizer = await createPersonalizer({
      model: { kind: 'url', base: modelBase },
      bank: { kind: 'random', ...bank },
      task: { kind: 'classification', labels: ['negative', 'positive'] },
      backend: 'wasm',
    });
    try {
      const { profile } = await personalizer.train(history, options);
      const kept = await personalizer.profiles.save('Pat', profile);
      const loaded = await personalizer.profiles.load(kept.id);
      await personalizer.profiles.delete(kept.id);
      const cached = await (await caches.open(FILE_CACHE)).keys();
      return {
        runsIn: personalizer.runsIn,
        bytes: Array.from(loaded.toBytes()),
        predictions: await personalizer.predict(loaded, texts),
        cached: cached.map((r) => r.url),
      };
    } finally {
      await personalizer.dispose();
    }
  },

  async saveProfile(name: string, bytes: number[]) {
    return saveProfile(name, Profile.fromBytes(new Uint8Array(bytes)));
  },

  async listProfiles() {
    const list = await listProfiles();
    return Promise.all(
      list.map(async (p) => ({ ...p, data: Array.from((await exportProfile(p.id)) as Uint8Array) })),
    );
  },

  /**
   * Trains in the worker; cancels after `cancelAtStep` steps if given (0: before the call). Reports long
   * tasks seen meanwhile.
   */
  /** Backend moves the engine made after a lost GPU device, and the backend it is on now. */
  backendChanges: () => ({ changes: backendChanges, now: remote!.info.backend.backend }),

  /** Training during which the worker crashes at its first step: how the waiting call fails. */
  async crashDuringTraining(history: Example[], options: TrainOptions) {
    try {
      await remote!.train(history, {
        ...options,
        onProgress: (p) => {
          if (p.step === 1) void remote!.simulateCrash().catch(() => {});
        },
      });
      return { name: 'no error', crashed: false };
    } catch (e) {
      return { name: (e as Error).name, crashed: e instanceof WorkerCrashedError };
    }
  },

  /** The error a worker call throws, seen on the page: its name and whether its class survived. */
  async trainingError(history: Example[]) {
    try {
      await remote!.train(history, {});
      return undefined;
    } catch (e) {
      return {
        name: (e as Error).name,
        message: (e as Error).message,
        isHistoryError: e instanceof HistoryError,
      };
    }
  },

  /** Loses the worker's GPU device now, or when training reaches `atStep` (see train). */
  loseDevice: () => remote!.simulateDeviceLoss(),

  async train(
    history: Example[],
    options: TrainOptions,
    cancelAtStep?: number,
    loseDeviceAtStep?: number,
  ): Promise<TrainOutcome> {
    longTasks.length = 0;
    const controller = new AbortController();
    if (cancelAtStep === 0) controller.abort();
    const steps: number[] = [];
    try {
      const { profile, report } = await remote!.train(history, {
        ...options,
        signal: controller.signal,
        onProgress: (p) => {
          steps.push(p.step);
          if (p.step === cancelAtStep) controller.abort();
          if (p.step === loseDeviceAtStep) void remote!.simulateDeviceLoss();
        },
      });
      return {
        bytes: Array.from(profile.toBytes()),
        losses: report.epochLosses,
        steps,
        longTasks: [...longTasks],
      };
    } catch (e) {
      return { error: `${(e as Error).name}: ${(e as Error).message}`, steps, longTasks: [...longTasks] };
    }
  },

  /** Loads the model on the page's own thread and returns token ids and cosine similarities. */
  async similarity(modelBase: string, backend: BackendName, sentences: string[]) {
    const report = await startBackend(backend);
    const model = await LanguageModel.load({ kind: 'url', base: modelBase });
    try {
      const batch = model.tokenize(sentences);
      const tokens = sentences.map((_, i) =>
        Array.from(batch.inputIds.subarray(i * batch.seqLen, i * batch.seqLen + batch.lengths[i]!)),
      );
      const emb = await model.embed(sentences);
      return { report, tokens, similarity: emb.map((a) => emb.map((b) => cosineSimilarity(a, b))) };
    } finally {
      model.dispose();
    }
  },

  /** The benchmark figures (bench/figures.ts) on this page's thread, on `backend`. */
  async benchFigures(
    modelBase: string,
    backend: BackendName,
    words: string[],
    options: Pick<FigureOptions, 'figures' | 'shapes' | 'repeats' | 'memorySteps'>,
    threads = 1,
  ) {
    const report = await startBackend(backend, { threads });
    const model = await LanguageModel.load({ kind: 'url', base: modelBase });
    const engine = await Engine.load({
      model,
      bank: { kind: 'random', seed: 1, n: 100 },
      task: { kind: 'classification', labels: ['negative', 'positive'] },
    });
    // The threads each side really ran on: tfjs-backend-wasm's pool as it reports it, and the workers
    // onnxruntime-web starts (one per thread beyond the calling one) while it loads and first runs.
    const started = countWorkers();
    const reference = options.figures.includes(1)
      ? await transformersJsEncoder({
          localModelPath: `${modelBase.slice(0, modelBase.lastIndexOf('/'))}/`,
          name: modelBase.slice(modelBase.lastIndexOf('/') + 1),
          wasmPaths: '/ort/',
          threads,
        })
      : undefined;
    await reference?.embed(['a first run starts every thread']);
    started.stop();
    const used = {
      tfjs: backend === 'wasm' ? getThreadsCount() : undefined,
      onnxruntime: reference ? 1 + started.count : undefined,
    };
    try {
      const rows = await runFigures({
        engine,
        words,
        ...(reference ? { reference } : {}),
        ...options,
        log: () => {},
      });
      return { report, rows, used };
    } finally {
      await reference?.dispose();
      engine.dispose();
      model.dispose();
    }
  },

  /** Class probabilities per text (the harness task is classification). */
  async predict(bytes: number[], texts: string[]): Promise<number[][]> {
    const predictions = await remote!.predict(Profile.fromBytes(new Uint8Array(bytes)), texts);
    return predictions.map((p) => (p.kind === 'label' ? p.probabilities : [p.value]));
  },
};

export type Harness = typeof harness;
/** The page's window as tests see it through page.evaluate. */
export type HarnessWindow = { harness: Harness };

(window as unknown as HarnessWindow).harness = harness;
document.body.dataset.ready = 'true';
