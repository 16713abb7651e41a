// What adapter sites in the upper layers only save: the page's sample person ("Easily offended", 50
// ratings) trained with the page's defaults over random banks whose sites start at layer 0 (every
// layer), 3, 4 or 5 of the default model. From layer L up, the layers below are computed once per text
// and every training step and selection pass runs only the layers above. Prints seconds per profile
// (median of the repeats) and the mask's bytes; writes results/bench/upper-layers.json.
// Usage: npm run bench:layers -- [--backend wasm] [--layers 0,3,4,5] [--repeats 3]

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { popquornSamplePeople } from '../eval/page-people';
import { type BackendName, Engine, LanguageModel, useBackend } from '../src/advanced';
import { checkFlags, flag } from '../tools/args';
import { MODEL_DIR, ROOT } from '../tools/paths';
import { LAYERS_HEADER, type LayersRow, layersRow } from './report';

checkFlags(import.meta.filename);

const backend = flag('backend', 'wasm') as BackendName;
const layers = flag('layers', '0,3,4,5').split(',').map(Number);
const repeats = Number(flag('repeats', '3'));

await useBackend(backend);
const model = await LanguageModel.load({ kind: 'dir', path: MODEL_DIR });
const person = popquornSamplePeople()[2]!;
const d = model.config.hiddenSize;
// Timing does not depend on the head's values: a flat head at the person's mean stands in for the
// population head a trained bank brings.
const mean = person.history.reduce((s, e) => s + Number(e.label), 0) / person.history.length;
const sharedHead = { inputs: d, outputs: 1, weight: new Float32Array(d), bias: Float32Array.of(mean) };
// The page's training options (src/app/sections/training.ts) for a rating, with a bias offset over the bank's head.
const options = {
  mask: { mode: 'hard', k: 5 },
  head: 'offset',
  epochs: 5,
  batchSize: 16,
  maxLength: 64,
  heldOutFraction: 0.2,
  seed: 0,
} as const;

console.log(
  `Node ${process.version}, tfjs ${backend}, all-MiniLM-L6-v2 (${model.config.numLayers} layers); ` +
    `${person.history.length} ratings, k=5, 5 epochs, batch 16, 64 tokens; median of ${repeats}`,
);
console.log(LAYERS_HEADER);
const rows: LayersRow[] = [];
for (const firstLayer of layers) {
  const engine = await Engine.load({
    model,
    bank: { kind: 'random', seed: 0, n: 100, firstLayer },
    task: { kind: 'regression' },
    sharedHead,
  });
  const seconds: number[] = [];
  let maskBytes = 0;
  for (let i = 0; i < repeats; i++) {
    const { profile, report } = await engine.train(person.history, options);
    seconds.push(report.elapsedMs / 1000);
    maskBytes = profile.sizes().masks;
  }
  engine.dispose();
  const row = { firstLayer, seconds, maskBytes };
  rows.push(row);
  console.log(
    layersRow(
      row,
      rows.find((x) => x.firstLayer === 0),
    ),
  );
}
model.dispose();
const out = join(ROOT, 'results', 'bench');
mkdirSync(out, { recursive: true });
writeFileSync(
  join(out, 'upper-layers.json'),
  `${JSON.stringify({ backend, node: process.version, options, rows, at: new Date().toISOString() }, null, 1)}\n`,
);
