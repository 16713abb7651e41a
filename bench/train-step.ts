// Time of one training step, X-PEFT (hard, soft) against conventional adapter tuning and head-only
// tuning, on the same SST-2 batches of the default model. Median over steps after two warm-up steps.
// Usage: npm run bench:train -- [--backend wasm|cpu] [--steps 8] [--batch 16] [--n 100]

import { readSst2 } from '../eval/glue';
import { flag, median } from '../scripts/args';
import {
  type BackendName,
  Engine,
  LanguageModel,
  type Method,
  parseModelSource,
  useBackend,
} from '../src/index';

const backend = await useBackend(flag('backend', 'wasm') as BackendName);
const steps = Number(flag('steps', '8'));
const batch = Number(flag('batch', '16'));
const n = Number(flag('n', '100'));
const model = await LanguageModel.load(parseModelSource(flag('model', './models/all-MiniLM-L6-v2')));
const task = { kind: 'classification' as const, labels: ['negative', 'positive'] };
const engine = await Engine.load({ model, bank: { kind: 'random', seed: 1, n }, task });
const history = readSst2('train')
  .slice(0, batch * (steps + 2))
  .map((e) => ({ text: e.text, label: task.labels[e.label]! }));

const runs: { name: string; method: Method; mode?: 'hard' | 'soft' }[] = [
  { name: 'X-PEFT hard (k=10)', method: 'xpeft', mode: 'hard' },
  { name: 'X-PEFT soft', method: 'xpeft', mode: 'soft' },
  { name: 'adapter tuning', method: 'adapter' },
  { name: 'head-only', method: 'head-only' },
];
const rows: { name: string; ms: number; min: number; max: number }[] = [];
for (const run of runs) {
  const stamps: number[] = [performance.now()];
  await engine.train(history, {
    method: run.method,
    ...(run.mode ? { mask: { mode: run.mode, k: 10 } } : {}),
    epochs: 1,
    batchSize: batch,
    heldOutFraction: 0,
    onProgress: () => stamps.push(performance.now()),
  });
  const times = stamps
    .slice(1)
    .map((t, i) => t - stamps[i]!)
    .slice(2);
  rows.push({ name: run.name, ms: median(times), min: Math.min(...times), max: Math.max(...times) });
}
const adapter = rows.find((r) => r.name === 'adapter tuning')!.ms;
console.log(
  `Training step, ${backend}, batch ${batch} SST-2 sentences, N=${n}, ${steps} timed steps after 2 warm-up`,
);
console.log('| method | median ms/step | min | max | ÷ adapter tuning |');
console.log('|---|---|---|---|---|');
for (const r of rows) {
  console.log(
    `| ${r.name} | ${r.ms.toFixed(0)} | ${r.min.toFixed(0)} | ${r.max.toFixed(0)} | ${(r.ms / adapter).toFixed(2)} |`,
  );
}
console.log('(head-only trains on pooled vectors computed once before its first step.)');
engine.dispose();
model.dispose();
