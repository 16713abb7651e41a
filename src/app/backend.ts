// Backend start-up for the page: the requested backend, or the first of webgpu → webgl → wasm → cpu
// that starts. The wasm binaries are bundled as assets and loaded single-threaded (the threaded build
// hangs when bundled).

import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { BACKENDS, type BackendName, useBackend } from '../index';

export async function startBackend(requested: BackendName | null): Promise<BackendName> {
  setWasmPaths({
    'tfjs-backend-wasm.wasm': wasmPlain,
    'tfjs-backend-wasm-simd.wasm': wasmSimd,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
  });
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  if (requested) return useBackend(requested);
  for (const name of BACKENDS) {
    try {
      return await useBackend(name);
    } catch {
      // try the next one
    }
  }
  throw new Error('No tfjs backend could start in this browser.');
}
