// The benchmark figures, shared by the Node runner (bench/run.ts) and the browser runner (the harness
// page, driven by bench/browser.ts): every figure is a ratio measured side by side in one run.
//  1. encoder forward, ours ÷ transformers.js feature-extraction on the same weights (outputs checked
//     equal to 1e-4 first); 2. prediction with a composed profile ÷ the bare encoder; 3. composing a new
//     profile's adapters (ms); 4. one X-PEFT training step ÷ one adapter-tuning step; 5. tf.memory()
//     after many training steps ÷ after 10; 6. 16 profiles in one predictMany call ÷ 16 predict calls.

import * as tf from '@tensorflow/tfjs';
import type { AdapterSet, BaselineProfile, Engine, Method } from '../src/advanced';
import { encodeProfile, Profile } from '../src/advanced';
import { seededRandom } from '../src/util/random';
import { composeCached, composeMask, disposeAdapterSet } from '../src/xpeft/compose';
import { median } from '../tools/stats';

export interface Timing {
  median: number;
  min: number;
  max: number;
}

export interface Row {
  figure: string;
  shape: string;
  ours: Timing;
  other?: Timing;
  ratio: number;
  target: string;
}

/** A reference encoder: mean-pooled vectors for texts (transformers.js in practice). */
export interface ReferenceEncoder {
  embed(texts: string[]): Promise<Float32Array[]>;
  dispose(): unknown;
}

export interface FigureOptions {
  engine: Engine;
  /** Words to build inputs of exact token lengths from. */
  words: readonly string[];
  reference?: ReferenceEncoder;
  figures: readonly number[];
  shapes: readonly { batch: number; tokens: number }[];
  repeats: number;
  memorySteps: number;
  log: (line: string) => void;
}

const timing = (ms: number[]): Timing => ({ median: median(ms), min: Math.min(...ms), max: Math.max(...ms) });
const show = (t: Timing) => `${t.median.toFixed(1)} (${t.min.toFixed(1)}–${t.max.toFixed(1)})`;

/** One markdown table row (see TABLE_HEADER). */
export const formatRow = (r: Row) =>
  `| ${r.figure} | ${r.shape} | ${show(r.ours)} | ${r.other ? show(r.other) : '–'} | ${r.ratio.toFixed(2)} | ${r.target} |`;

export const TABLE_HEADER =
  '| figure | shape | ours ms, median (min–max) | baseline ms | ratio | target |\n|---|---|---|---|---|---|';

