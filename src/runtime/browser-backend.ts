// Backend start-up in a bundled page or worker: the wasm binaries are registered (see wasm-files.ts), with
// threads when the page is cross-origin isolated (SharedArrayBuffer exists only there), then the
// engine's selection runs.

import * as tf from '@tensorflow/tfjs';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { BackendName } from '../backend/backends';
import { type BackendReport, type SelectOptions, selectBackend } from '../backend/select';
import { bundledWasmFiles } from './wasm-files';

/**
 * WebAssembly threads to use: every logical core (up to tfjs's pool of 8) when cross-origin isolated,
 * else one. On a 2-core machine two threads train the sample person in 0.75 of one thread's time
 * (docs/performance.md), where tfjs's own rule (half the logical cores) would give one.
 */
export function usefulWasmThreads(): number {
  if (!globalThis.crossOriginIsolated) return 1;
  return Math.min(8, Math.max(1, navigator.hardwareConcurrency || 1));
}

/**
 * Registers the wasm binaries (the bundled ones, or those under the URL prefix `wasmPaths`) and starts
 * the backend. `threads` forces a WebAssembly thread count (cross-origin isolated pages only); the
 * default is usefulWasmThreads(). The count is fixed once wasm has started in this page or worker.
 */
export async function startBackend(
  requested: BackendName | 'auto',
  options: SelectOptions & { threads?: number; wasmPaths?: string } = {},
): Promise<BackendReport> {
  setWasmPaths(options.wasmPaths ?? bundledWasmFiles());
  const threads = globalThis.crossOriginIsolated ? (options.threads ?? usefulWasmThreads()) : 1;
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', threads > 1);
  if (threads > 1) {
    setThreadsCount(threads);
    // tfjs-backend-wasm 4.22 caps its pool at half of navigator.hardwareConcurrency, read when the
    // backend starts, so a count asked for is honoured only if the value it reads is at least twice it.
    const logical = Math.max(navigator.hardwareConcurrency || 1, Math.min(8, 2 * threads));
    Object.defineProperty(navigator, 'hardwareConcurrency', { value: logical, configurable: true });
  }
  return selectBackend(requested, options);
}
