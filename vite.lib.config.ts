// The library build (`npm run build:lib`): ESM with source maps in dist/lib, the package's
// dependencies left as imports, and the engine's worker as an entry of its own (dist/lib/engine-worker.js).
// The page that installs the package bundles the worker itself: the library creates it with the
// standard `new Worker(new URL('<path to>/engine-worker.js', import.meta.url), { type: 'module' })`,
// which Vite, webpack and Parcel recognise, so it is left as written rather than bundled here; so are the
// tfjs WebAssembly binaries, shipped in dist/lib/wasm/ (see src/runtime/wasm-files.ts).

import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { defineConfig, mergeConfig, type Plugin } from 'vite';
import pkg from './package.json' with { type: 'json' };
import app from './vite.config.ts';

const WASM_DIR = 'node_modules/@tensorflow/tfjs-backend-wasm/dist';
const WASM_FILES = [
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
];

/** The `new URL(…, import.meta.url)` files the library leaves for the installer: as written, as shipped. */
const LEFT_FOR_THE_INSTALLER = [
  { module: 'src/runtime/remote-engine.ts', written: './engine-worker.ts', shipped: 'engine-worker.js' },
  ...WASM_FILES.map((file) => ({
    module: 'src/runtime/wasm-files.ts',
    written: `../../${WASM_DIR}/${file}`,
    shipped: `wasm/${file}`,
  })),
];
const placeholder = (shipped: string) => `globalThis.__xpeftShipped(${JSON.stringify(shipped)})`;

/**
 * Leaves the worker's and the wasm binaries' `new URL(…, import.meta.url)` for the installing page's
 * bundler, pointing at the files as shipped in dist/lib (the binaries are copied to dist/lib/wasm/).
 */
function urlsForTheInstaller(): Plugin {
  return {
    name: 'xpeft-urls-for-the-installer',
    enforce: 'pre',
    transform(code, id) {
      const here = LEFT_FOR_THE_INSTALLER.filter((u) => id.endsWith(u.module));
      if (here.length === 0) return null;
      let out = code;
      for (const { written, shipped } of here) {
        const escaped = written.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        const expression = new RegExp(`new URL\\(\\s*'${escaped}',\\s*import\\.meta\\.url,?\\s*\\)`);
        if (!expression.test(out)) this.error(`${id} no longer refers to ${written} as expected.`);
        out = out.replace(expression, placeholder(shipped));
      }
      return { code: out, map: null };
    },
    renderChunk(code, chunk) {
      let out = code;
      for (const { shipped } of LEFT_FOR_THE_INSTALLER) {
        if (!out.includes(placeholder(shipped))) continue;
        const path = posix.relative(posix.dirname(chunk.fileName), shipped);
        const url = `new URL('${path.startsWith('.') ? path : `./${path}`}', import.meta.url)`;
        out = out.replace(placeholder(shipped), url);
      }
      return out === code ? null : { code: out, map: null };
    },
    generateBundle() {
      for (const file of WASM_FILES)
        this.emitFile({
          type: 'asset',
          fileName: `wasm/${file}`,
          source: readFileSync(`${WASM_DIR}/${file}`),
        });
    },
  };
}

const dependencies = Object.keys(pkg.dependencies);
const external = (id: string) =>
  id === 'vite' ||
  id === 'esbuild' ||
  id.startsWith('node:') ||
  dependencies.some((d) => id === d || id.startsWith(`${d}/`));

export default defineConfig(
  mergeConfig(app, {
    base: './',
    publicDir: false,
    plugins: [urlsForTheInstaller()],
    build: {
      outDir: 'dist/lib',
      emptyOutDir: true,
      lib: {
        entry: {
          index: 'src/index.ts',
          advanced: 'src/advanced.ts',
          'engine-worker': 'src/runtime/engine-worker.ts',
          vite: 'src/bundler/vite.ts',
          esbuild: 'src/bundler/esbuild.ts',
          cli: 'src/cli/main.ts',
        },
        formats: ['es'],
      },
      rolldownOptions: { external, output: { chunkFileNames: 'chunks/[name]-[hash].js' } },
    },
  }),
);
