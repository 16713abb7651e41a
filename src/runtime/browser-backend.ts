// Backend start-up in a bundled page or worker: the wasm binaries are registered as bundled assets
// (single-threaded: the threaded build hangs when bundled), then the engine's selection runs.

import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { type BackendName, type BackendReport, selectBackend } from './backend';

export async function startBackend(requested: BackendName | null): Promise<BackendReport> {
  setWasmPaths({
    'tfjs-backend-wasm.wasm': wasmPlain,
    'tfjs-backend-wasm-simd.wasm': wasmSimd,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
  });
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  return selectBackend(requested ?? undefined);
}
