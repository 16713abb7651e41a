import { defineConfig } from 'vitest/config';

// The tests in groups, each runnable alone (`vitest run --project unit`); `vitest run` runs them all.
// Membership follows what a file needs beyond Node: a project that is not `unit` names its files, and
// `unit` is every other file, so a new test lands in the fast group unless it is put elsewhere.
const NEEDS = {
  /**
   * Minutes of model work: the real default model (models/all-MiniLM-L6-v2, `npm run model:fetch`), and
   * files that train tiny models many times over or fetch one (20 s to 6 min each, 11 min together).
   */
  model: [
    'tests/parity.test.ts',
    'tests/sst2.test.ts',
    'tests/stsb.test.ts',
    'tests/engine.test.ts',
    'tests/training-start.test.ts',
    'tests/eval-smoke.test.ts',
    'tests/page-banks.test.ts',
    'tests/fetch-model.test.ts',
  ],
  /** The project's Python environment, .venv (`npm run python:setup`). */
  python: ['tests/python-builder.test.ts', 'tests/adapterhub-parity.test.ts'],
  /** `npm pack`, the tarball installed in a fresh project and a page built from it. */
  packaging: ['tests/package.test.ts', 'tests/embed.test.ts', 'tests/esbuild-example.test.ts'],
  /** Chromium (Debian's, driven by Playwright). */
  browser: ['tests/browser/**/*.test.ts'],
};

// One file at a time keeps tfjs backends and memory predictable on two cores; projects run in turn too
// (each its own sequence.groupOrder), fastest first.
export default defineConfig({
  test: {
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 300_000,
    fileParallelism: false,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/**/*.test.ts'],
          exclude: Object.values(NEEDS).flat(),
          sequence: { groupOrder: 0 },
        },
      },
      ...Object.entries(NEEDS).map(([name, include], i) => ({
        extends: true as const,
        test: { name, include, sequence: { groupOrder: i + 1 } },
      })),
    ],
  },
});
