// tfjs backends: starting one (each backend package is imported only when asked for, so Node never
// loads WebGPU), and what each would run on here: the WebGPU adapter, the WebGL renderer, the
// WebAssembly threads, and whether a GPU is a software emulation.

import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError } from '../errors';

/**
 * A tfjs backend the engine can run on.
 *
 * @group Entry points
 */
export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export const BACKENDS: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export interface GpuAdapterInfo {
  vendor: string;
  architecture: string;
  description: string;
  /** A software (CPU-emulated) adapter such as SwiftShader: correct, but slow. */
  isFallback: boolean;
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
 * Frees a backend that was started but is not active (a probe's WebGL context or WebGPU device, its
 * buffers and compiled programs), keeping it registered, so it can start afresh later if asked for.
 */
export function releaseBackend(name: BackendName): void {
  const started = (tf.engine() as unknown as { registry: Record<string, unknown> }).registry;
  const factory = tf.findBackendFactory(name);
  if (tf.getBackend() === name || !(name in started) || !factory) return;
  tf.removeBackend(name);
  tf.registerBackend(name, factory);
}

/** What a backend would run on (wasm must be started first, for its threads), or why it cannot run. */
export async function describeCandidate(
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

export async function wasmThreads(): Promise<number> {
  const { getThreadsCount } = await import('@tensorflow/tfjs-backend-wasm');
  return getThreadsCount();
}
