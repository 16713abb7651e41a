// Builds the site with Vite (index.html plus the browser-test harness page) for the browser tests.

import { join } from 'node:path';
import { build } from 'vite';

export const ROOT = join(import.meta.dirname, '..', '..');

/** Builds into `outDir` (default dist-test/) and returns it. */
export async function buildSite(outDir = join(ROOT, 'dist-test')): Promise<string> {
  await build({
    root: ROOT,
    logLevel: 'error',
    build: {
      outDir,
      emptyOutDir: true,
      rollupOptions: {
        input: {
          index: join(ROOT, 'index.html'),
          harness: join(ROOT, 'tests', 'browser', 'harness', 'index.html'),
        },
      },
    },
  });
  return outDir;
}
