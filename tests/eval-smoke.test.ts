// A smoke run of the evaluation harness on a tiny model and tiny subsamples of every task and method:
// it checks the pipeline (data readers, protocols, metrics, report), not the numbers.

import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Budget,
  type CellResult,
  type CellSpec,
  EVAL_METHODS,
  GLUE_TASKS,
  PROFILE_ONLY_METHODS,
  PROFILE_TASKS,
} from '../eval/cell';
import { glueAdapterPath, gluePeerBankSize } from '../eval/glue-bank';
import { runCell } from '../eval/protocol';
import { renderReport } from '../eval/report';
import { LanguageModel, useBackend } from '../src/advanced';
import { writeTinyModel } from './helpers/tiny-model';

const BUDGET: Budget = {
  trainSize: 24,
  devLimit: 16,
  epochs: 1,
  batchSize: 8,
  maxLength: 32,
  sources: 2,
  targets: 2,
  testPerProfile: 3,
  bankEpochs: 1,
};
const PROFILE_BUDGET: Budget = { ...BUDGET, populationTexts: 40, bankLr: 1e-2, labelsPerSource: 8 };

describe('evaluation harness (smoke)', () => {
  let model: LanguageModel;
  const bankCache = mkdtempSync(join(tmpdir(), 'xpeft-banks-'));
  const results: CellResult[] = [];
  beforeAll(async () => {
    await useBackend('cpu');
    model = await LanguageModel.load({ kind: 'dir', path: writeTinyModel({ seed: 41 }) });
  });

  for (const task of GLUE_TASKS) {
    it(`runs ${task} for every method`, async () => {
      for (const method of EVAL_METHODS.filter((m) => !PROFILE_ONLY_METHODS.includes(m))) {
        const spec: CellSpec = method.startsWith('xpeft')
          ? { task, method, bank: 'random', n: 8, k: 2, seed: 0 }
          : { task, method, bank: 'none', n: 0, k: 0, seed: 0 };
        const r = await runCell(model, spec, BUDGET, 'cpu', () => {}, bankCache);
        expect(Object.values(r.metrics).every(Number.isFinite)).toBe(true);
        expect(r.bytesPerProfile.total).toBeGreaterThan(0);
        results.push(r);
      }
    });
  }

  it("builds a GLUE task's trained bank from the other tasks' adapters, reusing those kept on disk", async () => {
    const kept = glueAdapterPath(bankCache, 'mrpc', 0, BUDGET, model); // written by the mrpc adapter cell
    const before = statSync(kept).mtimeMs;
    const n = gluePeerBankSize(GLUE_TASKS);
    const spec: CellSpec = { task: 'sst2', method: 'xpeft-hard', bank: 'trained', n, k: 2, seed: 0 };
    const r = await runCell(model, spec, BUDGET, 'cpu', () => {}, bankCache);
    expect(Object.values(r.metrics).every(Number.isFinite)).toBe(true);
    expect(statSync(kept).mtimeMs).toBe(before);
    // The bank of seed 0 took the other tasks' seed-0 adapters, kept by their cells; seed 1 has none
    // on disk, so its bank trains them (never its own task's).
    const again = await runCell(model, { ...spec, seed: 1 }, BUDGET, 'cpu', () => {}, bankCache);
    expect(Object.values(again.metrics).every(Number.isFinite)).toBe(true);
    for (const peer of GLUE_TASKS.filter((t) => t !== 'sst2'))
      expect(existsSync(glueAdapterPath(bankCache, peer, 1, BUDGET, model))).toBe(true);
    expect(existsSync(glueAdapterPath(bankCache, 'sst2', 1, BUDGET, model))).toBe(false);
    results.push(r);
  });

  for (const task of PROFILE_TASKS) {
    it(`runs ${task} with a trained bank, a random bank and every baseline, person by person`, async () => {
      const specs: CellSpec[] = [
        { task, method: 'xpeft-hard', bank: 'trained', n: BUDGET.sources, k: 2, seed: 0 },
        { task, method: 'xpeft-hard-offset', bank: 'trained', n: BUDGET.sources, k: 2, seed: 0 },
        {
          task,
          method: 'xpeft-hard-offset',
          bank: 'trained',
          n: BUDGET.sources,
          k: 2,
          seed: 0,
          start: 'population',
          minSteps: 4,
        },
        { task, method: 'xpeft-hard', bank: 'random', n: 8, k: 2, seed: 0 },
        ...(['adapter', 'head-only', 'frozen', 'user-mean', 'user-offset'] as const).map(
          (method): CellSpec => ({ task, method, bank: 'none', n: 0, k: 0, seed: 0 }),
        ),
        // The collaborative-filtering reference needs the scored items among the sources' ratings.
        ...(task === 'jester-known'
          ? [{ task, method: 'collaborative', bank: 'none', n: 0, k: 0, seed: 0 } as const]
          : []),
      ];
      // Errors are on the task's scale: 1–5 ratings, or Jester's −10…+10.
      const range = task.startsWith('jester') ? 20 : 4;
      let targets: string[] | undefined;
      for (const spec of specs) {
        const r = await runCell(model, spec, PROFILE_BUDGET, 'cpu', () => {}, bankCache);
        expect(r.profiles).toBe(BUDGET.targets);
        // Every method scores the same people, so methods can be compared person by person.
        targets ??= r.perProfile!.map((p) => p.id);
        expect(r.perProfile!.map((p) => p.id)).toEqual(targets);
        expect(r.metrics.mae).toBeGreaterThanOrEqual(0);
        expect(r.metrics.mae).toBeLessThanOrEqual(range);
        results.push(r);
      }
      const mae = (method: string) =>
        results.find((c) => c.spec.task === task && c.spec.method === method)!.metrics.mae!;
      // The offset baseline adds to the frozen model's answers exactly what centres them on the person.
      expect(mae('user-offset')).not.toBe(mae('frozen'));
      expect(
        results.find((c) => c.spec.task === task && c.spec.method === 'xpeft-hard-offset')!.bytesPerProfile
          .head,
      ).toBe(4);
      // The population's mask was trained once and kept beside the banks.
      expect(
        readdirSync(bankCache).filter((f) => f.startsWith(`${task}-mask-`) && f.endsWith('.xpeft')),
      ).toHaveLength(1);
    });
  }

  it("scores only the first of the same draw's targets with a subset, each as in the full cell", async () => {
    const three = { ...PROFILE_BUDGET, targets: 3 };
    const spec: CellSpec = { task: 'popquorn', method: 'user-offset', bank: 'none', n: 0, k: 0, seed: 0 };
    const all = await runCell(model, spec, three, 'cpu', () => {}, bankCache);
    const some = await runCell(model, { ...spec, subset: 2 }, three, 'cpu', () => {}, bankCache);
    expect(some.key).toContain('_sub2');
    expect(some.profiles).toBe(2);
    expect(some.perProfile).toEqual(all.perProfile!.slice(0, 2));
    await expect(
      runCell(model, { ...spec, subset: 4 }, three, 'cpu', () => {}, bankCache),
    ).rejects.toThrowError(/--subset 4: give a whole number from 2 to the 3 targets/);
  });

  it('refuses the collaborative reference where the scored items are new to the sources', async () => {
    const spec: CellSpec = { task: 'jester-new', method: 'collaborative', bank: 'none', n: 0, k: 0, seed: 0 };
    await expect(runCell(model, spec, PROFILE_BUDGET, 'cpu', () => {}, bankCache)).rejects.toThrowError(
      /collaborative needs scored items the sources rated: jester-known only/,
    );
  });

  it('renders a report with the main tables and the shortfall statement', () => {
    const report = renderReport(results, ['npm run eval -- (smoke)'], { n: 8, k: 2 });
    expect(report).toContain('| method | SST-2 acc | MRPC F1 | RTE acc | CoLA MCC | STS-B Spearman |');
    expect(report).toContain('## POPQUORN: personal answers on people never trained on');
    expect(report).toContain('## Jester (new jokes): personal answers on people never trained on');
    expect(report).toContain('Errors are of −10…+10 ratings, predictions clamped to −10…+10');
    expect(report).toContain(
      '| method | people × seeds | MAE | RMSE | Δ MAE / Δ RMSE vs frozen | Δ MAE / Δ RMSE vs user-offset | Δ MAE / Δ RMSE vs head-only | Δ MAE / Δ RMSE vs adapter |',
    );
    expect(report).toMatch(
      /- xpeft-hard \(trained bank\), N=2, k=2: (beats|\*\*does not beat\*\*) frozen by more than 2 SE/,
    );
    expect(report).toMatch(
      /- xpeft-hard-offset \(trained bank\), N=2, k=2: .*against the same mask without an offset/,
    );
    expect(report).toMatch(
      /- xpeft-hard-offset \(trained bank\), N=2, k=2, at least 4 steps, started from the population's mask: .*/,
    );
    expect(report).toMatch(
      /SST-2 acc \(1 paired seed\): xpeft-hard \(random bank\) [\d.]+ vs adapter tuning [\d.]+/,
    );
    expect(report).toMatch(
      /SST-2 acc \(1 paired seed\): xpeft-hard \(other tasks' adapters\), N=4, k=2 [\d.]+ vs the random bank \(N=8, k=2\) [\d.]+/,
    );
  });
});
