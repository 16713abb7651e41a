// tfjs backend selection by measurement: every backend that starts here runs the probe, the fastest
// wins, and the choice is remembered per device. The choice, the device behind it, the probe's timings
// and why every other backend was passed over are reported to the caller.

import { createStore, get, set } from 'idb-keyval';
import { BackendUnavailableError } from '../errors';
import { VERSION } from '../version';
import {
  type BackendName,
  describeCandidate,
  type GpuAdapterInfo,
  releaseBackend,
  useBackend,
  wasmThreads,
} from './backends';
import { type ProbeLimits, type ProbeTiming, probeActiveBackend, STEP_PER_GATE } from './probe';

/** One candidate's probe: what it runs on and how fast the probe step ran (or why it could not run). */
export interface BackendTiming {
  backend: BackendName;
  /** The GPU adapter, WebGL renderer or CPU threads it runs on. */
  device: string;
  /** A software (CPU-emulated) GPU adapter or renderer. */
  software: boolean;
  warmupMs?: number;
  msPerStep?: number;
  /** Why the probe disqualified it (threw, or ran past its cap). */
  failed?: string;
}

export interface BackendReport {
  backend: BackendName;
  /** For webgpu: the adapter it runs on. */
  adapter?: GpuAdapterInfo;
  /** WebAssembly threads in use (wasm only). */
  threads?: number;
  /** Backends not used, each with the reason. */
  skipped: { backend: BackendName; reason: string }[];
  /** The probe's measurements on this device ([] when forced, or when only one backend starts). */
  timings: BackendTiming[];
  /** Why this backend, in a sentence. */
  reason: string;
  /** The choice came from an earlier probe on this device (same GPU, renderer, browser and engine). */
  remembered: boolean;
  /** Time the selection took: starting candidates, probing, and the store. */
  selectionMs: number;
}

/** A remembered choice, keyed by what the device is (see selectBackend). */
export interface StoredChoice {
  backend: BackendName;
  timings: BackendTiming[];
  skipped: BackendReport['skipped'];
  reason: string;
}

export interface ChoiceStore {
  get(key: string): Promise<StoredChoice | undefined>;
  set(key: string, choice: StoredChoice): Promise<void>;
}

/** Remembered choices in IndexedDB (pages and workers); undefined where there is none (Node). */
function defaultChoiceStore(): ChoiceStore | undefined {
  if (typeof indexedDB === 'undefined') return undefined;
  const store = createStore('xpeft-web-backend', 'choices');
  return {
    get: (key) => get<StoredChoice>(key, store),
    set: (key, choice) => set(key, choice, store),
  };
}

export interface SelectOptions {
  /** Where choices are remembered; default IndexedDB where it exists, null to always probe. */
  store?: ChoiceStore | null;
  /** Times the active backend (default: the encoder-layer probe). */
  probe?: (limits: ProbeLimits) => Promise<ProbeTiming>;
  /** Caps for a hardware candidate; default 10 s warm-up, 5 s per step. */
  limits?: ProbeLimits;
}

const HARDWARE_LIMITS: ProbeLimits = { warmupMs: 10_000, stepMs: 5_000 };

/**
 * Caps for a software GPU adapter: it wins only by measuring faster than the best so far, so it must
 * first pass the gate (one product at the pace of a step faster than the best), then take no longer
 * per step than the best step, and its warm-up (shader compilation) no longer than a short bound.
 */
function softwareLimits(best: BackendTiming | undefined, hardware: ProbeLimits): ProbeLimits {
  if (best?.msPerStep === undefined || best.warmupMs === undefined) return hardware;
  return {
    warmupMs: Math.max(300, best.warmupMs + best.msPerStep),
    stepMs: best.msPerStep,
    gateMs: best.msPerStep / STEP_PER_GATE,
  };
}

const ms = (t: number) => (t < 10 ? t.toFixed(1) : Math.round(t).toString());
const label = (t: BackendTiming) => `${t.backend} (${t.software ? 'software: ' : ''}${t.device})`;

export interface Candidate {
  backend: BackendName;
  device: string;
  software: boolean;
}

/**
 * Measures candidates in order (hardware caps for hardware, softwareLimits for software ones) and ranks
 * them: the fastest step wins; a probe that throws or passes its cap disqualifies its candidate.
 */
export async function rankCandidates(
  candidates: readonly Candidate[],
  hardware: ProbeLimits,
  measure: (c: Candidate, limits: ProbeLimits) => Promise<ProbeTiming>,
): Promise<{ best?: BackendTiming; timings: BackendTiming[]; slower: BackendReport['skipped'] }> {
  const timings: BackendTiming[] = [];
  let best: BackendTiming | undefined;
  for (const c of candidates) {
    const timing: BackendTiming = { backend: c.backend, device: c.device, software: c.software };
    try {
      Object.assign(timing, await measure(c, c.software ? softwareLimits(best, hardware) : hardware));
      if (!best || timing.msPerStep! < best.msPerStep!) best = timing;
    } catch (e) {
      timing.failed = (e as Error).message;
    }
    timings.push(timing);
  }
  const slower = timings
    .filter((t) => t !== best)
    .map((t) => ({
      backend: t.backend,
      reason: t.failed
        ? `its probe failed: ${t.failed}.`
        : `${ms(t.msPerStep!)} ms per probe step, slower than ${best!.backend} (${ms(best!.msPerStep!)} ms).`,
    }));
  return { ...(best ? { best } : {}), timings, slower };
}

