import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vite';
import { xpeftWeb } from './src/bundler/vite.ts';
import { SITE_HEADERS } from './tools/serve-folders.ts';

/**
 * The build's identity: a digest of everything the page is built from. The page registers its service
 * worker under it (/sw.js?build=…), so each build keeps its offline files in a cache of its own and a
 * new build's worker drops the old one's.
 */
function buildDigest(root = import.meta.dirname): string {
  const files = (dir: string): string[] =>
    readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name));
  const hash = createHash('sha256');
  const sources = [
    ...files('src'),
    ...files('public'),
    join(root, 'index.html'),
    join(root, 'package-lock.json'),
  ];
  for (const file of sources.sort()) hash.update(file.slice(root.length)).update(readFileSync(file));
  return hash.digest('hex').slice(0, 16);
}

// The site is a static bundle: index.html plus the engine, with tfjs wasm binaries as assets. Dev and
// preview servers send every answer with the headers that `npm start` sends: cross-origin isolation, so
// WebAssembly can use threads, and the Content-Security-Policy, which reaches the engine worker only
// as a header on its script.
export default defineConfig({
  // The engine chunk carries tfjs, its backends and the tokenizer library (about 2 MB minified).
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 4096 },
  define: { __APP_BUILD__: JSON.stringify(buildDigest()) },
  // The plugin the package gives pages that bundle it: the worker as an ES module, tfjs's wasm
  // threads through minifying, names kept.
  plugins: [xpeftWeb()],
  server: { headers: SITE_HEADERS },
  preview: { headers: SITE_HEADERS },
});
