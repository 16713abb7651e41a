// Fast encoder tests on a tiny random BERT with the real uncased tokenizer.

import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AdapterSet,
  InputError,
  InputTooLongError,
  LanguageModel,
  loadCheckpoint,
  MissingTensorError,
  type SiteAdapter,
  TensorShapeError,
  UnsupportedArchitectureError,
  UnsupportedDtypeError,
  useBackend,
} from '../src/advanced';
import { adapterOutput, gelu } from '../src/encoder/adapter';
import { toEncoderInputs } from '../src/encoder/bert';
import { HiddenCache } from '../src/encoder/hidden-cache';
import type { SitePoint } from '../src/encoder/placement';
import { seededRandom } from '../src/util/random';
import { TINY_CONFIG, writeTinyModel } from './helpers/tiny-model';

const load = (path: string) => LanguageModel.load({ kind: 'dir', path });
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

function randomAdapter(
  d: number,
  r: number,
  seed: number,
  activation: 'relu' | 'gelu' = 'relu',
): SiteAdapter {
  const rng = seededRandom(seed);
  return {
    down: tf.tensor2d(rng.normals(d * r, 0.3), [d, r]),
    downBias: tf.tensor1d(rng.normals(r, 0.1)),
    up: tf.tensor2d(rng.normals(r * d, 0.3), [r, d]),
    upBias: tf.tensor1d(rng.normals(d, 0.1)),
    activation,
  };
}

const TEXTS = [
  'Hello world.',
  'A longer sentence with quite a few more tokens in it.',
  ['A pair?', 'Yes.'] as const,
];

