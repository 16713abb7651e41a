// The PyTorch bank builder (python/xpeft_bank) end to end on a tiny model: three source people trained
// by two processes under torchrun (gloo), a bank file the engine loads, a profile trained here that
// answers the same in PyTorch, and a run that lost an adapter resuming to the same bank. Also runs the
// Python unit tests. Needs the Python environment: `npm run python:setup` (.ci/run does it).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, LanguageModel, loadBankFile, useBackend } from '../src/advanced';
import { PAGE_BANKS_FORMAT, type PageBankIndex } from '../src/app/presets';
import type { Example } from '../src/xpeft/task';
import { ROOT } from '../tools/paths';
import { python, requirePython } from './helpers/python';
import { writeTinyModel } from './helpers/tiny-model';

const WORDS = ['good', 'bad', 'fine', 'awful', 'great', 'dull', 'nice', 'rude', 'calm', 'loud'];
const TEXTS = WORDS.flatMap((a, i) => WORDS.slice(i + 1, i + 4).map((b) => `a ${a} and ${b} day`));
/** Source person p rates a text by its position, each in their own way (1–5). */
const rating = (p: number, i: number) => 1 + ((i * (p + 2) + p) % 5);
const history = (p: number): Example[] =>
  TEXTS.slice(0, 12).map((text, i) => ({ text, label: rating(p, i) }));

