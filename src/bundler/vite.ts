// The Vite plugin for pages that bundle X-PEFT Web (`import { xpeftWeb } from 'xpeft-web/vite'`): the
// engine's worker is built as an ES module (it loads its backends on demand), tfjs's threaded
// WebAssembly module survives minifying, and the dev and preview servers send the headers that make
// the page cross-origin isolated (without them WebAssembly runs on one thread).

import type { Plugin } from 'vite';

/**
 * The response headers under which a page is cross-origin isolated, so that SharedArrayBuffer exists and
 * tfjs's WebAssembly backend can use threads. Any server of a page that uses X-PEFT Web should send them
 * with every file; everything the page loads must then come from its own origin (or allow it by CORP/CORS).
 */
export const ISOLATION_HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
} as const;

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

/**
 * Everything a Vite (8 or later) page needs to bundle X-PEFT Web and its worker. Names are kept through
 * minifying: an error's name is its class's, and the page rebuilds the worker's errors by those names.
 * `vite dev` and `vite preview` send ISOLATION_HEADERS (a header the page's own config sets wins).
 *
 * @example
 * ```ts
 * // vite.config.ts
 * import { defineConfig } from 'vite';
 * import { xpeftWeb } from 'xpeft-web/vite';
 * export default defineConfig({ plugins: [xpeftWeb()], build: { target: 'es2022' } });
 * ```
 */
export function xpeftWeb(): Plugin[] {
  const forWorker = () => [wasmThreadsSurviveMinifying()];
  const keepNames = { output: { keepNames: true } };
  return [
    wasmThreadsSurviveMinifying(),
    {
      name: 'xpeft-web',
      config: () => ({
        server: { headers: { ...ISOLATION_HEADERS } },
        preview: { headers: { ...ISOLATION_HEADERS } },
        build: { rolldownOptions: keepNames },
        worker: { format: 'es', plugins: forWorker, rolldownOptions: keepNames },
      }),
    },
  ];
}