describe('tiny encoder', () => {
  let dir: string;
  let model: LanguageModel;
  beforeAll(async () => {
    await useBackend('cpu');
    dir = writeTinyModel();
    model = await load(dir);
  });
  afterAll(() => model.dispose());

  it('gives [B, d] embeddings and hidden states shaped [B, T, d]', async () => {
    const emb = await model.embed(TEXTS);
    expect(emb).toHaveLength(3);
    expect(emb[0]).toHaveLength(TINY_CONFIG.hiddenSize);
    const batch = model.tokenize(TEXTS);
    const hidden = tf.tidy(() => model.encoder.forward(toEncoderInputs(batch)));
    expect(hidden.shape).toEqual([3, batch.seqLen, TINY_CONFIG.hiddenSize]);
    hidden.dispose();
  });

  it('gives pair inputs token types 0 then 1', () => {
    const b = model.tokenize([['a b', 'c']]);
    expect(Array.from(b.tokenTypeIds)).toEqual([0, 0, 0, 0, 1, 1]);
  });

  it('is unaffected by padding: a row alone equals the same row in a padded batch', async () => {
    for (const pooling of ['mean', 'cls'] as const) {
      const batched = await model.embed(TEXTS, { pooling });
      const alone = await model.embed([TEXTS[0]!], { pooling });
      expect(maxAbsDiff(batched[0]!, alone[0]!)).toBeLessThan(1e-5);
    }
  });

  it('pools the [CLS] row for cls and the masked mean for mean', () => {
    const batch = model.tokenize(TEXTS);
    const [hidden, mean, cls] = tf.tidy(() => {
      const x = toEncoderInputs(batch);
      const h = model.encoder.forward(x);
      return [h, model.embedTensor(TEXTS), model.embedTensor(TEXTS, { pooling: 'cls' })];
    });
    const h = hidden.arraySync() as number[][][];
    const row = 1;
    const n = batch.lengths[row]!;
    const expectedMean = h[row]![0]!.map((_, j) => h[row]!.slice(0, n).reduce((s, t) => s + t[j]!, 0) / n);
    expect(maxAbsDiff((mean.arraySync() as number[][])[row]!, expectedMean)).toBeLessThan(1e-5);
    expect(maxAbsDiff((cls.arraySync() as number[][])[row]!, h[row]![0]!)).toBe(0);
    tf.dispose([hidden, mean, cls]);
  });

  it('equals the plain model when every adapter has a zero up projection', async () => {
    const d = TINY_CONFIG.hiddenSize;
    const zeroUp = (seed: number): SiteAdapter => {
      const a = randomAdapter(d, 4, seed);
      a.up.dispose();
      a.upBias.dispose();
      return { ...a, up: tf.zeros([4, d]), upBias: tf.zeros([d]) };
    };
    for (const placement of ['pfeiffer', 'houlsby'] as const) {
      const sites = Array.from({ length: placement === 'pfeiffer' ? 2 : 4 }, (_, i) => zeroUp(i));
      const plain = await model.embed(TEXTS);
      const adapted = await model.embed(TEXTS, { adapters: { placement, sites } });
      expect(
        maxAbsDiff(
          plain.flatMap((v) => [...v]),
          adapted.flatMap((v) => [...v]),
        ),
      ).toBeLessThan(1e-6);
      for (const s of sites) tf.dispose([s.down, s.downBias, s.up, s.upBias]);
    }
  });

  it('changes the output with a non-zero adapter, and Houlsby differs from Pfeiffer', async () => {
    const d = TINY_CONFIG.hiddenSize;
    const pf: AdapterSet = { placement: 'pfeiffer', sites: [randomAdapter(d, 4, 1), randomAdapter(d, 4, 2)] };
    const ho: AdapterSet = { placement: 'houlsby', sites: [null, pf.sites[0]!, null, pf.sites[1]!] };
    const hoAll: AdapterSet = {
      placement: 'houlsby',
      sites: [randomAdapter(d, 4, 3, 'gelu'), pf.sites[0]!, null, pf.sites[1]!],
    };
    const plain = (await model.embed(TEXTS))[0]!;
    const withPf = (await model.embed(TEXTS, { adapters: pf }))[0]!;
    const withHo = (await model.embed(TEXTS, { adapters: ho }))[0]!;
    const withHoAll = (await model.embed(TEXTS, { adapters: hoAll }))[0]!;
    expect(maxAbsDiff(plain, withPf)).toBeGreaterThan(1e-3);
    // Houlsby with only the feed-forward sites filled is exactly Pfeiffer.
    expect(maxAbsDiff(withPf, withHo)).toBeLessThan(1e-6);
    expect(maxAbsDiff(withHo, withHoAll)).toBeGreaterThan(1e-3);
  });

  it("places sites from a first layer up, and a pass from any site's state before them equals the full one", async () => {
    const d = TINY_CONFIG.hiddenSize;
    const a = randomAdapter(d, 4, 5, 'gelu');
    // Sites from layer 1 up are the second layer's sites of an every-layer set.
    const upper: AdapterSet = { placement: 'pfeiffer', firstLayer: 1, sites: [a] };
    const every: AdapterSet = { placement: 'pfeiffer', sites: [null, a] };
    const [withUpper, withEvery] = [
      await model.embed(TEXTS, { adapters: upper }),
      await model.embed(TEXTS, { adapters: every }),
    ];
    for (const [i, row] of withUpper.entries()) expect(maxAbsDiff(row, withEvery[i]!)).toBeLessThan(1e-6);

    const batch = model.tokenize(TEXTS);
    const x = toEncoderInputs(batch);
    const resumedFrom = (at: SitePoint, adapters?: AdapterSet) =>
      tf.tidy(() => {
        const state = model.encoder.siteState(x, at);
        return model.encoder.forwardFromSite(state, x.attentionMask, at, adapters);
      });
    const houlsbyUpper: AdapterSet = { placement: 'houlsby', firstLayer: 1, sites: [a, a] };
    // From every site at or before the adapters' first, a pass equals the full one, adapters or not.
    const cases: [SitePoint, AdapterSet | undefined][] = [
      [{ layer: 1, where: 'ffn' }, upper],
      [{ layer: 1, where: 'attention' }, upper],
      [{ layer: 0, where: 'ffn' }, upper],
      [{ layer: 1, where: 'attention' }, houlsbyUpper],
      [{ layer: 0, where: 'attention' }, undefined],
      [{ layer: 1, where: 'ffn' }, undefined],
    ];
    for (const [at, adapters] of cases) {
      const [full, resumed] = [model.encoder.forward(x, adapters), resumedFrom(at, adapters)];
      expect(maxAbsDiff(await full.data(), await resumed.data())).toBeLessThan(1e-5);
      tf.dispose([full, resumed]);
    }

    // Adapters with a site before the one a pass starts from would be skipped: refused.
    const state = model.encoder.siteState(x, { layer: 1, where: 'ffn' });
    expect(() =>
      model.encoder.forwardFromSite(state, x.attentionMask, { layer: 1, where: 'ffn' }, every),
    ).toThrowError(/sites from layer 0's ffn output; a pass from layer 1's ffn output would skip them/);
    expect(() =>
      model.encoder.forwardFromSite(state, x.attentionMask, { layer: 1, where: 'ffn' }, houlsbyUpper),
    ).toThrowError(/sites from layer 1's attention output; a pass from layer 1's ffn output/);
    expect(() => model.encoder.siteState(x, { layer: 2, where: 'ffn' })).toThrowError(
      /A site is a layer in \[0, 1\] and "attention" or "ffn"; got layer 2/,
    );
    expect(() => model.embedTensor(['x'], { adapters: { ...upper, firstLayer: 2 } })).toThrowError(
      /sites start at layer 2; a 2-layer model has none there/,
    );
    expect(() => model.embedTensor(['x'], { adapters: { ...upper, sites: [a, a] } })).toThrowError(
      /for layers 1–1 needs 1 sites; got 2/,
    );
    tf.dispose([state.s, state.x, x.inputIds, x.tokenTypeIds, x.attentionMask]);
    tf.dispose([a.down, a.downBias, a.up, a.upBias]);
  });

  it('pools cached texts exactly as a full pass does, whatever batch they are regrouped in', async () => {
    const d = TINY_CONFIG.hiddenSize;
    const a = randomAdapter(d, 4, 6);
    const upper: AdapterSet = { placement: 'pfeiffer', firstLayer: 1, sites: [a] };
    const cache = new HiddenCache(model, { layer: 1, where: 'ffn' }, 64);
    cache.add(TEXTS, 2); // two batches with different padding
    cache.add([TEXTS[0]!]); // already there: nothing recomputed
    const regrouped = [TEXTS[2]!, TEXTS[0]!];
    const cached = tf.tidy(() => cache.pooled(regrouped, upper));
    const direct = model.embedTensor(regrouped, { adapters: upper });
    expect(maxAbsDiff(await cached.data(), await direct.data())).toBeLessThan(1e-5);
    expect(() => cache.pooled(['never added'], upper)).toThrowError(/not added to the hidden-state cache/);
    const before = tf.memory().numTensors;
    cache.dispose();
    expect(tf.memory().numTensors).toBe(before - 2 * TEXTS.length); // each text's s and x
    tf.dispose([cached, direct, a.down, a.downBias, a.up, a.upBias]);
  });

  it("gives an adapter's gradients exactly as autodiff of its plain products does", () => {
    const d = TINY_CONFIG.hiddenSize;
    const a = randomAdapter(d, 4, 8, 'gelu');
    const h = tf.randomNormal([6, d], 0, 1, 'float32', 2) as tf.Tensor2D;
    const weights = tf.randomNormal([6, d], 0, 1, 'float32', 3);
    const plain = (x: tf.Tensor2D, down: tf.Tensor2D, up: tf.Tensor2D) => {
      const pre = tf.add(tf.matMul(x, down), a.downBias);
      return tf.sum(tf.mul(tf.add(tf.matMul(gelu(pre), up), a.upBias), weights));
    };
    const custom = (x: tf.Tensor2D, down: tf.Tensor2D, up: tf.Tensor2D) =>
      tf.sum(tf.mul(adapterOutput(x, { ...a, down, up }), weights));
    const [want, got] = [plain, custom].map((f) =>
      tf.grads((x, down, up) => f(x as tf.Tensor2D, down as tf.Tensor2D, up as tf.Tensor2D))([
        h,
        a.down,
        a.up,
      ]),
    );
    for (const [i, g] of got!.entries()) {
      expect(g.shape).toEqual(want![i]!.shape);
      expect(maxAbsDiff(g.dataSync(), want![i]!.dataSync())).toBeLessThan(1e-4);
    }
    tf.dispose([...want!, ...got!, h, weights, a.down, a.downBias, a.up, a.upBias]);
  });

  it('sends gradients to adapter parameters only; the model weights stay frozen', () => {
    const d = TINY_CONFIG.hiddenSize;
    const a = randomAdapter(d, 4, 7, 'gelu');
    const vars = {
      down: tf.variable(a.down),
      downBias: tf.variable(a.downBias),
      up: tf.variable(a.up),
      upBias: tf.variable(a.upBias),
    };
    const adapter: SiteAdapter = { ...vars, activation: 'gelu' };
    const batch = model.tokenize(TEXTS);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() =>
      tf.tidy(() => {
        const x = toEncoderInputs(batch);
        const h = model.encoder.forward(x, { placement: 'houlsby', sites: [adapter, null, null, adapter] });
        return tf.sum(tf.square(h)) as tf.Scalar;
      }),
    );
    expect(Object.keys(grads).sort()).toEqual(
      Object.values(vars)
        .map((v) => v.name)
        .sort(),
    );
    for (const g of Object.values(grads))
      expect(tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0])).toBeGreaterThan(0);
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a.down, a.downBias, a.up, a.upBias, ...Object.values(vars)]);
  });

  it('agrees between the cpu and wasm backends', async () => {
    const onCpu = await model.embed(TEXTS);
    await useBackend('wasm');
    const wasmModel = await load(dir);
    const onWasm = await wasmModel.embed(TEXTS);
    wasmModel.dispose();
    await useBackend('cpu');
    expect(
      maxAbsDiff(
        onCpu.flatMap((v) => [...v]),
        onWasm.flatMap((v) => [...v]),
      ),
    ).toBeLessThan(1e-4);
  });

  it('reads checkpoints with a "bert." prefix and in F16 and BF16', async () => {
    const reference = await model.embed(TEXTS);
    for (const [options, tol] of [
      [{ prefix: true }, 0],
      [{ dtype: 'F16' as const }, 0.05],
      [{ dtype: 'BF16' as const }, 0.2],
    ] as const) {
      const other = await load(writeTinyModel(options));
      const out = await other.embed(TEXTS);
      other.dispose();
      expect(
        maxAbsDiff(
          reference.flatMap((v) => [...v]),
          out.flatMap((v) => [...v]),
        ),
      ).toBeLessThanOrEqual(tol);
    }
  });

  it('truncates sentence pairs longest-first exactly as Hugging Face tokenizers do', () => {
    // Expected splits from transformers' BertTokenizerFast with max_length 8 (5 content tokens).
    const cases: [string, string, number, number][] = [
      ['a b c d', 'e f g h', 2, 3],
      ['a b c d e', 'e f g', 3, 2],
      ['a b', 'c d e f g h', 2, 3],
    ];
    for (const [a, b, na, nb] of cases) {
      const batch = model.tokenize([[a, b]], { maxLength: 8 });
      const types = Array.from(batch.tokenTypeIds);
      expect(types.filter((t) => t === 0).length - 2).toBe(na); // minus [CLS] and the first [SEP]
      expect(types.filter((t) => t === 1).length - 1).toBe(nb); // minus the last [SEP]
    }
  });

  it('truncates long inputs by default and throws InputTooLongError when asked', async () => {
    const long = 'word '.repeat(200);
    const batch = model.tokenize([long]);
    expect(batch.seqLen).toBe(TINY_CONFIG.maxPositions);
    expect(batch.inputIds[TINY_CONFIG.maxPositions - 1]).toBe(102); // [SEP] kept at the end
    expect(() => model.tokenize([long], { truncation: 'error' })).toThrowError(InputTooLongError);
    expect(() => model.tokenize(['ok', long], { truncation: 'error' })).toThrowError(
      /Input 1 has 202 tokens/,
    );
  });

  it('refuses bad input with typed errors', async () => {
    await expect(model.embed([])).rejects.toThrowError(InputError);
    expect(() => model.tokenize(['x'], { maxLength: 1000 })).toThrowError(
      /maxLength must be an integer in \[2, 64\]/,
    );
    const a = randomAdapter(TINY_CONFIG.hiddenSize, 4, 1);
    expect(() => model.embedTensor(['x'], { adapters: { placement: 'pfeiffer', sites: [a] } })).toThrowError(
      /needs 2 sites; got 1/,
    );
    const wrong = { ...a, up: tf.zeros([4, 8]) as tf.Tensor2D };
    expect(() =>
      model.embedTensor(['x'], { adapters: { placement: 'pfeiffer', sites: [wrong, null] } }),
    ).toThrowError(/site 0: up has shape \[4,8\]; expected \[4,32\]/);
    tf.dispose([a.down, a.downBias, a.up, a.upBias, wrong.up]);
  });
});

