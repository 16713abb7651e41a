// Adapter banks: random recipes regenerate bit-identically on every backend; composition is the
// weighted sum of the bank's adapters; trained bank files round-trip.

import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { BankError, createRandomBank, disposeBank, NonFiniteTensorError, useBackend } from '../src/advanced';
import {
  bankFingerprint,
  bankIdentity,
  createBank,
  readBankArrays,
  validateBankShape,
} from '../src/bank/bank';
import { loadBankFile, saveBankFile } from '../src/bank/file';
import { adapterOutput } from '../src/encoder/adapter';
import { readSafetensors, writeSafetensors } from '../src/model/safetensors';
import { seededRandom } from '../src/util/random';
import { composeAdapters } from '../src/xpeft/compose';
import { maskWeights } from '../src/xpeft/mask';

const bytesOf = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

describe('random bank', () => {
  it('is bit-identical on cpu and wasm, and its fingerprint depends on the recipe', async () => {
    const arrays = [];
    const prints = [];
    for (const backend of ['cpu', 'wasm'] as const) {
      await useBackend(backend);
      const bank = await createRandomBank({ seed: 42, n: 12, r: 4 }, 32, 2);
      arrays.push(await readBankArrays(bank));
      prints.push(bank.fingerprint);
      disposeBank(bank);
    }
    for (const k of ['down', 'downBias', 'up', 'upBias'] as const) {
      expect(bytesOf(arrays[0]![k])).toEqual(bytesOf(arrays[1]![k]));
    }
    expect(prints[0]).toBe(prints[1]);
    await useBackend('cpu');
    const other = await createRandomBank({ seed: 43, n: 12, r: 4 }, 32, 2);
    expect(other.fingerprint).not.toBe(prints[0]);
    const houlsby = await createRandomBank({ seed: 42, n: 12, r: 4, placement: 'houlsby' }, 32, 2);
    expect(houlsby.sites).toBe(4);
    expect(houlsby.fingerprint).not.toBe(prints[0]);
    disposeBank(other);
    disposeBank(houlsby);
  });

  for (const backend of ['cpu', 'wasm'] as const)
    it(`has non-zero projections scaled so a top-k mix changes its input by about the target ratio (${backend})`, async () => {
      await useBackend(backend);
      const d = 384;
      const bank = await createRandomBank({ seed: 3, n: 100 }, d, 1); // r = 24, scale 0.1 at k = 10
      const { down, up } = await readBankArrays(bank);
      expect(down.some((v) => v !== 0) && up.some((v) => v !== 0)).toBe(true);
      const rng = seededRandom(9);
      const scores = tf.tensor2d(rng.normals(100, 1), [1, 100]);
      const ratio = tf.tidy(() => {
        const mask = maskWeights(scores, { mode: 'hard', k: 10 });
        const adapter = composeAdapters(bank, mask, mask).sites[0]!;
        const h = tf.tensor2d(rng.normals(64 * d, 1), [64, d]);
        const delta = adapterOutput(h, adapter);
        return tf.div(tf.norm(delta), tf.norm(h)).dataSync()[0]!;
      });
      expect(ratio).toBeGreaterThan(0.05);
      expect(ratio).toBeLessThan(0.2);
      scores.dispose();
      disposeBank(bank);
    });

  it('refuses a bad seed with a typed error', async () => {
    await expect(createRandomBank({ seed: -1, n: 4 }, 32, 2)).rejects.toThrowError(BankError);
  });
});

