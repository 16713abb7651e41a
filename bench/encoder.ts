// Encoder throughput in Node: sentences per second at batch 8 × 64 tokens on each backend, and with
// --kernels 1 each kernel's share of a forward pass's kernel time (tf.profile over the timed runs):
// what a thread pool that shares only some kernels can gain.
// Usage: npm run bench:encoder -- [--model ./models/all-MiniLM-L6-v2] [--backends wasm,cpu] [--runs 10]
//        [--tokens 64] [--kernels 0|1]

import * as tf from '@tensorflow/tfjs';
import { type BackendName, LanguageModel, parseModelSource, useBackend } from '../src/advanced';
import { toEncoderInputs } from '../src/encoder/bert';
import { checkFlags, flag } from '../tools/args';
import { MODEL_FLAG } from '../tools/paths';
import { median } from '../tools/stats';

checkFlags(import.meta.filename);

const BATCH = 8;

const source = parseModelSource(flag('model', MODEL_FLAG));
const backends = flag('backends', 'wasm,cpu').split(',') as BackendName[];
const runs = Number(flag('runs', '10'));
const TOKENS = Number(flag('tokens', '64'));
const kernels = flag('kernels', '0') === '1';
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
  const shares = kernels ? await kernelShares(() => model.encoder.forward(inputs), runs) : undefined;
  tf.dispose(Object.values(inputs));
  model.dispose();
  const ms = median(times);
  console.log(
    `| ${backend} | ${BATCH} × ${batch.seqLen} | ${ms.toFixed(1)} | ${Math.min(...times).toFixed(1)} | ${Math.max(...times).toFixed(1)} | ${((BATCH * 1000) / ms).toFixed(1)} |`,
  );
  if (shares) console.log(`\n${backend}, each kernel's share of the kernel time: ${shares}\n`);
}

/** Each kernel's share of the kernel time of `runs` calls of f, largest first ("_FusedMatMul 67%, …"). */
async function kernelShares(f: () => tf.Tensor, count: number): Promise<string> {
  const totals = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const info = await tf.profile(async () => {
      const out = f();
      await out.data();
      out.dispose();
    });
    for (const k of info.kernels) {
      const ms = await k.kernelTimeMs;
      // Scopes (an op's wrapper, a custom gradient) are listed beside the kernels they ran: count kernels only.
      if (typeof ms === 'number' && tf.getKernel(k.name, tf.getBackend()))
        totals.set(k.name, (totals.get(k.name) ?? 0) + ms);
    }
  }
  const all = [...totals.values()].reduce((a, b) => a + b, 0);
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .filter(([, ms]) => ms / all >= 0.005)
    .map(([name, ms]) => `${name} ${((100 * ms) / all).toFixed(0)}%`)
    .join(', ');
}