export async function runFigures(o: FigureOptions): Promise<Row[]> {
  const { engine, repeats } = o;
  const { model } = engine;
  const { sites, n } = engine.bank;
  const d = model.config.hiddenSize;
  const task = engine.task;
  const labels = task.kind === 'classification' ? task.labels : ['0', '1'];
  const rows: Row[] = [];

  /** Runs `fn` once to warm up, then `times` times; milliseconds per run. */
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

  function report(figure: string, shape: string, target: string, ours: Timing, other?: Timing): void {
    const row = {
      figure,
      shape,
      ours,
      ...(other ? { other } : {}),
      ratio: other ? ours.median / other.median : ours.median,
      target,
    };
    rows.push(row);
    o.log(formatRow(row));
  }

  /** Texts of exactly `tokens` tokens ([CLS] and [SEP] included). */
  function textsOf(count: number, tokens: number): string[] {
    const { words } = o;
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
    const outputs = task.kind === 'classification' ? task.labels.length : 1;
    const head = {
      inputs: d,
      outputs,
      weight: rng.normals(outputs * d, 0.05),
      bias: new Float32Array(outputs),
    };
    const data = { mode: 'hard' as const, placement: engine.bank.placement, sites, n, k: 10, scores, head };
    const prints = { modelFingerprint: model.fingerprint, bankFingerprint: engine.bank.fingerprint };
    return Profile.fromBytes(encodeProfile({ ...data, ...prints }));
  }

  const tokenLengths = [...new Set(o.shapes.map((x) => x.tokens))];
  const count = (v: number): Timing => ({ median: v, min: v, max: v });

  // 1. Encoder forward against transformers.js on the same weights, outputs checked first.
  for (const { batch, tokens } of o.figures.includes(1) && o.reference ? o.shapes : []) {
    const reference = o.reference!;
    const texts = textsOf(batch, tokens);
    const shape = `${batch} × ${tokens}`;
    const ours = () => model.embed(texts, { maxLength: tokens, batchSize: batch });
    const [a, b] = [await ours(), await reference.embed(texts)];
    const err = Math.max(...a.flatMap((v, i) => Array.from(v, (x, j) => Math.abs(x - b[i]![j]!))));
    if (!(err <= 1e-4)) throw new Error(`Encoders disagree at ${shape}: max abs error ${err}.`);
    const theirs = await measure(() => reference.embed(texts));
    report('1. encoder ÷ transformers.js', shape, '≤ 1.0', await measure(ours), theirs);
  }

  // 2. Prediction with a composed profile ÷ the bare encoder (the same head, no adapters).
  const profile = randomProfile(1);
  const bare: BaselineProfile = {
    method: 'frozen',
    head: profile.head!,
    bytes: { adapter: 0, head: 0, total: 0 },
  };
  for (const { batch, tokens } of o.figures.includes(2) ? o.shapes : []) {
    const texts = textsOf(batch, tokens);
    const predict = (p: Profile | BaselineProfile) => async () => {
      const out = engine.outputs(p, texts, tokens);
      await out.data();
      out.dispose();
    };
    const plain = await measure(predict(bare));
    report(
      '2. profile prediction ÷ bare encoder',
      `${batch} × ${tokens}`,
      '≤ 1.05',
      await measure(predict(profile)),
      plain,
    );
  }

  // 3. Profile switch: compose a new profile's adapters from the bank, against the general product
  //    (k-hot/k weights × the whole bank) that a hard profile used before it gathered its k adapters.
  if (o.figures.includes(3)) {
    let seed = 100;
    const finish = async (set: AdapterSet) => {
      await set.sites[0]!.down.data(); // the composition has finished on any backend
      disposeAdapterSet(set);
    };
    const gathered = () => finish(composeMask(randomProfile(seed++).data, engine.bank));
    const product = () => {
      const { scores, k } = randomProfile(seed++).data;
      const [a, b] = tf.tidy(() =>
        tf.split(tf.div(tf.tensor2d(scores, [2 * sites, n]), k), 2, 0),
      ) as tf.Tensor2D[];
      const set = composeCached(engine.bank, a!, b!);
      tf.dispose([a!, b!]);
      return finish(set);
    };
    const before = await measure(product, repeats * 4);
    report(
      '3. profile switch (compose) ms ÷ the product path',
      `N=${n}`,
      'ours ≤ 5 ms',
      await measure(gathered, repeats * 4),
      before,
    );
  }

  // 4. One training step, X-PEFT hard and soft ÷ adapter tuning, on the same batches.
  async function stepTimes(method: Method, mode: 'hard' | 'soft' | undefined, batch: number, tokens: number) {
    const texts = textsOf(batch * (repeats + 1), tokens);
    const stamps: number[] = [performance.now()];
    await engine.train(
      texts.map((text, i) => ({ text, label: labels[i % 2]! })),
      {
        method,
        ...(mode ? { mask: { mode, k: 10 } } : {}),
        epochs: 1,
        batchSize: batch,
        maxLength: tokens,
        heldOutFraction: 0,
        onProgress: () => stamps.push(performance.now()),
      },
    );
    const steps = stamps.slice(1).map((t, i) => t - stamps[i]!);
    return timing(steps.slice(1)); // the first step warms up
  }
  for (const { batch, tokens } of o.figures.includes(4) ? o.shapes : []) {
    const adapter = await stepTimes('adapter', undefined, batch, tokens);
    for (const mode of ['hard', 'soft'] as const) {
      const shape = `${batch} × ${tokens}`;
      report(
        `4. X-PEFT ${mode} step ÷ adapter step`,
        shape,
        '≤ 1.0',
        await stepTimes('xpeft', mode, batch, tokens),
        adapter,
      );
    }
  }

  // 5. Memory after many training steps ÷ after 10 (batch 1 × 32 tokens).
  if (o.figures.includes(5)) {
    const history = textsOf(10, 32).map((text, i) => ({ text, label: labels[i % 2]! }));
    const seen: Record<number, tf.MemoryInfo> = {};
    await engine.train(history, {
      epochs: o.memorySteps / 10,
      batchSize: 1,
      maxLength: 32,
      heldOutFraction: 0,
      onProgress: (p) => {
        if (p.step === 10 || p.step === o.memorySteps) seen[p.step] = tf.memory();
      },
    });
    const [early, late] = [seen[10]!, seen[o.memorySteps]!];
    const figure = `5. tf.memory() after ${o.memorySteps} steps ÷ after 10`;
    report(`${figure}: bytes`, '1 × 32', '1.0', count(late.numBytes), count(early.numBytes));
    report(`${figure}: tensors`, '1 × 32', '1.0', count(late.numTensors), count(early.numTensors));
  }

  // 6. 16 profiles, one text each: one predictMany call ÷ 16 predict calls.
  const many = Array.from({ length: 16 }, (_, i) => randomProfile(500 + i));
  for (const tokens of o.figures.includes(6) ? tokenLengths : []) {
    const texts = textsOf(16, tokens);
    const items = many.map((p, i) => ({ profile: p, text: texts[i]! }));
    const single = await measure(() => Promise.all(items.map((it) => engine.predict(it.profile, [it.text]))));
    const batched = await measure(() => engine.predictMany(items, { maxLength: tokens }));
    report('6. 16 profiles: predictMany ÷ 16 predict calls', `16 × ${tokens}`, '≤ 0.25', batched, single);
  }
  return rows;
}
