import { defineConfig } from 'vitest/config';

// Node tests: one file at a time keeps tfjs backends and memory predictable on two cores.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
