// The one fix every bundler's plugin applies to tfjs's threaded WebAssembly module (see
// threadedFactorySurvivesMinifying).

/** The module's file, as bundlers name it. */
export const THREADED_FACTORY = /tfjs-backend-wasm-threaded-simd\.js$/;

/**
 * tfjs-backend-wasm starts each WebAssembly thread from the source text of its threaded module factory
 * (`factory.toString()`), so the factory must not read names from the module around it. It reads one,
 * `_scriptDir`, under a typeof guard that a minifier folds away and renames, and the threads then die
 * with "e is not defined". In a worker or an ES module `_scriptDir` is undefined anyway (no
 * document.currentScript), so the two reads are replaced by `undefined`. Throws if the module no longer
 * reads it as expected (a new tfjs version: the fix must be checked again).
 */
export function threadedFactorySurvivesMinifying(code: string): string {
  const guarded = 'typeof _scriptDir !== "undefined" && _scriptDir';
  const fallback = 'Module["mainScriptUrlOrBlob"]||_scriptDir';
  if (!code.includes(guarded) || !code.includes(fallback))
    throw new Error('tfjs-backend-wasm changed its threaded factory: recheck xpeft-web’s bundler plugins.');
  return code.replace(guarded, 'undefined').replace(fallback, 'Module["mainScriptUrlOrBlob"]');
}
