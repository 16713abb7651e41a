// The engine behind a Web Worker, with the in-page engine's interface: train, predict, import. Progress
// callbacks are proxied back to the page and an AbortSignal cancels the worker's training job. Errors
// keep their class across the boundary, and if the worker dies, the calls waiting on it fail with
// WorkerCrashedError and the next call starts a new worker with the same model and bank.

import * as Comlink from 'comlink';
import type { PersonalizationEngine, Prediction, PredictOptions } from '../engine/types';
import { WorkerCrashedError, XpeftError } from '../errors';
import type { CheckpointProgress } from '../model/checkpoint';
import { Profile } from '../profile/profile';
import type { TrainOptions, TrainResult } from '../training/options';
import { untilAborted } from '../util/abort';
import { type Example, type Task, taskOutputs } from '../xpeft/task';
import type {
  BackendChange,
  EngineVariant,
  WorkerApi,
  WorkerEngineInfo,
  WorkerEngineOptions,
} from './engine-worker';
import { rebuildError } from './worker-errors';

export type RemoteEngineOptions = WorkerEngineOptions & {
  onProgress?: (p: CheckpointProgress) => void;
  onBackendChange?: (change: BackendChange) => void;
  /**
   * Told the service worker's id for each worker started (the first, and any that replaces a crashed
   * one), or undefined when no service worker controls it: the page's request counter counts that
   * client's requests as this page's.
   */
  onWorkerStart?: (serviceWorkerClientId: string | undefined) => void;
  /**
   * Makes the engine's worker: a module worker whose script imports `xpeft-web/worker` (for bundlers
   * that do not follow `new URL(…, import.meta.url)`, or a page that wants its own). Called again for a
   * worker that replaces a crashed one. Default: the library's own worker script.
   */
  makeWorker?: () => Worker;
  /** Ends the first load early: the worker is stopped and create() rejects with the signal's reason. */
  signal?: AbortSignal;
};

const libraryWorker = () =>
  new Worker(new URL('./engine-worker.ts', import.meta.url), { type: 'module', name: 'xpeft-engine' });

/** One running worker with the engine loaded. */
interface Connection {
  worker: Worker;
  api: Comlink.Remote<WorkerApi>;
  /** Rejects with WorkerCrashedError when the worker dies. */
  died: Promise<never>;
}

/** What the base engine and its variants share: the options, the current worker, the latest info. */
interface Link {
  options: RemoteEngineOptions;
  connection: Promise<Connection>;
  info: WorkerEngineInfo;
}

async function connect(link: Pick<Link, 'options'> & { info?: WorkerEngineInfo }): Promise<Connection> {
  const {
    onProgress,
    onBackendChange,
    onWorkerStart,
    makeWorker = libraryWorker,
    signal,
    ...rest
  } = link.options;
  const worker = makeWorker();
  const api = Comlink.wrap<WorkerApi>(worker);
  let die: (e: Error) => void = () => {};
  const died = new Promise<never>((_, reject) => {
    die = reject;
  });
  died.catch(() => {}); // observed by the calls that race it
  const abort = () => die(signal!.reason);
  if (!link.info) signal?.addEventListener('abort', abort, { once: true }); // the first load only
  const crashed = (what: string) =>
    die(new WorkerCrashedError(`The engine's worker stopped (${what}); the next call starts a new one.`));
  worker.addEventListener('error', (e) => {
    e.preventDefault();
    crashed(e.message || 'an uncaught error');
  });
  worker.addEventListener('messageerror', () => crashed('it sent a message that could not be read'));
  const changed = (change: BackendChange) => {
    if (link.info) link.info.backend = change.to;
    onBackendChange?.(change);
  };
  try {
    if (onWorkerStart) onWorkerStart(await Promise.race([api.clientId(), died]));
    const info = await Promise.race([
      api.load(rest, onProgress ? Comlink.proxy(onProgress) : undefined, Comlink.proxy(changed)),
      died,
    ]);
    if (link.info) Object.assign(link.info, info);
    else link.info = info;
    return { worker, api, died };
  } catch (e) {
    api[Comlink.releaseProxy]();
    worker.terminate();
    throw rebuildError(e);
  } finally {
    signal?.removeEventListener('abort', abort);
  }
}

export class RemoteEngine implements PersonalizationEngine {
  private nextJob = 1;

  private constructor(
    private readonly link: Link,
    readonly task: Task,
    private readonly variantOf: EngineVariant | undefined = undefined,
    private readonly prints: Partial<WorkerEngineInfo> = {},
  ) {}

  /** The loaded engine: backend (updated when a lost GPU moves it), fingerprints and bank shape. */
  get info(): WorkerEngineInfo {
    return { ...this.link.info, ...this.prints };
  }