describe('composition', () => {
  it('equals the explicit weighted sum of the bank adapters, biases included', async () => {
    await useBackend('cpu');
    // A bank with non-zero biases (random banks have none), so bias composition is checked too.
    const shape = { placement: 'pfeiffer' as const, activation: 'relu' as const, sites: 2, n: 6, d: 8, r: 3 };
    const rng = seededRandom(2);
    const arrays = {
      down: rng.normals(2 * 6 * 24, 1),
      downBias: rng.normals(2 * 6 * 3, 1),
      up: rng.normals(2 * 6 * 24, 1),
      upBias: rng.normals(2 * 6 * 8, 1),
    };
    const bank = await createBank('trained', shape, arrays, {});
    const mA = tf.softmax(tf.tensor2d(rng.normals(12, 1), [2, 6])) as tf.Tensor2D;
    const mB = tf.softmax(tf.tensor2d(rng.normals(12, 1), [2, 6])) as tf.Tensor2D;
    const weights = { A: mA.arraySync(), B: mB.arraySync() };
    const composed = tf.tidy(() =>
      composeAdapters(bank, mA, mB).sites.map((a) => ({
        down: a!.down.dataSync(),
        downBias: a!.downBias.dataSync(),
        up: a!.up.dataSync(),
        upBias: a!.upBias.dataSync(),
      })),
    );
    const parts = { down: ['A', 24], downBias: ['A', 3], up: ['B', 24], upBias: ['B', 8] } as const;
    for (let site = 0; site < 2; site++) {
      for (const [name, [mask, size]] of Object.entries(parts) as [
        keyof typeof parts,
        readonly ['A' | 'B', number],
      ][]) {
        const expected = new Float32Array(size);
        for (let i = 0; i < 6; i++) {
          for (let j = 0; j < size; j++)
            expected[j]! += weights[mask][site]![i]! * arrays[name][(site * 6 + i) * size + j]!;
        }
        const actual = composed[site]![name];
        const maxDiff = Array.from(actual).reduce((m, v, j) => Math.max(m, Math.abs(v - expected[j]!)), 0);
        expect(maxDiff, `${name} at site ${site}`).toBeLessThan(1e-5);
      }
    }
    tf.dispose([mA, mB]);
    disposeBank(bank);
  });

  it('reproduces exactly one adapter when a hard mask with k = 1 selects it', async () => {
    await useBackend('cpu');
    const bank = await createRandomBank({ seed: 6, n: 5, r: 2 }, 8, 1);
    const arrays = await readBankArrays(bank);
    const scores = tf.tensor2d([[0, 0, 0, 5, 0]]);
    const [down, up] = tf.tidy(() => {
      const m = maskWeights(scores, { mode: 'hard', k: 1 });
      const a = composeAdapters(bank, m, m).sites[0]!;
      return [a.down.dataSync(), a.up.dataSync()];
    });
    expect(Array.from(down!)).toEqual(Array.from(arrays.down.subarray(3 * 16, 4 * 16)));
    expect(Array.from(up!)).toEqual(Array.from(arrays.up.subarray(3 * 16, 4 * 16)));
    scores.dispose();
    disposeBank(bank);
  });
});

