// tfjs backend selection. Each backend package is imported only when asked for, so a page that runs
// on WebGPU does not download the wasm binaries and Node never loads WebGPU. The choice, the GPU
// adapter behind it, and why any earlier choice was skipped are reported to the caller.

import * as tf from '@tensorflow/tfjs';
import { XpeftError } from '../errors';

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

export interface BackendReport {
  backend: BackendName;
  /** For webgpu: the adapter it runs on. */
  adapter?: GpuAdapterInfo;
  /** Backends tried before this one, with the reason each was passed over. */
  skipped: { backend: BackendName; reason: string }[];
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

/**
 * Starts the requested backend, or else the first of webgpu → webgl → wasm → cpu that works, and says
 * what it chose and why. Forcing a backend that cannot start throws BackendUnavailableError.
 */
export async function selectBackend(requested?: BackendName): Promise<BackendReport> {
  const order = requested ? [requested] : BACKENDS;
  const skipped: BackendReport['skipped'] = [];
  for (const backend of order) {
    try {
      const adapter = backend === 'webgpu' ? await webgpuAdapter() : undefined;
      await useBackend(backend);
      return { backend, ...(adapter ? { adapter } : {}), skipped };
    } catch (e) {
      if (requested)
        throw e instanceof BackendUnavailableError
          ? e
          : new BackendUnavailableError(backend, (e as Error).message);
      skipped.push({ backend, reason: (e as Error).message });
    }
  }
  throw new BackendUnavailableError(
    'any',
    `no tfjs backend could start: ${skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')}`,
  );
}