describe('the PyTorch bank builder', () => {
  let dir: string;
  let modelDir: string;
  let out: string;
  const build = () =>
    python([
      '-m',
      'torch.distributed.run',
      '--standalone',
      '--nproc_per_node',
      '2',
      '-m',
      'xpeft_bank',
      'build',
      '--model',
      modelDir,
      '--sources',
      join(dir, 'sources.json'),
      '--out',
      out,
    ]);
  const summary = () => JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));

  beforeAll(() => {
    requirePython();
    dir = mkdtempSync(join(tmpdir(), 'xpeft-pybank-'));
    out = join(dir, 'out');
    modelDir = writeTinyModel({ seed: 11 });
    const sources = {
      format: 'xpeft-sources/1',
      description: 'three made-up people',
      dataset: 'made-up ratings',
      licence: 'CC0',
      task: { kind: 'regression' },
      recipe: {
        placement: 'seq-bn',
        activation: 'relu',
        first_layer: 1,
        epochs: 3,
        batch_size: 4,
        max_length: 16,
        learning_rate: 0.01,
        population_texts: 20,
        source_bias: true,
      },
      sources: [0, 1, 2].map((p) => ({ id: `person${p}`, history: history(p) })),
      population: TEXTS.flatMap((text, i) =>
        [3, 4, 5].map((p) => ({ text, label: rating(p, i), person: `p${p}` })),
      ),
    };
    writeFileSync(join(dir, 'sources.json'), JSON.stringify(sources));
  });
  afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('spreads the source people over two processes and writes one bank file', () => {
    const log = build();
    expect(log).toMatch(/\[rank 0\/2\] source 0 \(person0\)/);
    expect(log).toMatch(/\[rank 1\/2\] source 1 \(person1\)/);
    expect(log).toMatch(/\[rank 0\/2\] source 2 \(person2\)/);
    expect(summary()).toMatchObject({ n: 3, trained: 2, world: 2 }); // rank 0's count: sources 0 and 2
  });

  it('gives a bank the engine loads, and a profile trained on it answers the same in PyTorch', async () => {
    const bytes = new Uint8Array(readFileSync(join(out, 'bank.safetensors')));
    const { bank, head, info } = await loadBankFile(bytes);
    expect(bank.fingerprint).toBe(summary().identity);
    expect([bank.placement, bank.firstLayer, bank.n, bank.sites, bank.r]).toEqual(['seq-bn', 1, 3, 1, 2]);
    expect(head?.outputs).toBe(1);
    await useBackend('cpu');
    const model = await LanguageModel.load({ kind: 'dir', path: modelDir });
    expect(info.modelFingerprint).toBe(model.fingerprint);
    expect(JSON.parse(info.trainedOn).recipe).toMatchObject({ source_bias: true, bias_learning_rate: 0.01 });
    const engine = await Engine.load({
      model,
      bank: { kind: 'bank', bank, ...(head ? { head } : {}) },
      task: { kind: 'regression' },
    });
    try {
      const { profile } = await engine.train(history(4), {
        mask: { mode: 'hard', k: 2 },
        head: 'offset',
        epochs: 2,
        batchSize: 4,
        maxLength: 16,
        heldOutFraction: 0,
      });
      const texts = TEXTS.slice(12, 18);
      const out = engine.outputs(profile, texts, 16);
      const mine = Array.from(await out.data());
      out.dispose();
      writeFileSync(join(dir, 'me.xpeft'), profile.toBytes());
      writeFileSync(join(dir, 'texts.json'), JSON.stringify(texts));
      const args = [
        '--model',
        modelDir,
        '--bank',
        join(dir, 'out', 'bank.safetensors'),
        '--max-length',
        '16',
      ];
      const printed = python([
        '-m',
        'xpeft_bank',
        'predict',
        ...args,
        '--profile',
        join(dir, 'me.xpeft'),
        '--texts',
        join(dir, 'texts.json'),
      ]);
      const theirs = (JSON.parse(printed) as number[][]).flat();
      expect(theirs).toHaveLength(mine.length);
      const worst = Math.max(...mine.map((v, i) => Math.abs(v - theirs[i]!)));
      console.info(`a profile's outputs, engine vs PyTorch: largest difference ${worst.toExponential(2)}`);
      expect(worst).toBeLessThanOrEqual(1e-4);
    } finally {
      engine.dispose();
      model.dispose();
    }
  });

  it('becomes a folder of banks the page loads (npm run bank:index)', () => {
    const pageBanks = join(dir, 'page-banks');
    const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
    const bank = join(out, 'bank.safetensors');
    const args = ['scripts/page-index.ts', '--model', modelDir, '--out', pageBanks, '--offensive', bank];
    execFileSync(tsx, args, { cwd: ROOT, stdio: 'pipe' });
    const index = JSON.parse(readFileSync(join(pageBanks, 'index.json'), 'utf8')) as PageBankIndex;
    expect(index.format).toBe(PAGE_BANKS_FORMAT);
    expect(index.modelFiles['model.safetensors']).toBe(index.modelFingerprint);
    expect(index.banks.offensive).toMatchObject({
      file: 'bank.safetensors',
      fingerprint: summary().identity,
      n: 3,
      sites: 1,
      dataset: 'made-up ratings',
      licence: 'CC0',
      population: { texts: 20, labels: 60, people: 3 },
    });
    expect(() =>
      execFileSync(tsx, ['scripts/page-index.ts', '--model', modelDir, '--out', pageBanks, '--like', bank], {
        cwd: ROOT,
        stdio: 'pipe',
      }),
    ).toThrow(/a head with 1 outputs; "Do I like this\? \(yes \/ no\)" needs a population head with 2/);
  });

  it('resumes an interrupted run from the adapters already written, rebuilding only what is missing', () => {
    const first = summary().fingerprint;
    rmSync(join(out, 'adapters', '00001'), { recursive: true });
    const log = build();
    expect(log).toContain('[rank 0/2] 2 of 3 adapters were built before; training 1 of 1 left');
    expect(log).toContain('[rank 1/2] 2 of 3 adapters were built before; training 0 of 1 left');
    expect(log).toContain('population head: kept from the earlier run');
    expect(summary()).toMatchObject({ n: 3, fingerprint: first });
  });

  it('passes the Python unit tests', () => {
    expect(python(['-m', 'pytest', '-q', join(ROOT, 'python', 'tests')])).toMatch(/\d+ passed/);
  });
});
