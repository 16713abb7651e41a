// Builds the page into dist/ with esbuild: main.js and worker.js as ES modules, index.html and its style, and the
// package's tfjs WebAssembly files beside the worker, where its `new URL('./wasm/…', import.meta.url)`
// looks for them.
import { cpSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { xpeftWeb } from 'xpeft-web/esbuild';

const here = import.meta.dirname;
const out = join(here, 'dist');
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(here, 'main.ts'), join(here, 'worker.ts')],
  outdir: out,
  bundle: true,
  format: 'esm',
  splitting: true,
  platform: 'browser',
  target: 'es2022',
  minify: true,
  plugins: [xpeftWeb()], // tfjs's WebAssembly threads through minifying
  logLevel: 'warning',
});
for (const file of ['index.html', 'style.css']) cpSync(join(here, file), join(out, file));
const library = dirname(createRequire(import.meta.url).resolve('xpeft-web/package.json'));
cpSync(join(library, 'dist', 'lib', 'wasm'), join(out, 'wasm'), { recursive: true });
