// The performance benchmark in Node on the wasm backend (bench/figures.ts lists the figures), on the
// default model at batch 1 and 8 and 32 and 128 tokens. Prints a markdown table and writes
// results/bench/node-<backend>.json. transformers.js runs on an ONNX export of the same weights
// (npm run model:onnx), on onnxruntime-node in Node.
// Usage: npm run bench -- [--backend wasm] [--repeats 5] [--memory-steps 1000] [--figures 1,2,3,4,5,6]

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readSst2 } from '../eval/glue';
import { type BackendName, Engine, LanguageModel, useBackend } from '../src/advanced';
import { checkFlags, flag } from '../tools/args';
import { DEFAULT_MODEL_FOLDER, MODEL_DIR, ROOT } from '../tools/paths';
import { runFigures, TABLE_HEADER } from './figures';
import { saveRows, writePerformanceReport } from './report';
import { transformersJsEncoder } from './transformers-js';

checkFlags(import.meta.filename);

/** Runs the figures in this process on `backend` and writes results/bench/node-<backend>.json. */
export async function nodeFigures(
  backend: BackendName,
  figures: readonly number[],
  repeats: number,
  memorySteps: number,
): Promise<void> {
  await useBackend(backend);

  const model = await LanguageModel.load({ kind: 'dir', path: MODEL_DIR });
  const task = { kind: 'classification' as const, labels: ['negative', 'positive'] };
  const engine = await Engine.load({ model, bank: { kind: 'random', seed: 1, n: 100 }, task });
  if (figures.includes(1) && !existsSync(join(MODEL_DIR, 'onnx', 'model.onnx')))
    throw new Error(
      'Figure 1 needs the ONNX export: run npm run model:onnx first (or pass --figures 2,3,4,5,6).',
    );
  const reference = figures.includes(1)
    ? await transformersJsEncoder({ localModelPath: `${join(ROOT, 'models')}/`, name: DEFAULT_MODEL_FOLDER })
    : undefined;

  console.log(
    `Node ${process.version}, tfjs ${backend}; transformers.js on onnxruntime-node; default model (all-MiniLM-L6-v2), N=100, ${repeats} timed runs after 1 warm-up`,
  );
  console.log(TABLE_HEADER);
  const rows = await runFigures({
    engine,
    words: readSst2('dev').flatMap((e) => e.text.split(' ')),
    ...(reference ? { reference } : {}),
    figures,
    shapes: [
      { batch: 1, tokens: 32 },
      { batch: 8, tokens: 32 },
      { batch: 1, tokens: 128 },
      { batch: 8, tokens: 128 },
    ],
    repeats,
    memorySteps,
    log: (line) => console.log(line),
  });

  const file = saveRows(
    `node-${backend}`,
    { runner: 'node', backend, node: process.version, repeats, memorySteps, at: new Date().toISOString() },
    rows,
    figures,
  );
  console.log(`\nwrote ${file}`);
  writePerformanceReport();
  await reference?.dispose();
  engine.dispose();
  model.dispose();
}

if (process.argv[1]?.endsWith('run.ts'))
  await nodeFigures(
    flag('backend', 'wasm') as BackendName,
    flag('figures', '1,2,3,4,5,6').split(',').map(Number),
    Number(flag('repeats', '5')),
    Number(flag('memory-steps', '1000')),
  );
