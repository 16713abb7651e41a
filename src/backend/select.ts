// tfjs backend selection by measurement. Each backend package is imported only when asked for, so Node
// never loads WebGPU. The choice, the device behind it, the probe's timings and why every other backend
// was passed over are reported to the caller.

import * as tf from '@tensorflow/tfjs';
import { createStore, get, set } from 'idb-keyval';
import { XpeftError } from '../errors';
import { VERSION } from '../version';
import { type ProbeLimits, type ProbeTiming, probeActiveBackend, STEP_PER_GATE } from './probe';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export const BACKENDS: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export class BackendUnavailableError extends XpeftError {
  constructor(
    readonly backend: string,
    reason: string,
  ) {
    super(`Backend "${backend}" is unavailable: ${reason}`);
  }
}

export interface GpuAdapterInfo {
  vendor: string;
  architecture: string;
  description: string;
  /** A software (CPU-emulated) adapter such as SwiftShader: correct, but slow. */
  isFallback: boolean;
}

/** The GPU device under the webgpu backend stopped (driver reset, GPU removed, or destroyed). */
export class DeviceLostError extends XpeftError {}

/**
 * Resolves with the reason when the active webgpu backend's device is lost; never for other backends.
 * tfjs-backend-webgpu keeps its GPUDevice as `device`.
 */
export function deviceLost(): Promise<string> {
  const device = (
    tf.backend() as unknown as { device?: { lost?: Promise<{ reason?: string; message?: string }> } }
  ).device;
  if (tf.getBackend() !== 'webgpu' || !device?.lost) return new Promise(() => {});
  return device.lost.then((info) => [info.reason, info.message].filter(Boolean).join(': ') || 'unknown');
}

/** Fault injection: destroys the webgpu backend's device, as a driver reset would lose it. */
export function destroyDevice(): void {
  if (tf.getBackend() !== 'webgpu')
    throw new BackendUnavailableError('webgpu', 'it is not the active backend.');
  (tf.backend() as unknown as { device: { destroy(): void } }).device.destroy();
}

/** The backend to move to when `lost` fails: the fastest other one measured, else wasm. */
export function nextBackend(report: BackendReport, lost: BackendName): BackendName {
  const measured = report.timings
    .filter((t) => t.backend !== lost && t.msPerStep !== undefined)
    .sort((a, b) => a.msPerStep! - b.msPerStep!);
  return measured[0]?.backend ?? (lost === 'wasm' ? 'cpu' : 'wasm');
}

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

async function register(name: BackendName): Promise<void> {
  if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  if (name === 'webgpu') await import('@tensorflow/tfjs-backend-webgpu');
  // cpu and webgl ship inside @tensorflow/tfjs.
}

interface RawAdapterInfo {
  vendor?: string;
  architecture?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

interface GpuLike {
  requestAdapter(): Promise<{
    info?: RawAdapterInfo;
    isFallbackAdapter?: boolean;
    requestAdapterInfo?: () => Promise<RawAdapterInfo>;
  } | null>;
}

/** The WebGPU adapter this browser offers, or why there is none. */
async function webgpuAdapter(): Promise<GpuAdapterInfo> {
  const gpu = (globalThis.navigator as unknown as { gpu?: GpuLike } | undefined)?.gpu;
  if (!gpu)
    throw new BackendUnavailableError(
      'webgpu',
      'this browser has no navigator.gpu (WebGPU is off or unsupported).',
    );
  const adapter = await gpu.requestAdapter();
  if (!adapter)
    throw new BackendUnavailableError('webgpu', 'navigator.gpu.requestAdapter() found no adapter.');
  const info: RawAdapterInfo = adapter.info ?? (await adapter.requestAdapterInfo?.()) ?? {};
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    description: info.description ?? '',
    isFallback: Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter),
  };
}

/** Activates a backend and returns its name; throws BackendUnavailableError if it cannot start. */
export async function useBackend(name: BackendName): Promise<BackendName> {
  if (!BACKENDS.includes(name)) {
    throw new BackendUnavailableError(
      String(name),
      `unknown backend; expected one of ${BACKENDS.join(', ')}.`,
    );
  }
  let ok = false;
  try {
    await register(name);
    ok = await tf.setBackend(name);
  } catch (e) {
    throw new BackendUnavailableError(name, (e as Error).message);
  }
  if (!ok) throw new BackendUnavailableError(name, 'tfjs could not initialise it in this environment.');
  await tf.ready();
  return name;
}

/** What a backend would run on (wasm must be started first, for its threads), or why it cannot run. */
async function describeCandidate(
  backend: BackendName,
): Promise<{ device: string; software: boolean; adapter?: GpuAdapterInfo }> {
  if (backend === 'webgpu') {
    const adapter = await webgpuAdapter();
    const device = [adapter.vendor, adapter.architecture, adapter.description].filter(Boolean).join(' ');
    return { device: device || 'unnamed adapter', software: adapter.isFallback, adapter };
  }
  if (backend === 'webgl') {
    const renderer = webglRenderer();
    return { device: renderer, software: SOFTWARE_RENDERER.test(renderer) };
  }
  return { device: backend === 'wasm' ? `${await wasmThreads()} thread(s)` : 'CPU', software: false };
}

const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software|basic render/i;

/** The WebGL renderer's name (unmasked where the browser allows), or why there is no WebGL. */
function webglRenderer(): string {
  const Canvas = (globalThis as { OffscreenCanvas?: new (w: number, h: number) => OffscreenCanvas })
    .OffscreenCanvas;
  const gl = Canvas ? (new Canvas(1, 1).getContext('webgl2') as WebGL2RenderingContext | null) : null;
  if (!gl) throw new BackendUnavailableError('webgl', 'no WebGL 2 context can be created here.');
  const debug = gl.getExtension('WEBGL_debug_renderer_info');
  const name = String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return name;
}

async function wasmThreads(): Promise<number> {
  const { getThreadsCount } = await import('@tensorflow/tfjs-backend-wasm');
  return getThreadsCount();
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
      const t0 = performance.now();
      await useBackend(c.backend);
      console.log('TIMING start', c.backend, performance.now() - t0);
      try {
        return await probe(limits);
      } catch (e) {
        console.log('TIMING', String(e));
        throw e;
      } finally {
        console.log('TIMING probe', c.backend, performance.now() - t0);
      }
    },
  );
  skipped.push(...slower);
  if (!best) {
    await useBackend('cpu');
    const reason = 'every faster backend failed its probe.';
    return { ...(await reportOf('cpu')), skipped, timings, reason, remembered: false };
  }
  const winner = candidates.find((c) => c.backend === best!.backend)!;
  const reason = `fastest of ${timings.length} measured: ${label(best)} ${ms(best.msPerStep!)} ms per probe step.`;
  await useBackend(winner.backend);
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
