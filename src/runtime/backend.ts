// tfjs backend selection. Each backend package is imported only when asked for, so a page that runs
// on WebGPU does not download the wasm binaries and Node never loads WebGPU.

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

async function register(name: BackendName): Promise<void> {
  if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  if (name === 'webgpu') await import('@tensorflow/tfjs-backend-webgpu');
  // cpu and webgl ship inside @tensorflow/tfjs.
}

/** Activates a backend and returns its name; throws BackendUnavailableError if it cannot start. */
export async function useBackend(name: BackendName): Promise<BackendName> {
  if (!BACKENDS.includes(name)) {
    throw new BackendUnavailableError(
      String(name),
      `unknown backend; expected one of ${BACKENDS.join(', ')}.`,
    );
  }
  await register(name);
  let ok = false;
  try {
    ok = await tf.setBackend(name);
  } catch (e) {
    throw new BackendUnavailableError(name, (e as Error).message);
  }
  if (!ok) throw new BackendUnavailableError(name, 'tfjs could not initialise it in this environment.');
  await tf.ready();
  return name;
}
