// The engine inside a Web Worker, exposed with Comlink. Training and prediction run here so the page
// stays responsive; progress callbacks and cancellation cross the boundary (see remote-engine.ts).
// Variants (another task, another random bank or bank file) share the one loaded model, so switching is
// cheap (worker-engines.ts). A lost GPU device moves the engine to the next backend and the job that saw
// it runs again. Everything the worker keeps between calls is in one object, `state`.

import * as Comlink from 'comlink';
import type { BackendName } from '../backend/backends';
import { destroyDevice, deviceLost, nextBackend } from '../backend/device-loss';
import type { BackendReport } from '../backend/select';
import { Engine } from '../engine/engine';
import type { Prediction } from '../engine/types';
import { DeviceLostError } from '../errors';
import { browserFileCache } from '../model/cache';
import type { CheckpointProgress } from '../model/checkpoint';
import { Profile } from '../profile/profile';
import type { TrainOptions, TrainProgress, TrainResult } from '../training/options';
import type { Example } from '../xpeft/task';
import { startBackend } from './browser-backend';
import { serviceWorkerClientId } from './offline';
import { describeEngine, population, WorkerEngines } from './worker-engines';
import type { BackendChange, EngineVariant, WorkerEngineInfo, WorkerEngineOptions } from './worker-types';

export type { BackendChange, EngineVariant, WorkerEngineInfo, WorkerEngineOptions } from './worker-types';

const LOSS_GRACE_MS = 1000;

const state = {
  engines: new WorkerEngines(),
  /** How the engine was loaded, to load it again on another backend after a lost GPU device. */
  loadedWith: undefined as
    | { options: Omit<WorkerEngineOptions, 'backend' | 'threads' | 'cacheName'>; backend: BackendReport }
    | undefined,
  onBackendChange: undefined as ((change: BackendChange) => void) | undefined,
  /** The current backend's loss: aborted (with a DeviceLostError) and rejected when its device is lost. */
  loss: { controller: new AbortController(), lost: new Promise<never>(() => {}) },
  /** The move to another backend under way, if any. */
  moving: undefined as Promise<void> | undefined,
  /** Where the wasm binaries are, if not bundled. */
  wasmPaths: undefined as string | undefined,
  /** Training jobs by their id, to cancel. */
  jobs: new Map<number, { controller: AbortController; done: Promise<unknown> }>(),
};

function watchDevice(): void {
  const controller = new AbortController();
  const lost = deviceLost().then((reason) => {
    const error = new DeviceLostError(`The GPU device was lost (${reason}).`);
    controller.abort(error);
    throw error;
  });
  lost.catch(() => {}); // observed by the jobs that race it
  state.loss = { controller, lost };
}

/**
 * Starts a backend, loads the engine on it with the loaded options and watches its device: the one
 * sequence behind a first load and a move after a lost device.
 */
async function loadOn(
  requested: BackendName | 'auto',
  options: NonNullable<typeof state.loadedWith>['options'],
  threads?: number,
  onProgress?: (p: CheckpointProgress) => void,
): Promise<BackendReport> {
  const backend = await startBackend(requested, {
    ...(threads === undefined ? {} : { threads }),
    ...(state.wasmPaths === undefined ? {} : { wasmPaths: state.wasmPaths }),
  });
  const { cache } = state.engines;
  state.engines.engine = await Engine.load({
    ...options,
    backend: 'current',
    ...(cache ? { cache } : {}),
    ...(onProgress ? { onProgress } : {}),
  });
  state.loadedWith = { options, backend };
  watchDevice();
  return backend;
}

/** Loads the engine again on the next backend after a lost device, and tells the page. */
async function moveBackend(reason: string): Promise<void> {
  const { options, backend: from } = state.loadedWith!;
  await state.engines.dispose();
  const to = await loadOn(nextBackend(from, from.backend), options);
  state.onBackendChange?.({ from: from.backend, to, reason });
}

/**
 * Runs a job; if the GPU device is lost meanwhile, moves the engine to the next backend and runs the
 * job once more from its start. `attempt` gets a signal that aborts when the device is lost; a job the
 * caller cancelled (`cancelled`) is never retried.
 */
async function surviveDeviceLoss<T>(
  attempt: (lost: AbortSignal) => Promise<T>,
  cancelled?: AbortSignal,
): Promise<T> {
  for (let tries = 0; ; tries++) {
    const { controller, lost } = state.loss;
    try {
      return await Promise.race([attempt(controller.signal), lost]);
    } catch (e) {
      if (cancelled?.aborted) throw e;
      // A GPU read can fail just before the device reports its loss: give the report a moment.
      if (!controller.signal.aborted && state.loadedWith?.backend.backend === 'webgpu')
        await Promise.race([lost.catch(() => {}), new Promise((r) => setTimeout(r, LOSS_GRACE_MS))]);
      if (!controller.signal.aborted || tries > 0) throw e;
      state.moving ??= moveBackend((controller.signal.reason as Error).message).finally(() => {
        state.moving = undefined;
      });
      await state.moving;
    }
  }
}

