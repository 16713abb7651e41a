// The engine behind a Web Worker, with the in-page engine's interface: train, predict, import. Progress
// callbacks are proxied back to the page and an AbortSignal cancels the worker's training job.

import * as Comlink from 'comlink';
import type { Prediction } from '../engine/engine';
import { XpeftError } from '../errors';
import type { LoadProgress } from '../model/checkpoint';
import { Profile } from '../profile/profile';
import { type Example, type Task, taskOutputs } from '../xpeft/task';
import type { TrainOptions, TrainResult } from '../xpeft/trainer';
import type {
  BackendChange,
  EngineVariant,
  WorkerApi,
  WorkerEngineInfo,
  WorkerEngineOptions,
} from './engine-worker';

/** What both the in-page Engine and RemoteEngine offer for X-PEFT profiles. */
export interface PersonalizationEngine {
  readonly task: Task;
  train(
    history: readonly Example[],
    options?: TrainOptions,
  ): Promise<{ profile: Profile; report: TrainResult }>;
  predict(profile: Profile, texts: readonly string[]): Promise<Prediction[]>;
  importProfile(saved: Uint8Array | string): Profile;
}

export class RemoteEngine implements PersonalizationEngine {
  private nextJob = 1;

  private constructor(
    private readonly worker: Worker,
    private readonly api: Comlink.Remote<WorkerApi>,
    readonly task: Task,
    readonly info: WorkerEngineInfo,
    private readonly variantOf: EngineVariant | undefined = undefined,
  ) {}

  /**
   * The same worker and model with another task and/or bank (a random recipe or a bank file): no second
   * model load, so switching between people with different tasks or banks is instant after the first use.
   * Variants share the worker: disposing any of them ends them all.
   */
  async variant(variant: EngineVariant): Promise<RemoteEngine> {
    const prints = await this.api.variant(variant);
    const info = { ...this.info, ...prints };
    return new RemoteEngine(this.worker, this.api, variant.task ?? this.task, info, variant);
  }

  /**
   * Starts a module worker, loads the model and bank there, and reports the backend it chose.
   * onBackendChange hears when a lost GPU device moved the engine to another backend (info.backend is
   * updated first); the job that saw the loss has then restarted there from its start.
   */
  static async create(
    options: WorkerEngineOptions & {
      onProgress?: (p: LoadProgress) => void;
      onBackendChange?: (change: BackendChange) => void;
    },
  ): Promise<RemoteEngine> {
    const worker = new Worker(new URL('./engine-worker.ts', import.meta.url), {
      type: 'module',
      name: 'xpeft-engine',
    });
    const api = Comlink.wrap<WorkerApi>(worker);
    const { onProgress, onBackendChange, ...rest } = options;
    let engine: RemoteEngine | undefined;
    const changed = (change: BackendChange) => {
      if (engine) engine.info.backend = change.to;
      onBackendChange?.(change);
    };
    try {
      const info = await api.load(
        rest,
        onProgress ? Comlink.proxy(onProgress) : undefined,
        Comlink.proxy(changed),
      );
      engine = new RemoteEngine(worker, api, options.task, info);
      return engine;
    } catch (e) {
      api[Comlink.releaseProxy]();
      worker.terminate();
      throw e;
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
    const cancel = () => void this.api.cancel(job).catch(() => {}); // the worker may already be gone
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      const result = await this.api.train(
        job,
        this.variantOf,
        [...history],
        rest,
        onProgress ? Comlink.proxy(onProgress) : undefined,
      );
      return { profile: Profile.fromBytes(result.bytes!), report: result.report };
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
  }

  predict(profile: Profile, texts: readonly string[]): Promise<Prediction[]> {
    this.checkProfile(profile);
    return this.api.predict(this.variantOf, profile.toBytes(), [...texts]);
  }

  /**
   * Predictions of the untouched model with the shared head (a trained bank file's population head): the
   * answer for people in general, with no profile trained.
   */
  predictFrozen(texts: readonly string[]): Promise<Prediction[]> {
    return this.api.predictFrozen(this.variantOf, [...texts]);
  }

  importProfile(saved: Uint8Array | string): Profile {
    const profile = typeof saved === 'string' ? Profile.fromString(saved) : Profile.fromBytes(saved);
    this.checkProfile(profile);
    return profile;
  }

  /** Fault injection for tests: loses the worker's WebGPU device, as a driver reset would. */
  simulateDeviceLoss(): Promise<void> {
    return this.api.simulateDeviceLoss();
  }

  /** Cancels running jobs, then ends the worker and everything it holds. */
  async dispose(): Promise<void> {
    try {
      await this.api.dispose();
    } finally {
      this.api[Comlink.releaseProxy]();
      this.worker.terminate();
    }
  }

  /** The engine's full check (fingerprints, bank shape, head or offset shape), without a round trip. */
  private checkProfile(profile: Profile): void {
    const bank = { ...this.info.shape, fingerprint: this.info.bankFingerprint };
    profile.assertCompatible(this.info.modelFingerprint, bank, taskOutputs(this.task));
  }
}
