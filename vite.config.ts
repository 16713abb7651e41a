import { defineConfig } from 'vite';

// The site is a static bundle: index.html plus the engine, with tfjs wasm binaries as assets.
export default defineConfig({
  build: { target: 'es2022', sourcemap: true },
  worker: { format: 'es' },
});
