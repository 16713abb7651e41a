// AdapterHub adapters in the engine: bank files that the Python importer (python/xpeft_bank) made from
// adapters saved by AdapterHub's save_adapter() load here (so both sides compute the same fingerprint),
// and the real model's hidden states under them — each adapter alone, and the mean of k of them as a
// hard mask composes it — equal PyTorch's with AdapterHub active, for SeqBnConfig ('seq-bn') and
// DoubleSeqBnConfig ('houlsby'). Reference outputs: scripts/adapterhub_fixtures.py. Last, a profile
// trained here over the SeqBnConfig bank answers the same in PyTorch (python -m xpeft_bank predict).

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type AdapterBank,
  type BackendName,
  Engine,
  LanguageModel,
  loadBankFile,
  readSafetensors,
  useBackend,
} from '../src/advanced';
import { disposeBank } from '../src/bank/bank';
import { toEncoderInputs } from '../src/encoder/bert';
import { composeMask, disposeAdapterSet } from '../src/xpeft/compose';
import { python, requirePython } from './helpers/python';
import { requireDefaultModel } from './helpers/real-model';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const index = JSON.parse(readFileSync(join(FIXTURES, 'adapterhub-reference.json'), 'utf8')) as {
  texts: string[];
  banks: Record<
    string,
    {
      file: string;
      fingerprint: string;
      placement: string;
      activation: string;
      firstLayer: number;
      n: number;
      meanOf: number[];
    }
  >;
};
const ref = readSafetensors(
  new Uint8Array(readFileSync(join(FIXTURES, 'adapterhub-reference.safetensors'))),
).tensors;
const refData = (name: string) => ref.get(name)!.data;
const TOLERANCE = 1e-4;
const worst: Record<string, number> = {};

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** The largest difference from PyTorch, kept per backend and bank for the summary. */
function error(key: string, a: ArrayLike<number>, b: ArrayLike<number>): number {
  const e = maxAbsDiff(a, b);
  worst[key] = Math.max(worst[key] ?? 0, e);
  return e;
}

/** A hard mask choosing the same adapters at every site, for both projections. */
function hardMask(bank: AdapterBank, chosen: number[]) {
  const scores = new Float32Array(2 * bank.sites * bank.n);
  for (let row = 0; row < 2 * bank.sites; row++) for (const i of chosen) scores[row * bank.n + i] = 1;
  return { mode: 'hard' as const, sites: bank.sites, n: bank.n, k: chosen.length, scores };
}

for (const backend of ['cpu', 'wasm'] as BackendName[]) {
  describe(`AdapterHub parity on ${backend}`, () => {
    let model: LanguageModel;
    afterAll(() => model?.dispose());

    const hidden = (bank: AdapterBank, chosen: number[]) => {
      const batch = model.tokenize(index.texts);
      expect(Array.from(batch.inputIds)).toEqual(Array.from(refData('input_ids')));
      const adapters = composeMask(hardMask(bank, chosen), bank);
      const h = tf.tidy(() => model.encoder.forward(toEncoderInputs(batch), adapters));
      const out = h.dataSync();
      tf.dispose(h);
      disposeAdapterSet(adapters);
      return out;
    };

    it('loads the real model', async () => {
      await useBackend(backend);
      model = await LanguageModel.load({ kind: 'dir', path: requireDefaultModel() });
    });

    for (const [name, c] of Object.entries(index.banks)) {
      it(`${name}: the bank file loads with its fingerprint, and each adapter and a mean of ${c.meanOf.length} match PyTorch`, async () => {
        const { bank, info } = await loadBankFile(new Uint8Array(readFileSync(join(FIXTURES, c.file))));
        try {
          expect(bank.fingerprint).toBe(c.fingerprint);
          expect(info.modelFingerprint).toBe(model.fingerprint);
          expect([bank.placement, bank.activation, bank.firstLayer, bank.n]).toEqual([
            c.placement,
            c.activation,
            c.firstLayer,
            c.n,
          ]);
          const plain = refData('plain.hidden');
          for (let i = 0; i < c.n; i++) {
            const want = refData(`${name}.single${i}.hidden`);
            expect(maxAbsDiff(want, plain)).toBeGreaterThan(0.1); // the adapter matters
            expect(error(`${backend} ${name}`, hidden(bank, [i]), want)).toBeLessThanOrEqual(TOLERANCE);
          }
          expect(maxAbsDiff(hidden(bank, c.meanOf), refData(`${name}.mean.hidden`))).toBeLessThanOrEqual(
            TOLERANCE,
          );
        } finally {
          disposeBank(bank);
        }
      });
    }
  });
}

describe('a profile trained here over an AdapterHub bank', () => {
  it('answers the same in PyTorch with AdapterHub, on the real model', async () => {
    requirePython();
    await useBackend('cpu');
    const model = await LanguageModel.load({ kind: 'dir', path: requireDefaultModel() });
    const file = join(FIXTURES, index.banks['seq-bn']!.file);
    const { bank } = await loadBankFile(new Uint8Array(readFileSync(file)));
    const engine = await Engine.load({ model, bank: { kind: 'bank', bank }, task: { kind: 'regression' } });
    const dir = mkdtempSync(join(tmpdir(), 'xpeft-ah-'));
    try {
      const moods = ['awful', 'lovely', 'boring', 'brilliant', 'rude', 'kind', 'dull', 'great'];
      const history = moods.flatMap((m, i) => [
        { text: `What a ${m} film.`, label: 1 + (i % 5) },
        { text: `The ${m} waiter came back.`, label: 5 - (i % 5) },
      ]);
      const { profile } = await engine.train(history, {
        mask: { mode: 'hard', k: 2 },
        head: 'profile',
        epochs: 2,
        batchSize: 8,
        maxLength: 32,
        heldOutFraction: 0,
      });
      const texts = ['A lovely walk by the sea.', 'You are an idiot.', 'The train was late again.'];
      const outputs = engine.outputs(profile, texts, 32);
      const mine = Array.from(await outputs.data());
      outputs.dispose();
      writeFileSync(join(dir, 'me.xpeft'), profile.toBytes());
      writeFileSync(join(dir, 'texts.json'), JSON.stringify(texts));
      const args = ['--model', requireDefaultModel(), '--bank', file, '--max-length', '32'];
      const files = ['--profile', join(dir, 'me.xpeft'), '--texts', join(dir, 'texts.json')];
      const theirs = (
        JSON.parse(python(['-m', 'xpeft_bank', 'predict', ...args, ...files])) as number[][]
      ).flat();
      const e = error('profile outputs', mine, theirs);
      expect(e).toBeLessThanOrEqual(TOLERANCE);
    } finally {
      engine.dispose();
      model.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

afterAll(() => {
  const rows = Object.entries(worst).map(([k, v]) => `${k} ${v.toExponential(2)}`);
  console.info('max abs error against PyTorch with AdapterHub:', rows.join(', '));
});