/**
 * Starts a backend. Forced (a name): that one, or BackendUnavailableError. 'auto' (the default): every
 * backend that starts here (wasm, webgl, webgpu, in that order; cpu only if none does) runs the probe
 * under a cap, and the fastest wins; a software GPU adapter wins only if it measures faster. The choice is remembered per
 * device (GPU adapter, WebGL renderer, user agent, wasm threads and engine version), so later visits
 * skip the probe until one of those changes.
 */
export async function selectBackend(
  requested: BackendName | 'auto' = 'auto',
  options: SelectOptions = {},
): Promise<BackendReport> {
  const started = performance.now();
  const report = await choose(requested, options);
  return { ...report, selectionMs: performance.now() - started };
}

async function choose(
  requested: BackendName | 'auto',
  options: SelectOptions,
): Promise<Omit<BackendReport, 'selectionMs'>> {
  if (requested !== 'auto') {
    await useBackend(requested);
    const described = await describeCandidate(requested).catch(() => ({ adapter: undefined }));
    return {
      ...(await reportOf(requested, described.adapter)),
      skipped: [],
      timings: [],
      reason: 'forced by the caller; not measured.',
      remembered: false,
    };
  }
  const skipped: BackendReport['skipped'] = [];
  // Described without starting them (a GPU backend takes seconds to start on a software adapter):
  // wasm is started, as it is the usual winner and its thread count is known only once it runs.
  const candidates: (Candidate & { adapter?: GpuAdapterInfo })[] = [];
  for (const backend of ['wasm', 'webgl', 'webgpu'] as const) {
    try {
      if (backend === 'wasm') await useBackend('wasm');
      candidates.push({ backend, ...(await describeCandidate(backend)) });
    } catch (e) {
      skipped.push({ backend, reason: (e as Error).message });
    }
  }
  if (candidates.length === 0) {
    await useBackend('cpu').catch((e) => {
      skipped.push({ backend: 'cpu', reason: (e as Error).message });
      throw new BackendUnavailableError(
        'any',
        `no tfjs backend could start: ${skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')}`,
      );
    });
    const reason = 'nothing faster starts here.';
    return { ...(await reportOf('cpu')), skipped, timings: [], reason, remembered: false };
  }
  if (candidates.length === 1) {
    const only = candidates[0]!;
    await useBackend(only.backend);
    const reason = 'the only backend that starts here.';
    return {
      ...(await reportOf(only.backend, only.adapter)),
      skipped,
      timings: [],
      reason,
      remembered: false,
    };
  }

  const store = options.store === undefined ? defaultChoiceStore() : (options.store ?? undefined);
  const key = JSON.stringify({
    version: VERSION,
    userAgent: globalThis.navigator?.userAgent ?? '',
    devices: candidates.map((c) => `${c.backend}: ${c.device}`),
  });
  const stored = await store?.get(key).catch(() => undefined);
  const again = stored && candidates.find((c) => c.backend === stored.backend);
  if (
    stored &&
    again &&
    (await useBackend(again.backend).then(
      () => true,
      () => false,
    ))
  )
    return { ...(await reportOf(again.backend, again.adapter)), ...stored, remembered: true };

  const probe = options.probe ?? probeActiveBackend;
  const { best, timings, slower } = await rankCandidates(
    candidates,
    options.limits ?? HARDWARE_LIMITS,
    async (c, limits) => {
      await useBackend(c.backend);
      return probe(limits);
    },
  );
  skipped.push(...slower);
  // The probe started every candidate: those that lost give back what they hold (a GPU context).
  const releaseLosers = () => {
    for (const t of timings) releaseBackend(t.backend);
  };
  if (!best) {
    await useBackend('cpu');
    releaseLosers();
    const reason = 'every faster backend failed its probe.';
    return { ...(await reportOf('cpu')), skipped, timings, reason, remembered: false };
  }
  const winner = candidates.find((c) => c.backend === best!.backend)!;
  const reason = `fastest of ${timings.length} measured: ${label(best)} ${ms(best.msPerStep!)} ms per probe step.`;
  await useBackend(winner.backend);
  releaseLosers();
  await store?.set(key, { backend: winner.backend, timings, skipped, reason }).catch(() => undefined);
  return { ...(await reportOf(winner.backend, winner.adapter)), skipped, timings, reason, remembered: false };
}

async function reportOf(
  backend: BackendName,
  adapter?: GpuAdapterInfo,
): Promise<Pick<BackendReport, 'backend' | 'adapter' | 'threads'>> {
  return {
    backend,
    ...(adapter ? { adapter } : {}),
    ...(backend === 'wasm' ? { threads: await wasmThreads() } : {}),
  };
}
