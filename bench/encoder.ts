// Encoder throughput in Node: sentences per second at batch 8 × 64 tokens on each backend.
// Usage: npm run bench:encoder -- [--model ./models/all-MiniLM-L6-v2] [--backends wasm,cpu] [--runs 10]

import * as tf from '@tensorflow/tfjs';
import { type BackendName, LanguageModel, parseModelSource, useBackend } from '../src/advanced';
import { toEncoderInputs } from '../src/encoder/bert';
import { checkFlags, flag } from '../tools/args';
import { MODEL_FLAG } from '../tools/paths';
import { median } from '../tools/stats';

checkFlags(import.meta.filename);

const BATCH = 8;
const TOKENS = 64;

const source = parseModelSource(flag('model', MODEL_FLAG));
const backends = flag('backends', 'wasm,cpu').split(',') as BackendName[];
const runs = Number(flag('runs', '10'));
const text = 'On-device personalisation keeps every example on the user’s own machine. '.repeat(12);

console.log(`| backend | batch × tokens | median ms/batch | min | max | sentences/s |`);
console.log(`|---|---|---|---|---|---|`);
for (const backend of backends) {
  await useBackend(backend);
  const model = await LanguageModel.load(source);
  const batch = model.tokenize(
    Array.from({ length: BATCH }, () => text),
    { maxLength: TOKENS },
  );
  const inputs = toEncoderInputs(batch);
  const times: number[] = [];
  for (let i = 0; i < runs + 2; i++) {
    const started = performance.now();
    const out = model.encoder.forward(inputs);
    await out.data(); // wait for the backend to finish
    out.dispose();
    if (i >= 2) times.push(performance.now() - started); // two warm-up runs
  }
  tf.dispose(Object.values(inputs));
  model.dispose();
  const ms = median(times);
  console.log(
    `| ${backend} | ${BATCH} × ${batch.seqLen} | ${ms.toFixed(1)} | ${Math.min(...times).toFixed(1)} | ${Math.max(...times).toFixed(1)} | ${((BATCH * 1000) / ms).toFixed(1)} |`,
  );
}
