// The library build (`npm run build:lib`): ESM with source maps in dist/lib, the package's
// dependencies left as imports, and the engine's worker as an entry of its own (dist/lib/engine-worker.js).
// The page that installs the package bundles the worker itself: the library creates it with the
// standard `new Worker(new URL('<path to>/engine-worker.js', import.meta.url), { type: 'module' })`,
// which Vite and webpack recognise, so it is left as written rather than bundled here. The tfjs WebAssembly
// binaries stay `?url` imports for the installing page's bundler (see env.wasmPaths for others).

import { posix } from 'node:path';
import { defineConfig, mergeConfig, type Plugin } from 'vite';
import pkg from './package.json' with { type: 'json' };
import app from './vite.config.ts';

const WORKER_URL = 'globalThis.__xpeftEngineWorkerUrl';

/** Leaves the worker's `new URL(…, import.meta.url)` for the installing page's bundler. */
function workerForTheInstaller(): Plugin {
  return {
    name: 'xpeft-worker-for-the-installer',
    enforce: 'pre',
    transform(code, id) {
      if (!id.endsWith('src/runtime/remote-engine.ts')) return null;
      const written = "new URL('./engine-worker.ts', import.meta.url)";
      if (!code.includes(written)) this.error('remote-engine.ts no longer creates its worker as expected.');
      return { code: code.replace(written, WORKER_URL), map: null };
    },
    renderChunk(code, chunk) {
      if (!code.includes(WORKER_URL)) return null;
      const path = posix.relative(posix.dirname(chunk.fileName), 'engine-worker.js');
      const url = `new URL('${path.startsWith('.') ? path : `./${path}`}', import.meta.url)`;
      return { code: code.replace(WORKER_URL, url), map: null };
    },
  };
}

const dependencies = Object.keys(pkg.dependencies);
const external = (id: string) =>
  id === 'vite' || id.endsWith('?url') || dependencies.some((d) => id === d || id.startsWith(`${d}/`));

export default defineConfig(
  mergeConfig(app, {
    base: './',
    publicDir: false,
    plugins: [workerForTheInstaller()],
    build: {
      outDir: 'dist/lib',
      emptyOutDir: true,
      lib: {
        entry: {
          index: 'src/index.ts',
          advanced: 'src/advanced.ts',
          'engine-worker': 'src/runtime/engine-worker.ts',
          vite: 'src/bundler/vite.ts',
        },
        formats: ['es'],
      },
      rolldownOptions: { external, output: { chunkFileNames: 'chunks/[name]-[hash].js' } },
    },
  }),
);
