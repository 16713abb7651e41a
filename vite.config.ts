import { defineConfig } from 'vite';

// The site is a static bundle: index.html plus the engine, with tfjs wasm binaries as assets.
export default defineConfig({
  // The engine chunk carries tfjs, its backends and the tokenizer library (about 2 MB minified).
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 4096 },
  worker: { format: 'es' },
});
