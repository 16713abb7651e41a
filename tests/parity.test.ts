// Numeric parity of the tfjs encoder with PyTorch / Hugging Face BertModel on the real default model.
// Reference outputs come from scripts/reference_fixtures.py (tests/fixtures/minilm-reference.*).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type AdapterSet,
  type BackendName,
  LanguageModel,
  readSafetensors,
  type SiteAdapter,
  type TextInput,
  useBackend,
} from '../src/advanced';
import { pool, toEncoderInputs } from '../src/encoder/bert';
import { requireDefaultModel } from './helpers/real-model';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const index = JSON.parse(readFileSync(join(FIXTURES, 'minilm-reference.json'), 'utf8')) as {
  cases: Record<string, TextInput[]>;
  adapterCases: {
    name: string;
    case: string;
    placement: 'pfeiffer' | 'houlsby';
    activation: 'relu' | 'gelu';
    sites: number;
  }[];
};
const ref = readSafetensors(
  new Uint8Array(readFileSync(join(FIXTURES, 'minilm-reference.safetensors'))),
).tensors;
const refData = (name: string) => ref.get(name)!.data;
const TOLERANCE = 1e-4;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function fixtureAdapters(
  name: string,
  placement: 'pfeiffer' | 'houlsby',
  activation: 'relu' | 'gelu',
  sites: number,
): AdapterSet {
  const t = (key: string) => ref.get(`${name}.adapter.${key}`)!;
  const site = (i: number): SiteAdapter => ({
    down: tf.tensor2d(t(`${i}.down`).data, t(`${i}.down`).shape as [number, number]),
    downBias: tf.tensor1d(t(`${i}.downBias`).data),
    up: tf.tensor2d(t(`${i}.up`).data, t(`${i}.up`).shape as [number, number]),
    upBias: tf.tensor1d(t(`${i}.upBias`).data),
    activation,
  });
  return { placement, sites: Array.from({ length: sites }, (_, i) => site(i)) };
}

const worst: Record<string, number> = {};

for (const backend of ['cpu', 'wasm'] as BackendName[]) {
  describe(`parity with PyTorch on ${backend}`, () => {
    let model: LanguageModel;
    afterAll(() => model?.dispose());

    const run = (name: string, inputs: TextInput[], adapters?: AdapterSet) => {
      const batch = model.tokenize(inputs);
      expect(Array.from(batch.inputIds)).toEqual(Array.from(refData(`${name}.input_ids`)));
      expect(Array.from(batch.tokenTypeIds)).toEqual(Array.from(refData(`${name}.token_type_ids`)));
      expect(Array.from(batch.attentionMask)).toEqual(Array.from(refData(`${name}.attention_mask`)));
      const [hidden, mean, cls] = tf.tidy(() => {
        const x = toEncoderInputs(batch);
        const h = model.encoder.forward(x, adapters);
        return [h, pool(h, x.attentionMask, 'mean'), pool(h, x.attentionMask, 'cls')];
      });
      const errors = {
        hidden: maxAbsDiff(hidden.dataSync(), refData(`${name}.hidden`)),
        mean: maxAbsDiff(mean.dataSync(), refData(`${name}.mean`)),
        cls: maxAbsDiff(cls.dataSync(), refData(`${name}.cls`)),
      };
      tf.dispose([hidden, mean, cls]);
      const key = `${backend} ${adapters ? 'adapters' : 'plain'}`;
      worst[key] = Math.max(worst[key] ?? 0, ...Object.values(errors));
      return errors;
    };

    it('loads the real checkpoint', async () => {
      await useBackend(backend);
      model = await LanguageModel.load({ kind: 'dir', path: requireDefaultModel() });
      expect(model.fingerprint).toBe('53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db');
    });

    for (const [name, inputs] of Object.entries(index.cases)) {
      it(`matches tokens, hidden states and pooled vectors: ${name}`, () => {
        const e = run(name, inputs);
        expect(e.hidden).toBeLessThanOrEqual(TOLERANCE);
        expect(e.mean).toBeLessThanOrEqual(TOLERANCE);
        expect(e.cls).toBeLessThanOrEqual(TOLERANCE);
      });
    }

    for (const c of index.adapterCases) {
      it(`matches with fixed random adapters: ${c.name}`, () => {
        const adapters = fixtureAdapters(c.name, c.placement, c.activation, c.sites);
        const e = run(c.name, index.cases[c.case]!, adapters);
        // The adapters must matter, or this test would prove nothing.
        expect(maxAbsDiff(refData(`${c.name}.mean`), refData(`${c.case}.mean`))).toBeGreaterThan(0.01);
        for (const s of adapters.sites) tf.dispose([s!.down, s!.downBias, s!.up, s!.upBias]);
        expect(e.hidden).toBeLessThanOrEqual(TOLERANCE);
        expect(e.mean).toBeLessThanOrEqual(TOLERANCE);
      });
    }
  });
}

afterAll(() => {
  console.info(
    'max abs error against PyTorch:',
    Object.entries(worst)
      .map(([k, v]) => `${k} ${v.toExponential(2)}`)
      .join(', '),
  );
});
