// The evaluation command: runs every requested cell (task × method × bank × N × k × seed) that is not
// already on disk, with a progress bar and ETA, then regenerates docs/results.md from all cells.
// Usage: npm run eval -- --tasks sst2,popquorn --methods xpeft-hard,adapter,head-only,frozen --banks random,trained
//        --n 100 --k 10 --seeds 0,1,2 --train-size 1000 --epochs 3 [--bank-scale 0.1] [--mask-lr 0.01,0.2]
//        [--first-layer 3] (adapter sites from that layer up, for banks and adapter tuning)
//        [--source-bias] (trained banks: each source adapter trained beside its own bias, then dropped)
//        [--min-steps 30] (X-PEFT: at least that many optimiser steps per profile, whatever the epochs)
//        [--start population] (multi-profile X-PEFT: each mask starts from one trained on the sources)
//        [--mix outputs] (X-PEFT: the selected adapters' outputs are mixed, not their weights)
//        [--page-recipe] (popquorn, jester-*: the page's bank recipe as the budget and its person training
//        for X-PEFT, eval/page-banks.ts and PAGE_TRAINING; flags it sets are ignored)
//        [--subset 100] (multi-profile: score only the first 100 of the budget's targets, for costly methods)
//        multi-profile (popquorn, amazon, jester-known, jester-new): --sources (trained bank N; default 30)
//        --targets (default 50 POPQUORN, 100 Amazon, 300 Jester) --bank-epochs --bank-lr --population-texts
//        --labels-per-source (default 50; Jester 100) --data <folder> (targets from that folder of the
//        same dataset, sources from ../shared/data) ; method collaborative: jester-known only
//        [--backend wasm] [--model ./models/all-MiniLM-L6-v2] [--batch-size 16] [--max-length 64] [--dev-limit 0]
//        [--rerun] [--report-only]

import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkFlags, flag } from '../tools/args';
import { modelFromFlags } from '../tools/model-flags';
import { progressBar } from '../tools/progress';
import {
  type Budget,
  type CellResult,
  type CellSpec,
  cellKey,
  EVAL_METHODS,
  type EvalMethod,
  GLUE_TASKS,
  isProfileTask,
  PROFILE_ONLY_METHODS,
  PROFILE_TASKS,
  type ProfileTask,
  type TaskName,
} from './cell';
import { gluePeerBankSize } from './glue-bank';
import { pageBudget, pageSpecs } from './page-recipe';
import { RESULTS_DIR, runCell } from './protocol';
import { renderReport } from './report';

checkFlags(import.meta.filename);

const args = process.argv.slice(2);
const list = (name: string, fallback: string) =>
  flag(name, fallback)
    .split(',')
    .filter((s) => s.length > 0);
const numbers = (name: string, fallback: string) => list(name, fallback).map(Number);

function oneOf<T extends string>(name: string, values: string[], allowed: readonly T[]): T[] {
  for (const v of values) {
    if (!allowed.includes(v as T)) throw new Error(`--${name} ${v} is not one of ${allowed.join(', ')}.`);
  }
  return values as T[];
}

const CELLS_DIR = join(RESULTS_DIR, 'cells');
const COMMANDS = join(RESULTS_DIR, 'commands.txt');
const REPORT = join(import.meta.dirname, '..', 'docs', 'results.md');
const DEFAULTS = { n: 100, k: 10 };
/** The multi-profile tables' budgets, so a command without --sources and --targets pairs with them. */
const PROFILE_DEFAULTS: Record<
  ProfileTask,
  { sources: number; targets: number; testPerProfile: number; labelsPerSource: number }
> = {
  popquorn: { sources: 30, targets: 50, testPerProfile: 10, labelsPerSource: 50 },
  amazon: { sources: 30, targets: 100, testPerProfile: 3, labelsPerSource: 50 },
  // 30% of each target's ratings scored; every rating of a source trains their adapter.
  'jester-known': { sources: 30, targets: 300, testPerProfile: 30, labelsPerSource: 100 },
  // The ratings of 30 jokes held out from everyone scored.
  'jester-new': { sources: 30, targets: 300, testPerProfile: 30, labelsPerSource: 100 },
};
/** A trained bank's N: one adapter per source person (multi-profile tasks only). */
const sourcesFor = (task: ProfileTask) => Number(flag('sources', String(PROFILE_DEFAULTS[task].sources)));

