// The esbuild plugin for pages that bundle X-PEFT Web (`import { xpeftWeb } from 'xpeft-web/esbuild'`):
// tfjs's threaded WebAssembly module survives minifying. (Not with `keepNames`: esbuild then wraps the
// module's functions in a helper its threads do not have; the engine's errors keep their names without
// it.) esbuild leaves `new URL(…, import.meta.url)` alone, so the page
// also makes the engine's worker itself (a script that imports `xpeft-web/worker`, handed to
// createPersonalizer as `worker`) and copies the package's dist/lib/wasm/ folder beside that script.

import { readFile } from 'node:fs/promises';
import type { Plugin } from 'esbuild';
import { THREADED_FACTORY, threadedFactorySurvivesMinifying } from './wasm-threads';

/**
 * @example
 * ```ts
 * import { build } from 'esbuild';
 * import { xpeftWeb } from 'xpeft-web/esbuild';
 * await build({ entryPoints: ['main.ts', 'worker.ts'], bundle: true, format: 'esm', outdir: 'dist', plugins: [xpeftWeb()] });
 * ```
 */
export function xpeftWeb(): Plugin {
  return {
    name: 'xpeft-web',
    setup(build) {
      build.onLoad({ filter: THREADED_FACTORY }, async ({ path }) => ({
        contents: threadedFactorySurvivesMinifying(await readFile(path, 'utf8')),
        loader: 'js',
      }));
    },
  };
}
