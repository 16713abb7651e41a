// The performance benchmark: every figure as a ratio measured side by side in one run (absolute times
// on shared CPUs are noisy; ratios hold), on the default model, at batch 1 and 8 and 32 and 128 tokens.
//  1. encoder forward, ours ÷ transformers.js feature-extraction on the same weights (ONNX export,
//     outputs checked equal to 1e-4 first); 2. prediction with a composed profile ÷ the bare encoder;
//  3. composing a new profile's adapters (ms); 4. one X-PEFT training step ÷ one adapter-tuning step;
//  5. tf.memory() after many training steps ÷ after 10; 6. 16 profiles in one predictMany call ÷ 16
//  predict calls. Medians after warm-up, with min and max. Writes results/bench/<backend>.json.
// Usage: npm run bench -- [--backend wasm] [--repeats 5] [--memory-steps 1000] [--skip-transformers]

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readSst2 } from '../eval/glue';
import { flag, median } from '../scripts/args';
import {
  type BackendName,
  type BaselineProfile,
  Engine,
  encodeProfile,
  LanguageModel,
  type Method,
  Profile,
  useBackend,
} from '../src/index';
import { seededRandom } from '../src/util/random';
import { transformersJsEncoder } from './transformers-js';

const ROOT = join(import.meta.dirname, '..');
const MODEL_DIR = join(ROOT, 'models', 'all-MiniLM-L6-v2');
const backend = await useBackend(flag('backend', 'wasm') as BackendName);
const repeats = Number(flag('repeats', '5'));
const memorySteps = Number(flag('memory-steps', '1000'));
const SHAPES = [
  { batch: 1, tokens: 32 },
  { batch: 8, tokens: 32 },
  { batch: 1, tokens: 128 },
  { batch: 8, tokens: 128 },
];

interface Timing {
  median: number;
  min: number;
  max: number;
}
const timing = (ms: number[]): Timing => ({ median: median(ms), min: Math.min(...ms), max: Math.max(...ms) });

/** Runs `fn` once to warm up, then `repeats` times; milliseconds per run. */
async function measure(fn: () => Promise<unknown>, times = repeats): Promise<Timing> {
  await fn();
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  return timing(ms);
}

const model = await LanguageModel.load({ kind: 'dir', path: MODEL_DIR });
const task = { kind: 'classification' as const, labels: ['negative', 'positive'] };
const engine = await Engine.load({ model, bank: { kind: 'random', seed: 1, n: 100 }, task });
const { sites, n } = engine.bank;
const d = model.config.hiddenSize;

/** Sentences of exactly `tokens` tokens ([CLS] and [SEP] included), built from SST-2 dev words. */
function textsOf(count: number, tokens: number): string[] {
  const words = readSst2('dev').flatMap((e) => e.text.split(' '));
  return Array.from({ length: count }, (_, i) => {
    let text = '';
    for (let w = i * 37; ; w++) {
      const next = text ? `${text} ${words[w % words.length]}` : words[w % words.length]!;
      const length = model.tokenize([next]).lengths[0]!;
      if (length === tokens) return next;
      if (length < tokens) text = next;
    }
  });
}

function randomProfile(seed: number): Profile {
  const rng = seededRandom(seed);
  const scores = new Float32Array(2 * sites * n);
  for (let row = 0; row < 2 * sites; row++) {
    const picks = new Set<number>();
    while (picks.size < 10) picks.add(Math.floor(rng.uniform() * n));
    for (const j of picks) scores[row * n + j] = 1;
  }
  const head = { inputs: d, outputs: 2, weight: rng.normals(2 * d, 0.05), bias: new Float32Array(2) };
  const data = { mode: 'hard' as const, placement: engine.bank.placement, sites, n, k: 10, scores, head };
  const prints = { modelFingerprint: model.fingerprint, bankFingerprint: engine.bank.fingerprint };
  return Profile.fromBytes(encodeProfile({ ...data, ...prints }));
}

const rows: { figure: string; shape: string; ours: Timing; other?: Timing; ratio: number; target: string }[] =
  [];
const show = (t: Timing) => `${t.median.toFixed(1)} (${t.min.toFixed(1)}–${t.max.toFixed(1)})`;
function report(figure: string, shape: string, target: string, ours: Timing, other?: Timing): void {
  const ratio = other ? ours.median / other.median : ours.median;
  rows.push({ figure, shape, ours, ...(other ? { other } : {}), ratio, target });
  console.log(
    `| ${figure} | ${shape} | ${show(ours)} | ${other ? show(other) : '–'} | ${ratio.toFixed(2)} | ${target} |`,
  );
}

console.log(
  `Node ${process.version}, tfjs ${backend}, default model (all-MiniLM-L6-v2), N=${n}, ${repeats} timed runs after 1 warm-up`,
);
console.log(
  '| figure | shape | ours ms, median (min–max) | baseline ms | ratio | target |\n|---|---|---|---|---|---|',
);

