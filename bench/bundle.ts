// npm run bench:bundle: what a page that embeds X-PEFT Web downloads, beside a page that embeds
// transformers.js for feature extraction. Both are built with Vite for production: examples/embed from
// the packed tarball in a fresh project, and a one-line transformers.js `pipeline('feature-extraction')`
// page. Sizes are gzipped JavaScript (the page's first script with its static imports; the engine's
// worker with its static imports; everything, lazy chunks included) and the WebAssembly binaries.
// Writes results/bench/bundle.json.

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';
import { buildEmbedExample, installInFreshProject, packLibrary } from '../scripts/pack';
import { ROOT } from '../tools/paths';
import { writePerformanceReport } from './report';
import type { BundleResult, BundleSize } from './results';

const gz = (file: string) => gzipSync(readFileSync(file), { level: 9 }).byteLength;

/** Sizes of a Vite build in `dist`. */
function measure(page: string, dist: string): BundleSize {
  const assets = join(dist, 'assets');
  const files = readdirSync(assets);
  const entry = readFileSync(join(dist, 'index.html'), 'utf8').match(/src="\/?assets\/([^"]+\.js)"/)![1]!;
  /** The file and the chunks it imports statically, gzipped. */
  const closure = (start: string | undefined) => {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const code = readFileSync(join(assets, file), 'utf8');
      for (const m of code.matchAll(
        /(?:^|[;\n}])\s*import\s*(?:[\w${}\s,*]+from\s*)?["']\.\/([^"']+\.js)["']/g,
      ))
        visit(m[1]!);
    };
    if (start) visit(start);
    return [...seen].reduce((a, f) => a + gz(join(assets, f)), 0);
  };
  const js = files.filter((f) => f.endsWith('.js'));
  return {
    page,
    firstScriptGz: closure(entry),
    workerScriptGz: closure(files.find((f) => /^engine-worker-.*\.js$/.test(f))),
    allScriptGz: js.reduce((a, f) => a + gz(join(assets, f)), 0),
    wasm: files
      .filter((f) => f.endsWith('.wasm'))
      .reduce((a, f) => a + readFileSync(join(assets, f)).byteLength, 0),
  };
}

/** A one-script page with `main` as its script, built for production with Vite; returns its dist folder. */
async function buildPage(main: string, plugins: Plugin[] = []): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'xpeft-bench-page-'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="./main.js"></script>');
  writeFileSync(join(dir, 'main.js'), main);
  const { build } = await import('vite');
  await build({ root: dir, configFile: false, logLevel: 'error', plugins, build: { target: 'es2022' } });
  return join(dir, 'dist');
}

/** A page that computes sentence embeddings with transformers.js. */
const buildTransformersPage = () =>
  buildPage(`import { pipeline } from '@xenova/transformers';
const extract = await pipeline('feature-extraction', 'Xenova/all-MiniLM-L6-v2');
console.log(await extract('hello', { pooling: 'mean', normalize: true }));
`);

/** A page that imports only a tokenizer class: transformers.js's, or tokenizers.js's (the engine's). */
async function tokenizerScriptGz(from: 'transformers.js' | 'tokenizers.js'): Promise<number> {
  const main =
    from === 'transformers.js'
      ? "import { AutoTokenizer } from '@xenova/transformers';\nconsole.log(AutoTokenizer);\n"
      : "import { Tokenizer } from '@huggingface/tokenizers';\nconsole.log(Tokenizer);\n";
  return measure('tokenizers', await buildPage(main)).allScriptGz;
}

const tarball = packLibrary();
const sizes = [
  measure(
    'examples/embed (X-PEFT Web, engine in a worker)',
    await buildEmbedExample(installInFreshProject(tarball)),
  ),
  measure("transformers.js pipeline('feature-extraction')", await buildTransformersPage()),
];
const tokenizerGz = {
  transformersJs: await tokenizerScriptGz('transformers.js'),
  tokenizersJs: await tokenizerScriptGz('tokenizers.js'),
};
const result: BundleResult = {
  at: new Date().toISOString(),
  tarballBytes: readFileSync(tarball).byteLength,
  sizes,
  tokenizerGz,
};
mkdirSync(join(ROOT, 'results', 'bench'), { recursive: true });
writeFileSync(join(ROOT, 'results', 'bench', 'bundle.json'), `${JSON.stringify(result, null, 2)}\n`);
for (const s of sizes)
  console.log(
    `${s.page}: first script ${(s.firstScriptGz / 1000).toFixed(1)} kB gz, worker ${(s.workerScriptGz / 1000).toFixed(1)} kB gz, all scripts ${(s.allScriptGz / 1000).toFixed(1)} kB gz, wasm ${(s.wasm / 1e6).toFixed(2)} MB`,
  );
console.log(`package tarball: ${(result.tarballBytes / 1000).toFixed(1)} kB`);
console.log(
  `a tokenizer alone: ${(tokenizerGz.transformersJs / 1000).toFixed(1)} kB gz from transformers.js (with onnxruntime-web), ${(tokenizerGz.tokenizersJs / 1000).toFixed(1)} kB gz from tokenizers.js`,
);
writePerformanceReport();