const pageRecipe = args.includes('--page-recipe');

function readCells(): CellResult[] {
  if (!existsSync(CELLS_DIR)) return [];
  return readdirSync(CELLS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(CELLS_DIR, f), 'utf8')) as CellResult);
}

function writeReport(): void {
  const commands = existsSync(COMMANDS) ? readFileSync(COMMANDS, 'utf8').trim().split('\n') : [];
  mkdirSync(join(REPORT, '..'), { recursive: true });
  const notes = join(RESULTS_DIR, 'investigation.md');
  const investigation = existsSync(notes) ? readFileSync(notes, 'utf8') : undefined;
  const report = renderReport(readCells(), commands, DEFAULTS, investigation);
  writeFileSync(REPORT, report);
  console.log(report.split('\n## ').slice(0, 3).join('\n## '));
  console.log(`\nwrote ${REPORT}`);
}

function plan(): { specs: CellSpec[]; budget: (task: TaskName) => Budget } {
  const tasks = oneOf('tasks', list('tasks', 'sst2'), [...GLUE_TASKS, ...PROFILE_TASKS] as TaskName[]);
  const methods = oneOf('methods', list('methods', 'xpeft-hard,adapter,head-only'), EVAL_METHODS);
  const banks = oneOf('banks', list('banks', 'random'), ['random', 'trained'] as const);
  const firstLayer = Number(flag('first-layer', '0'));
  // Only methods with adapters have sites to place; the others' cells stay shared.
  const from = (method: EvalMethod) =>
    firstLayer > 0 && (method === 'adapter' || method.startsWith('xpeft')) ? { firstLayer } : {};
  const minSteps = Number(flag('min-steps', '0'));
  const start = flag('start', '');
  if (start !== '' && start !== 'population') throw new Error(`--start ${start} is not "population".`);
  const trainingFlags = (method: EvalMethod, task: TaskName) => ({
    ...(minSteps > 0 && method.startsWith('xpeft') ? { minSteps } : {}),
    ...(start === 'population' && method.startsWith('xpeft') && isProfileTask(task)
      ? { start: 'population' as const }
      : {}),
  });
  const mix = flag('mix', 'weights');
  if (mix !== 'weights' && mix !== 'outputs') throw new Error(`--mix ${mix} is not "weights" or "outputs".`);
  const subset = Number(flag('subset', '0'));
  const scoredOn = (task: TaskName) => (subset > 0 && isProfileTask(task) ? { subset } : {});
  const lrs = numbers('mask-lr', '');
  const maskLrs = lrs.length > 0 ? lrs : [undefined];
  const specs: CellSpec[] = [];
  for (const task of tasks) {
    const isGlue = !isProfileTask(task);
    for (const method of methods as EvalMethod[]) {
      // One profile per task: no population head to compare with, nor a person's own mean or offset.
      if (isGlue && PROFILE_ONLY_METHODS.includes(method)) continue;
      // Collaborative filtering predicts only items the sources rated: not jester-new's held-out jokes.
      if (method === 'collaborative' && task !== 'jester-known') continue;
      for (const seed of numbers('seeds', '0')) {
        if (!method.startsWith('xpeft')) {
          specs.push({ task, method, bank: 'none', n: 0, k: 0, seed, ...from(method), ...scoredOn(task) });
          continue;
        }
        for (const bank of banks) {
          // A trained bank has one adapter per source profile (GLUE: per other task), so its N is set.
          const ns =
            bank === 'random'
              ? numbers('n', String(DEFAULTS.n))
              : [isProfileTask(task) ? sourcesFor(task) : gluePeerBankSize(GLUE_TASKS)];
          for (const n of ns) {
            const scale = flag('bank-scale', '');
            for (const [k, maskLr] of numbers('k', String(DEFAULTS.k)).flatMap((k) =>
              maskLrs.map((lr) => [k, lr] as const),
            )) {
              if (k > n) continue;
              specs.push({
                task,
                method,
                bank,
                n,
                k,
                seed,
                ...(bank === 'random' && scale !== '' ? { scale: Number(scale) } : {}),
                ...(bank === 'trained' && args.includes('--source-bias') ? { sourceBias: true } : {}),
                ...(maskLr === undefined ? {} : { maskLr }),
                ...(mix === 'outputs' ? { mix } : {}),
                ...trainingFlags(method, task),
                ...from(method),
                ...scoredOn(task),
              });
            }
          }
        }
      }
    }
  }
  const base = {
    trainSize: Number(flag('train-size', '1000')),
    devLimit: Number(flag('dev-limit', '0')),
    epochs: Number(flag('epochs', '3')),
    batchSize: Number(flag('batch-size', '16')),
    maxLength: Number(flag('max-length', '64')),
    sources: Number(flag('sources', '50')),
    targets: Number(flag('targets', '20')),
    bankEpochs: Number(flag('bank-epochs', '3')),
  };
  const profiles = {
    populationTexts: Number(flag('population-texts', '2000')),
    bankLr: Number(flag('bank-lr', '1e-2')),
  };
  const targetData = flag('data', '');
  const evaluated = (task: ProfileTask): Budget => ({
    ...base,
    ...profiles,
    sources: sourcesFor(task),
    targets: Number(flag('targets', String(PROFILE_DEFAULTS[task].targets))),
    testPerProfile: PROFILE_DEFAULTS[task].testPerProfile,
    labelsPerSource: Number(flag('labels-per-source', String(PROFILE_DEFAULTS[task].labelsPerSource))),
    ...(targetData === '' ? {} : { targetData }),
  });
  return {
    specs: pageRecipe ? pageSpecs(specs) : specs,
    budget: (task) =>
      !isProfileTask(task)
        ? { ...base, testPerProfile: 10 }
        : pageRecipe
          ? pageBudget(task, evaluated(task))
          : evaluated(task),
  };
}