describe('checkpoint errors', () => {
  beforeAll(() => useBackend('cpu'));

  it('names the model_type of an unsupported architecture', async () => {
    const dir = writeTinyModel({ configJson: { model_type: 'gpt2', n_embd: 32 } });
    await expect(loadCheckpoint({ kind: 'dir', path: dir })).rejects.toThrowError(
      UnsupportedArchitectureError,
    );
    await expect(loadCheckpoint({ kind: 'dir', path: dir })).rejects.toThrowError(/model_type "gpt2"/);
  });

  it('names a missing tensor', async () => {
    const dir = writeTinyModel({ edit: (t) => delete t['encoder.layer.1.output.dense.bias'] });
    await expect(load(dir)).rejects.toThrowError(MissingTensorError);
    await expect(load(dir)).rejects.toThrowError(/"encoder.layer.1.output.dense.bias"/);
  });

  it('names a misshapen tensor and both shapes', async () => {
    const dir = writeTinyModel({
      edit: (t) => {
        t['encoder.layer.0.intermediate.dense.weight'] = { shape: [32, 64], data: new Float32Array(32 * 64) };
      },
    });
    await expect(load(dir)).rejects.toThrowError(TensorShapeError);
    await expect(load(dir)).rejects.toThrowError(/has shape \[32, 64\]; expected \[64, 32\]/);
  });

  it('reports a needed tensor stored in an unsupported dtype', async () => {
    const dir = writeTinyModel({
      edit: (t) => {
        // F16 bytes relabelled by hand below would be corrupt; instead mark the tensor as I32 of equal size.
        t['embeddings.LayerNorm.bias'] = { shape: [16], data: new Float32Array(16), dtype: 'F32' };
      },
    });
    const { readFileSync, writeFileSync } = await import('node:fs');
    const path = `${dir}/model.safetensors`;
    const bytes = readFileSync(path);
    const text = bytes
      .toString('latin1')
      .replace(
        '"embeddings.LayerNorm.bias":{"dtype":"F32","shape":[16]',
        '"embeddings.LayerNorm.bias":{"dtype":"I32","shape":[16]',
      );
    writeFileSync(path, Buffer.from(text, 'latin1'));
    await expect(load(dir)).rejects.toThrowError(UnsupportedDtypeError);
    await expect(load(dir)).rejects.toThrowError(/"embeddings.LayerNorm.bias" has dtype I32/);
  });

  it('rejects a truncated weights file', async () => {
    const dir = writeTinyModel();
    const { readFileSync, writeFileSync } = await import('node:fs');
    const path = `${dir}/model.safetensors`;
    writeFileSync(path, readFileSync(path).subarray(0, 5000));
    await expect(load(dir)).rejects.toThrowError(/Invalid safetensors file/);
  });
});