  /**
   * The same worker and model with another task and/or bank (a random recipe or a bank file): no second
   * model load, so switching between people with different tasks or banks is instant after the first use.
   * Variants share the worker: disposing any of them ends them all.
   */
  async variant(variant: EngineVariant): Promise<RemoteEngine> {
    const prints = await this.call((api) => api.variant(variant));
    return new RemoteEngine(this.link, variant.task ?? this.task, variant, prints);
  }

  /**
   * Starts a module worker, loads the model and bank there, and reports the backend it chose.
   * onBackendChange hears when a lost GPU device moved the engine to another backend (info.backend is
   * updated first); the job that saw the loss has then restarted there from its start.
   */
  static async create(options: RemoteEngineOptions): Promise<RemoteEngine> {
    options.signal?.throwIfAborted();
    const pending = { options } as Link;
    pending.connection = connect(pending);
    await pending.connection;
    return new RemoteEngine(pending, options.task);
  }

  /**
   * Runs a call on the current worker. If the worker dies meanwhile the call fails with
   * WorkerCrashedError, and the next call starts a new worker; every error keeps its class.
   */
  private async call<T>(run: (api: Comlink.Remote<WorkerApi>) => Promise<T>): Promise<T> {
    const pending = this.link.connection;
    const { api, worker, died } = await pending;
    try {
      return await Promise.race([run(api), died]);
    } catch (e) {
      if (e instanceof WorkerCrashedError && this.link.connection === pending) {
        api[Comlink.releaseProxy]();
        worker.terminate();
        this.link.connection = connect(this.link);
        this.link.connection.catch(() => {}); // reported by the next call
      }
      throw rebuildError(e);
    }
  }

  async train(
    history: readonly Example[],
    options: TrainOptions = {},
  ): Promise<{ profile: Profile; report: TrainResult }> {
    const { signal, onProgress, ...rest } = options;
    if ((rest.method ?? 'xpeft') !== 'xpeft')
      throw new XpeftError('The worker engine trains X-PEFT profiles only.');
    signal?.throwIfAborted();
    const job = this.nextJob++;
    const cancel = () => void this.call((api) => api.cancel(job)).catch(() => {}); // the worker may be gone
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      const result = await this.call((api) =>
        api.train(
          job,
          this.variantOf,
          [...history],
          rest,
          onProgress ? Comlink.proxy(onProgress) : undefined,
        ),
      );
      return { profile: Profile.fromBytes(result.bytes!), report: result.report };
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
  }

  predict(profile: Profile, texts: readonly string[], options: PredictOptions = {}): Promise<Prediction[]> {
    this.assertCompatible(profile);
    options.signal?.throwIfAborted();
    const answers = this.call((api) => api.predict(this.variantOf, profile.toBytes(), [...texts]));
    return untilAborted(answers, options.signal);
  }

  /**
   * Predictions of the untouched model with the shared head (a trained bank file's population head): the
   * answer for people in general, with no profile trained.
   */
  predictFrozen(texts: readonly string[]): Promise<Prediction[]> {
    return this.call((api) => api.predictFrozen(this.variantOf, [...texts]));
  }

  /**
   * Head outputs per text (logits per label, or the one value of a regression) at `maxLength` tokens,
   * under a profile, or with none the untouched model with the shared head (as predictFrozen). For texts
   * ranked again and again, where the length matters (long jokes), and at the length a profile trained.
   */
  outputs(profile: Profile | undefined, texts: readonly string[], maxLength: number): Promise<number[][]> {
    if (profile) this.assertCompatible(profile);
    return this.call((api) => api.outputs(this.variantOf, profile?.toBytes(), [...texts], maxLength));
  }

  importProfile(saved: Uint8Array | string): Profile {
    const profile = Profile.from(saved);
    this.assertCompatible(profile);
    return profile;
  }

  /** Fault injection for tests: loses the worker's WebGPU device, as a driver reset would. */
  simulateDeviceLoss(): Promise<void> {
    return this.call((api) => api.simulateDeviceLoss());
  }

  /** Fault injection for tests: the worker dies with an uncaught error, as a crash would. */
  simulateCrash(): Promise<void> {
    return this.call((api) => api.simulateCrash());
  }

  /** Cancels running jobs, then ends the worker and everything it holds. */
  async dispose(): Promise<void> {
    const { api, worker } = await this.link.connection;
    try {
      await api.dispose();
    } finally {
      api[Comlink.releaseProxy]();
      worker.terminate();
    }
  }

  /** The engine's full check (fingerprints, bank shape, head or offset shape), without a round trip. */
  assertCompatible(profile: Profile): void {
    const { info } = this;
    const bank = { ...info.shape, fingerprint: info.bankFingerprint };
    profile.assertCompatible(info.modelFingerprint, bank, taskOutputs(this.task));
  }

  get fingerprints(): { model: string; bank: string } {
    return { model: this.info.modelFingerprint, bank: this.info.bankFingerprint };
  }
}