// 1. Encoder forward against transformers.js on the same weights.
const reference = flag('skip-transformers', '') === '' ? await transformersJsEncoder(MODEL_DIR) : undefined;
for (const { batch, tokens } of SHAPES) {
  const texts = textsOf(batch, tokens);
  const shape = `${batch} × ${tokens}`;
  const ours = () => model.embed(texts, { maxLength: tokens, batchSize: batch });
  if (reference) {
    const [a, b] = [await ours(), await reference.embed(texts)];
    const err = Math.max(...a.flatMap((v, i) => Array.from(v, (x, j) => Math.abs(x - b[i]![j]!))));
    if (!(err <= 1e-4)) throw new Error(`Encoders disagree at ${shape}: max abs error ${err}.`);
    report(
      '1. encoder ÷ transformers.js',
      shape,
      '≤ 1.0',
      await measure(ours),
      await measure(() => reference.embed(texts)),
    );
  }
}

// 2. Prediction with a composed profile ÷ the bare encoder (the same head, no adapters).
const profile = randomProfile(1);
const bare: BaselineProfile = {
  method: 'frozen',
  head: profile.head!,
  bytes: { adapter: 0, head: 0, total: 0 },
};
for (const { batch, tokens } of SHAPES) {
  const texts = textsOf(batch, tokens);
  const predict = (p: Profile | BaselineProfile) => async () => {
    const out = engine.outputs(p, texts, tokens);
    await out.data();
    out.dispose();
  };
  report(
    '2. profile prediction ÷ bare encoder',
    `${batch} × ${tokens}`,
    '≤ 1.05',
    await measure(predict(profile)),
    await measure(predict(bare)),
  );
}

// 3. Profile switch: compose a new profile's adapters from the bank.
{
  let seed = 100;
  const compose = async () => {
    const set = randomProfile(seed++).compose(engine.bank);
    await set.sites[0]!.down.data(); // the composition has finished on any backend
    for (const a of set.sites) if (a) tf.dispose([a.down, a.downBias, a.up, a.upBias]);
  };
  report('3. profile switch (compose), ms', `N=${n}`, '≤ 5 ms', await measure(compose, repeats * 4));
}

// 4. One training step, X-PEFT hard and soft ÷ adapter tuning, on the same batches.
async function stepTimes(method: Method, mode: 'hard' | 'soft' | undefined, batch: number, tokens: number) {
  const history = textsOf(batch * (repeats + 1), tokens).map((text, i) => ({
    text,
    label: task.labels[i % 2]!,
  }));
  const stamps: number[] = [performance.now()];
  await engine.train(history, {
    method,
    ...(mode ? { mask: { mode, k: 10 } } : {}),
    epochs: 1,
    batchSize: batch,
    maxLength: tokens,
    heldOutFraction: 0,
    onProgress: () => stamps.push(performance.now()),
  });
  return timing(
    stamps
      .slice(1)
      .map((t, i) => t - stamps[i]!)
      .slice(1),
  ); // the first step warms up
}
for (const { batch, tokens } of SHAPES) {
  const adapter = await stepTimes('adapter', undefined, batch, tokens);
  for (const mode of ['hard', 'soft'] as const)
    report(
      `4. X-PEFT ${mode} step ÷ adapter step`,
      `${batch} × ${tokens}`,
      '≤ 1.0',
      await stepTimes('xpeft', mode, batch, tokens),
      adapter,
    );
}

// 5. Memory after many training steps ÷ after 10 (batch 1 × 32 tokens).
{
  const history = textsOf(10, 32).map((text, i) => ({ text, label: task.labels[i % 2]! }));
  const seen: Record<number, tf.MemoryInfo> = {};
  await engine.train(history, {
    epochs: memorySteps / 10,
    batchSize: 1,
    maxLength: 32,
    heldOutFraction: 0,
    onProgress: (p) => {
      if (p.step === 10 || p.step === memorySteps) seen[p.step] = tf.memory();
    },
  });
  const [early, late] = [seen[10]!, seen[memorySteps]!];
  const mem = (m: tf.MemoryInfo) => ({ median: m.numBytes, min: m.numTensors, max: m.numTensors });
  report(`5. memory after ${memorySteps} steps ÷ after 10 (bytes)`, '1 × 32', '1.0', mem(late), mem(early));
  console.log(
    `|   tensors | | ${late.numTensors} | ${early.numTensors} | ${(late.numTensors / early.numTensors).toFixed(2)} | 1.0 |`,
  );
}

// 6. 16 profiles, one text each: one predictMany call ÷ 16 predict calls.
const many = Array.from({ length: 16 }, (_, i) => randomProfile(500 + i));
for (const tokens of [32, 128]) {
  const texts = textsOf(16, tokens);
  const items = many.map((p, i) => ({ profile: p, text: texts[i]! }));
  const single = () => Promise.all(items.map((it) => engine.predict(it.profile, [it.text])));
  report(
    '6. 16 profiles: predictMany ÷ 16 predict calls',
    `16 × ${tokens}`,
    '≤ 0.25',
    await measure(() => engine.predictMany(items, { maxLength: tokens })),
    await measure(single),
  );
}

const out = join(ROOT, 'results', 'bench');
mkdirSync(out, { recursive: true });
const file = join(out, `node-${backend}.json`);
writeFileSync(
  file,
  `${JSON.stringify({ backend, node: process.version, repeats, memorySteps, rows, at: new Date().toISOString() }, null, 1)}\n`,
);
console.log(`\nwrote ${file}`);
reference?.dispose();
engine.dispose();
model.dispose();
