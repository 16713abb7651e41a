// The benchmark figures on a real GPU, in one command. First in headless Chromium with the flags that
// give it a hardware adapter on Linux (Vulkan, the GPU blocklist ignored); where Chromium finds only a
// software one, in Node with tfjs-backend-webgpu on Dawn (the optional `webgpu` npm package). Software
// adapters (SwiftShader, llvmpipe, a fallback adapter) are never reported as GPU figures: with none but
// those, it says "no hardware adapter found" and measures nothing.
// Usage: npm run bench:gpu -- [--figures 2,3,4,6] [--repeats 5]   (Node path: npm install --no-save webgpu)

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { readSst2 } from '../eval/glue';
import { checkFlags, flag } from '../tools/args';
import { CHROMIUM } from '../tools/browser';
import { MODEL_DIR, MODEL_URL } from '../tools/paths';
import { serveFolders } from '../tools/serve-folders';
import { buildSite, openHarness, ROOT } from '../tools/site';
import { formatRow, TABLE_HEADER } from './figures';
import type { HarnessWindow as Win } from './harness/harness';
import { saveRows, writePerformanceReport } from './report';

checkFlags(import.meta.filename);

const figures = flag('figures', '2,3,4,6').split(',').map(Number);
const repeats = Number(flag('repeats', '5'));
const modelDir = MODEL_DIR;
if (figures.includes(1) && !existsSync(join(modelDir, 'onnx', 'model.onnx')))
  throw new Error('Figure 1 needs the ONNX export: run npm run model:onnx first (or leave out figure 1).');

/** Chromium flags under which headless Linux Chromium uses a GPU when it has one. */
export const GPU_FLAGS = [
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan,VulkanFromANGLE',
  '--use-angle=vulkan',
  '--ignore-gpu-blocklist',
  '--enable-gpu',
];
const SOFTWARE = /swiftshader|llvmpipe|softpipe|software|basic render/i;

interface Found {
  backend: 'webgpu' | 'webgl';
  device: string;
}

/** What a page sees: the WebGPU adapter and the WebGL renderer, each only if it is hardware. */
async function hardwareInChromium(browser: BrowserContext, url: string): Promise<Found[]> {
  const page = await browser.newPage();
  await openHarness(page, url);
  const seen = await page.evaluate(async () => {
    const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    const adapter = (await gpu?.requestAdapter()) as
      | { info?: { vendor: string; architecture: string; description: string }; isFallbackAdapter?: boolean }
      | null
      | undefined;
    const gl = new OffscreenCanvas(1, 1).getContext('webgl2');
    const debug = gl?.getExtension('WEBGL_debug_renderer_info');
    return {
      webgpu: adapter
        ? `${adapter.info?.vendor} ${adapter.info?.architecture} ${adapter.info?.description}`.trim()
        : undefined,
      fallback: Boolean(adapter?.isFallbackAdapter),
      webgl: gl && debug ? String(gl.getParameter(debug.UNMASKED_RENDERER_WEBGL)) : undefined,
    };
  });
  await page.close();
  console.log(
    `Chromium sees: WebGPU ${seen.webgpu ?? 'none'}${seen.fallback ? ' (fallback)' : ''}; WebGL ${seen.webgl ?? 'none'}`,
  );
  const found: Found[] = [];
  if (seen.webgpu && !seen.fallback && !SOFTWARE.test(seen.webgpu))
    found.push({ backend: 'webgpu', device: seen.webgpu });
  if (seen.webgl && !SOFTWARE.test(seen.webgl)) found.push({ backend: 'webgl', device: seen.webgl });
  return found;
}

async function inChromium(): Promise<boolean> {
  const outDir = await buildSite(); // figure 1 runs transformers.js's encoder in the harness page
  const server = await serveFolders({
    [`${MODEL_URL}/`]: modelDir,
    '/ort/': join(ROOT, 'node_modules', 'onnxruntime-web', 'dist'),
    '/': outDir,
  });
  const browser = await chromium.launchPersistentContext('', {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--no-first-run', '--disable-background-networking', ...GPU_FLAGS],
  });
  try {
    const found = await hardwareInChromium(browser, server.url);
    const words = readSst2('dev').flatMap((e) => e.text.split(' '));
    for (const { backend, device } of found) {
      const page = await browser.newPage();
      await openHarness(page, server.url);
      const result = await page.evaluate(
        ([m, b, w, o]) => (window as never as Win).harness.benchFigures(m, b, w, o),
        [
          MODEL_URL,
          backend,
          words,
          {
            figures,
            shapes: [
              { batch: 1, tokens: 32 },
              { batch: 8, tokens: 32 },
            ],
            repeats,
            memorySteps: 0,
          },
        ] as const,
      );
      await page.close();
      console.log(`\nChromium (headless), tfjs ${backend} on ${device}\n${TABLE_HEADER}`);
      for (const r of result.rows) console.log(formatRow(r));
      const { rows, ...rest } = result;
      saveRows(
        `chromium-gpu-${backend}`,
        { runner: 'chromium', ...rest, repeats, at: new Date().toISOString() },
        rows,
        figures,
      );
    }
    return found.length > 0;
  } finally {
    await browser.close();
    await server.close();
  }
}

/** Node on Dawn: true when it found a hardware adapter and measured on it. */
async function inNode(): Promise<boolean> {
  let dawn: { create(flags: string[]): unknown; globals: object };
  try {
    dawn = (await import(/* @vite-ignore */ 'webgpu' as string)) as typeof dawn;
  } catch {
    console.log(
      'Node: the optional `webgpu` package (Dawn) is not installed; npm install --no-save webgpu adds it.',
    );
    return false;
  }
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]) as {
    requestAdapter(): Promise<{
      info?: { vendor: string; architecture: string; description: string; isFallbackAdapter?: boolean };
      isFallbackAdapter?: boolean;
    } | null>;
  };
  const adapter = await gpu.requestAdapter();
  const name = adapter
    ? `${adapter.info?.vendor} ${adapter.info?.architecture} ${adapter.info?.description}`.trim()
    : 'none';
  const fallback = Boolean(adapter?.info?.isFallbackAdapter ?? adapter?.isFallbackAdapter);
  console.log(`Node (Dawn) sees: ${name}${fallback ? ' (fallback)' : ''}`);
  if (!adapter || fallback || SOFTWARE.test(name)) return false;
  Object.defineProperty(globalThis, 'navigator', {
    value: { gpu, userAgent: `Node ${process.version}` },
    configurable: true,
  });
  const { nodeFigures } = await import('./run');
  await nodeFigures(
    'webgpu',
    figures.filter((f) => f !== 1),
    repeats,
    0,
  );
  return true;
}

const measured = (await inChromium()) || (await inNode());
if (measured) writePerformanceReport();
else console.log('\nno hardware adapter found: nothing measured (software adapters are not GPU figures).');
