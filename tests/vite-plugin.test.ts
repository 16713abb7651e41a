// The Vite plugin for installing pages: onnxruntime-web is left out of a page's bundle unless the page
// asks to keep it (a page that also runs transformers.js models, or the benchmarks' harness).

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Rolldown } from 'vite';
import { describe, expect, it } from 'vitest';
import { type XpeftWebPluginOptions, xpeftWeb } from '../src/bundler/vite';
import { ROOT } from '../tools/paths';

const STAND_IN = 'onnxruntime-web is not bundled';

/** Bundles a page that creates an onnxruntime session, with the plugin's options; returns its code. */
async function bundle(options?: XpeftWebPluginOptions): Promise<string> {
  // Inside the project, so the page's import resolves to the installed onnxruntime-web.
  const cache = join(ROOT, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, 'xpeft-vite-'));
  const entry = join(dir, 'page.js');
  writeFileSync(
    entry,
    "import * as ort from 'onnxruntime-web';\nexport const create = ort.InferenceSession.create;\n",
  );
  try {
    return await bundleEntry(entry, options);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function bundleEntry(entry: string, options?: XpeftWebPluginOptions): Promise<string> {
  const out = (await build({
    root: ROOT,
    configFile: false,
    logLevel: 'error',
    plugins: [xpeftWeb(options)],
    build: { write: false, minify: false, lib: { entry, formats: ['es'], fileName: 'page' } },
  })) as Rolldown.RolldownOutput[];
  return out
    .flatMap((o) => o.output)
    .map((chunk) => ('code' in chunk ? chunk.code : ''))
    .join('\n');
}

describe('the Vite plugin', () => {
  it('stands an empty module in for onnxruntime-web by default, and keeps the real one when asked', async () => {
    const without = await bundle();
    expect(without).toContain(STAND_IN);
    expect(without.length).toBeLessThan(20_000);
    const kept = await bundle({ onnxRuntime: true });
    expect(kept).not.toContain(STAND_IN);
    expect(kept).toContain('InferenceSession');
    expect(kept.length).toBeGreaterThan(100_000);
  }, 120_000);
});