describe('trained bank file', () => {
  it('round-trips weights, fingerprint, provenance and head, and rejects corruption', async () => {
    await useBackend('cpu');
    const bank = await createRandomBank({ seed: 8, n: 4, r: 2 }, 8, 2);
    const head = {
      inputs: 8,
      outputs: 2,
      weight: new Float32Array(16).fill(0.5),
      bias: new Float32Array([1, -1]),
    };
    const info = { modelFingerprint: 'a'.repeat(64), trainedOn: 'unit test' };
    const bytes = await saveBankFile(bank, info, head);
    const loaded = await loadBankFile(bytes);
    // The identity profiles record covers the shared head: the same adapters with another head differ.
    expect(loaded.bank.fingerprint).toBe(await bankIdentity(bank.fingerprint, head));
    expect(loaded.bank.fingerprint).not.toBe(bank.fingerprint);
    const otherHead = { ...head, bias: new Float32Array([1, -0.5]) };
    expect(await bankIdentity(bank.fingerprint, otherHead)).not.toBe(loaded.bank.fingerprint);
    expect(loaded.bank.kind).toBe('trained');
    expect(loaded.info).toEqual(info);
    expect(Array.from(loaded.head!.bias)).toEqual([1, -1]);
    const a = await readBankArrays(bank);
    const b = await readBankArrays(loaded.bank);
    expect(bytesOf(b.up)).toEqual(bytesOf(a.up));
    disposeBank(loaded.bank);
    // Flip one weight byte: the declared fingerprint no longer matches.
    const corrupt = bytes.slice();
    corrupt[corrupt.length - 100]! ^= 0x40;
    await expect(loadBankFile(corrupt)).rejects.toThrowError(/Bank file is corrupt/);
    disposeBank(bank);
  });

  it('keeps the layer its sites start at: in its shape, its fingerprint and its file', async () => {
    await useBackend('cpu');
    const every = await createRandomBank({ seed: 8, n: 4, r: 2 }, 8, 3);
    const upper = await createRandomBank({ seed: 8, n: 4, r: 2, firstLayer: 2 }, 8, 3);
    expect([every.sites, every.firstLayer, upper.sites, upper.firstLayer]).toEqual([3, 0, 1, 2]);
    // Banks over every layer keep the digest they had before sites could start higher.
    const { firstLayer: _, ...withoutFirstLayer } = every;
    expect(await bankFingerprint(withoutFirstLayer, every.arrays)).toBe(every.fingerprint);
    expect(await bankFingerprint({ ...upper, firstLayer: 0, sites: 1 }, upper.arrays)).not.toBe(
      upper.fingerprint,
    );
    const info = { modelFingerprint: 'a'.repeat(64), trainedOn: 'unit test' };
    const loaded = await loadBankFile(await saveBankFile(upper, info));
    expect([loaded.bank.sites, loaded.bank.firstLayer, loaded.bank.fingerprint]).toEqual([
      1,
      2,
      upper.fingerprint,
    ]);
    expect(() => validateBankShape(upper, 3)).not.toThrow();
    expect(() => validateBankShape(upper, 2)).toThrowError(
      /start at layer 2; a 2-layer model has none there/,
    );
    expect(() => validateBankShape({ ...upper, sites: 3 }, 3)).toThrowError(
      /A pfeiffer bank for layers 2–2 needs 1 sites; got 3/,
    );
    await expect(createRandomBank({ seed: 8, n: 4, firstLayer: 3 }, 8, 3)).rejects.toThrowError(BankError);
    for (const b of [every, upper, loaded.bank]) disposeBank(b);
  });

  it('requires the model fingerprint and a head of consistent shape', async () => {
    await useBackend('cpu');
    const bank = await createRandomBank({ seed: 9, n: 3, r: 2 }, 8, 1);
    const head = { inputs: 8, outputs: 1, weight: new Float32Array(8), bias: new Float32Array(1) };
    const good = readSafetensors(
      await saveBankFile(bank, { modelFingerprint: 'b'.repeat(64), trainedOn: 't' }, head),
    );
    disposeBank(bank);
    const rewrite = (
      meta: Record<string, string>,
      tensors: Record<string, { shape: number[]; data: Float32Array }>,
    ) => {
      const all: Record<string, { shape: number[]; data: Float32Array }> = {};
      for (const [name, t] of good.tensors) all[name] = { shape: t.shape, data: t.data };
      return writeSafetensors({ ...all, ...tensors }, { ...good.metadata, ...meta });
    };
    await expect(loadBankFile(rewrite({ modelFingerprint: '' }, {}))).rejects.toThrowError(
      /modelFingerprint/,
    );
    const odd = {
      'head.weight': { shape: [4, 1], data: new Float32Array(4) },
      'head.bias': { shape: [7], data: new Float32Array(7) },
    };
    await expect(loadBankFile(rewrite({}, odd))).rejects.toThrowError(
      /Bank head has weight \[4,1\] and bias \[7\]/,
    );
  });

  it('refuses NaN or infinite weights, in a file with a correct fingerprint and when writing one', async () => {
    await useBackend('cpu');
    const bank = await createRandomBank({ seed: 10, n: 3, r: 2 }, 8, 1);
    const info = { modelFingerprint: 'b'.repeat(64), trainedOn: 't' };
    const head = { inputs: 8, outputs: 1, weight: new Float32Array(8), bias: new Float32Array([Number.NaN]) };
    await expect(saveBankFile(bank, info, head)).rejects.toThrow(NonFiniteTensorError);
    await expect(saveBankFile(bank, info, head)).rejects.toThrow(/"head\.bias" holds NaN at element 0/);
    const good = readSafetensors(await saveBankFile(bank, info));
    disposeBank(bank);
    const arrays = Object.fromEntries([...good.tensors].map(([name, t]) => [name, t.data.slice()])) as Record<
      'down' | 'downBias' | 'up' | 'upBias',
      Float32Array
    >;
    arrays.up[5] = Number.POSITIVE_INFINITY;
    const shape = { ...bank, sites: 1, firstLayer: 0 };
    const tensors: Record<string, { shape: number[]; data: Float32Array }> = {};
    for (const [name, t] of good.tensors) tensors[name] = { shape: t.shape, data: arrays[name as 'up'] };
    const poisoned = writeSafetensors(tensors, {
      ...good.metadata,
      fingerprint: await bankFingerprint(shape, arrays),
    });
    await expect(loadBankFile(poisoned)).rejects.toThrow(/Tensor "up" holds Infinity at element 5/);
  });
});
