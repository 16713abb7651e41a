// The Vite plugin for pages that bundle X-PEFT Web (`import { xpeftWeb } from 'xpeft-web/vite'`): the
// engine's worker is built as an ES module (it loads its backends on demand), tfjs's threaded
// WebAssembly module survives minifying, and the dev and preview servers send the headers that make
// the page cross-origin isolated (without them WebAssembly runs on one thread).

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plugin } from 'vite';
import { THREADED_FACTORY, threadedFactorySurvivesMinifying } from './wasm-threads.ts';

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

/** Lets tfjs's WebAssembly threads survive minifying (see threadedFactorySurvivesMinifying). */
export function wasmThreadsSurviveMinifying(): Plugin {
  return {
    name: 'xpeft-wasm-threads',
    transform(code, id) {
      if (!THREADED_FACTORY.test(id)) return null;
      try {
        return { code: threadedFactorySurvivesMinifying(code), map: null };
      } catch (e) {
        this.error((e as Error).message);
      }
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
      config: (config) => ({
        server: { headers: { ...ISOLATION_HEADERS } },
        preview: { headers: { ...ISOLATION_HEADERS } },
        build: { rolldownOptions: keepNames },
        worker: { format: 'es', plugins: forWorker, rolldownOptions: keepNames },
        ...devDependencies(config.root ?? process.cwd()),
      }),
    },
  ];
}

/**
 * `vite dev` for a page that installed the package (found in its node_modules; not this repository,
 * which bundles the sources): the package itself is served as it is, so that its worker and wasm files
 * stay where its `new URL(…, import.meta.url)` finds them, and the packages it depends on, which its
 * worker imports, are pre-bundled (dev finds no imports inside a dependency's worker by itself, and
 * tfjs's ES modules cannot be served unbundled).
 */
function devDependencies(
  root: string,
): { optimizeDeps: { exclude: string[]; include: string[] } } | undefined {
  const manifest = join(root, 'node_modules', 'xpeft-web', 'package.json');
  if (!existsSync(manifest)) return undefined;
  const { dependencies } = JSON.parse(readFileSync(manifest, 'utf8')) as { dependencies: object };
  const include = Object.keys(dependencies).map((name) => `xpeft-web > ${name}`);
  return { optimizeDeps: { exclude: ['xpeft-web'], include } };
}