async function main(): Promise<void> {
  if (args.includes('--report-only')) return writeReport();
  const { specs, budget } = plan();
  const todo = specs.filter(
    (s) => args.includes('--rerun') || !existsSync(join(CELLS_DIR, `${cellKey(s, budget(s.task))}.json`)),
  );
  console.log(
    `${specs.length} cells requested, ${specs.length - todo.length} already on disk, ${todo.length} to run.`,
  );
  mkdirSync(CELLS_DIR, { recursive: true });
  if (todo.length > 0) appendFileSync(COMMANDS, `npm run eval -- ${args.join(' ')}\n`);
  if (todo.length > 0) {
    const { backend, model } = await modelFromFlags();
    const progress = progressBar();
    for (const [i, spec] of todo.entries()) {
      const b = budget(spec.task);
      const name = `${spec.task} ${spec.method}${spec.bank === 'none' ? '' : ` ${spec.bank} N=${spec.n} k=${spec.k}`} seed ${spec.seed}`;
      const result = await runCell(model, spec, b, backend, ({ fraction, detail }) =>
        progress.update(i + fraction, todo.length, `${i + 1}/${todo.length} · ${name}: ${detail}`),
      );
      writeFileSync(join(CELLS_DIR, `${result.key}.json`), `${JSON.stringify(result, null, 1)}\n`);
      const metrics = Object.entries(result.metrics)
        .map(([k, v]) => `${k} ${v.toFixed(4)}`)
        .join(', ');
      process.stdout.write(
        `${process.stdout.isTTY ? '\n' : ''}done ${i + 1}/${todo.length}: ${name}: ${metrics}\n`,
      );
    }
    progress.finish(`${todo.length} cells`);
    model.dispose();
  }
  writeReport();
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});
