import { defineConfig, type Plugin } from 'vite';
import { ISOLATION_HEADERS } from './scripts/serve-folders';

/**
 * tfjs-backend-wasm starts each WebAssembly thread from the source text of its threaded module factory
 * (`factory.toString()`), so the factory must not read names from the module around it. It reads one,
 * `_scriptDir`, under a typeof guard that the minifier folds away and renames, and the threads then die
 * with "e is not defined". In a worker or an ES module `_scriptDir` is undefined anyway (no
 * document.currentScript), so the two reads are replaced by `undefined`.
 */
function wasmThreadsSurviveMinifying(): Plugin {
  return {
    name: 'xpeft-wasm-threads',
    transform(code, id) {
      if (!id.endsWith('tfjs-backend-wasm-threaded-simd.js')) return null;
      const guarded = 'typeof _scriptDir !== "undefined" && _scriptDir';
      const fallback = 'Module["mainScriptUrlOrBlob"]||_scriptDir';
      if (!code.includes(guarded) || !code.includes(fallback))
        this.error('tfjs-backend-wasm changed its threaded factory: recheck this plugin.');
      return code.replace(guarded, 'undefined').replace(fallback, 'Module["mainScriptUrlOrBlob"]');
    },
  };
}

// The site is a static bundle: index.html plus the engine, with tfjs wasm binaries as assets. Dev and
// preview servers send the cross-origin isolation headers that `npm start` sends, so WebAssembly can
// use threads under every one of them.
export default defineConfig({
  // The engine chunk carries tfjs, its backends and the tokenizer library (about 2 MB minified).
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 4096 },
  plugins: [wasmThreadsSurviveMinifying()],
  worker: { format: 'es', plugins: () => [wasmThreadsSurviveMinifying()] },
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
});