const api = {
  async load(
    options: WorkerEngineOptions,
    onProgress?: (p: CheckpointProgress) => void,
    backendChanged?: (change: BackendChange) => void,
  ): Promise<WorkerEngineInfo> {
    await state.engines.dispose();
    const { backend: requested, threads, cacheName, wasmPaths, ...rest } = options;
    state.engines.cache = cacheName ? browserFileCache(cacheName) : undefined;
    state.wasmPaths = wasmPaths;
    state.onBackendChange = backendChanged;
    const backend = await loadOn(requested ?? 'auto', rest, threads, onProgress);
    return { backend, ...(await describeEngine(state.engines.loaded())) };
  },

  /** This worker's id as the service worker knows it (undefined when none controls it). */
  clientId: serviceWorkerClientId,

  /** Fault injection for tests: loses the webgpu backend's device, as a driver reset would. */
  simulateDeviceLoss(): void {
    destroyDevice();
  },

  /** Fault injection for tests: an uncaught error in the worker, as a crash would raise. */
  simulateCrash(): void {
    // Thrown from a microtask: uncaught, so the page's Worker gets its error event while a job runs.
    queueMicrotask(() => {
      throw new Error('simulated crash'); // stands for any error the engine did not raise itself
    });
  },

  /** Prepares a variant engine and describes it (the backend and model are the loaded engine's). */
  async variant(variant: EngineVariant): Promise<Omit<WorkerEngineInfo, 'backend'>> {
    return describeEngine(await state.engines.engineFor(variant));
  },

  async train(
    job: number,
    variant: EngineVariant | undefined,
    history: Example[],
    options: Omit<TrainOptions, 'onProgress' | 'signal'>,
    onProgress?: (p: TrainProgress) => void,
  ): Promise<{ bytes?: Uint8Array; report: TrainResult }> {
    const controller = new AbortController();
    const run = surviveDeviceLoss(async (lost) => {
      const { profile, report } = await (await state.engines.engineFor(variant)).train(history, {
        ...options,
        signal: AbortSignal.any([controller.signal, lost]),
        ...(onProgress ? { onProgress } : {}),
      });
      return { ...(profile instanceof Profile ? { bytes: profile.toBytes() } : {}), report };
    }, controller.signal);
    state.jobs.set(job, { controller, done: run.catch(() => {}) });
    try {
      return await run;
    } finally {
      state.jobs.delete(job);
      (onProgress as { [Comlink.releaseProxy]?: () => void } | undefined)?.[Comlink.releaseProxy]?.();
    }
  },

  cancel(job: number): void {
    state.jobs.get(job)?.controller.abort(new DOMException('Training was cancelled.', 'AbortError'));
  },

  async predict(
    variant: EngineVariant | undefined,
    profile: Uint8Array,
    texts: string[],
  ): Promise<Prediction[]> {
    return surviveDeviceLoss(async () => {
      const on = await state.engines.engineFor(variant);
      return on.predict(state.engines.profileOf(on, profile), texts);
    });
  },

  /** The untouched model with the engine's shared head: the population's answer, no profile involved. */
  async predictFrozen(variant: EngineVariant | undefined, texts: string[]): Promise<Prediction[]> {
    return surviveDeviceLoss(async () => {
      const on = await state.engines.engineFor(variant);
      return on.predict(population(on), texts);
    });
  },

  /** Head outputs per text ([C] logits or [1] value) at `maxLength` tokens; no profile: the population's. */
  async outputs(
    variant: EngineVariant | undefined,
    profile: Uint8Array | undefined,
    texts: string[],
    maxLength: number,
  ): Promise<number[][]> {
    return surviveDeviceLoss(async () => {
      const on = await state.engines.engineFor(variant);
      const out = on.outputs(
        profile ? state.engines.profileOf(on, profile) : population(on),
        texts,
        maxLength,
      );
      try {
        return (await out.array()) as number[][];
      } finally {
        out.dispose();
      }
    });
  },

  /** Cancels running jobs, waits for them to stop, then frees the engine. */
  async dispose(): Promise<void> {
    for (const { controller } of state.jobs.values())
      controller.abort(new DOMException('The engine was disposed.', 'AbortError'));
    await Promise.all([...state.jobs.values()].map((j) => j.done));
    await state.engines.dispose();
  },
};

export type WorkerApi = typeof api;

Comlink.expose(api);
