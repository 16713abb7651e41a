// The Vite plugin for pages that bundle X-PEFT Web (`import { xpeftWeb } from 'xpeft-web/vite'`): the
// engine's worker is built as an ES module (it loads its backends on demand), tfjs's threaded
// WebAssembly module survives minifying, and transformers.js comes without its model runner.

import type { Plugin } from 'vite';

/**
 * tfjs-backend-wasm starts each WebAssembly thread from the source text of its threaded module factory
 * (`factory.toString()`), so the factory must not read names from the module around it. It reads one,
 * `_scriptDir`, under a typeof guard that the minifier folds away and renames, and the threads then die
 * with "e is not defined". In a worker or an ES module `_scriptDir` is undefined anyway (no
 * document.currentScript), so the two reads are replaced by `undefined`.
 */
export function wasmThreadsSurviveMinifying(): Plugin {
  return {
    name: 'xpeft-wasm-threads',
    transform(code, id) {
      if (!id.endsWith('tfjs-backend-wasm-threaded-simd.js')) return null;
      const guarded = 'typeof _scriptDir !== "undefined" && _scriptDir';
      const fallback = 'Module["mainScriptUrlOrBlob"]||_scriptDir';
      if (!code.includes(guarded) || !code.includes(fallback))
        this.error('tfjs-backend-wasm changed its threaded factory: recheck this plugin.');
      const fixed = code.replace(guarded, 'undefined').replace(fallback, 'Module["mainScriptUrlOrBlob"]');
      return { code: fixed, map: null };
    },
  };
}

const NO_ONNX = '\0xpeft-no-onnxruntime';

/**
 * X-PEFT Web uses transformers.js for its tokenizers only (the encoder runs in tfjs), but the tokenizers
 * module imports transformers.js's tensors, which import onnxruntime-web: about 130 kB of gzipped script
 * that never runs. This stands an empty module in for it: the settings object transformers.js reads
 * when it loads, and a model runner that says it is not there.
 */
export function withoutOnnxRuntime(): Plugin {
  return {
    name: 'xpeft-no-onnxruntime',
    enforce: 'pre',
    resolveId: (id) => (id === 'onnxruntime-web' ? NO_ONNX : null),
    load(id) {
      if (id !== NO_ONNX) return null;
      return `const missing = () => { throw new Error('onnxruntime-web is not bundled: X-PEFT Web uses transformers.js for tokenizers only.'); };
export const env = { wasm: {}, webgl: {} };
export class Tensor { constructor() { missing(); } }
export const InferenceSession = { create: missing };
export default { env, Tensor, InferenceSession };`;
    },
  };
}

export interface XpeftWebPluginOptions {
  /**
   * Keep onnxruntime-web in the page's own bundle, for a page that also runs transformers.js models
   * (default false: the page gets the empty stand-in; the engine's worker always does).
   */
  onnxRuntime?: boolean;
}

/**
 * Everything a Vite (8 or later) page needs to bundle X-PEFT Web and its worker. Names are kept through
 * minifying: an error's name is its class's, and the page rebuilds the worker's errors by those names.
 */
export function xpeftWeb(options: XpeftWebPluginOptions = {}): Plugin[] {
  const forWorker = () => [wasmThreadsSurviveMinifying(), withoutOnnxRuntime()];
  const keepNames = { output: { keepNames: true } };
  return [
    wasmThreadsSurviveMinifying(),
    ...(options.onnxRuntime ? [] : [withoutOnnxRuntime()]),
    {
      name: 'xpeft-web',
      config: () => ({
        build: { rolldownOptions: keepNames },
        worker: { format: 'es', plugins: forWorker, rolldownOptions: keepNames },
      }),
    },
  ];
}
