// The page's own recipe as evaluation cells (`npm run eval -- --page-recipe`): the budget of the bank
// it ships (eval/page-banks.ts) and a person trained as the page trains them (PAGE_TRAINING), so the
// evaluation scores what a visitor gets, beside its own chosen settings.

import { PAGE_TRAINING, presetById } from '../src/app/presets';
import type { Budget, CellSpec, EvalMethod, ProfileTask } from './cell';
import { JESTER_PAGE_BANK, type PageBankRecipe, POPQUORN_PAGE_BANK } from './page-banks';

/** The page's bank recipe for an evaluation task (the page answers Amazon yes/no; the evaluation, stars). */
export function pageRecipeFor(task: string): PageBankRecipe {
  if (task === 'popquorn') return POPQUORN_PAGE_BANK;
  if (task.startsWith('jester')) return JESTER_PAGE_BANK;
  throw new Error(
    `--page-recipe: the page has no recipe for ${task}${task === 'amazon' ? ' (it answers yes/no, the evaluation scores stars)' : ''}.`,
  );
}

/** What the page's recipe sets in a cell (X-PEFT only; other methods keep only its budget). */
function pageSpec(task: ProfileTask, method: EvalMethod): Partial<CellSpec> {
  if (!method.startsWith('xpeft')) return {};
  const r = pageRecipeFor(task);
  const mix = presetById(r.preset).mix;
  return {
    recipe: 'page',
    k: PAGE_TRAINING.k,
    firstLayer: r.firstLayer,
    ...(r.sourceBias ? { sourceBias: true } : {}),
    ...(mix === 'outputs' ? { mix } : {}),
  };
}

/** The page recipe's budget over the evaluation's: its bank's sources, labels, epochs, texts and tokens. */
export function pageBudget(task: ProfileTask, budget: Budget): Budget {
  const r = pageRecipeFor(task);
  return {
    ...budget,
    sources: r.sources,
    labelsPerSource: r.labelsPerSource,
    bankEpochs: r.epochs,
    bankLr: r.adapterLearningRate,
    populationTexts: r.populationTexts,
    maxLength: r.maxLength,
    epochs: PAGE_TRAINING.epochs,
  };
}

/** Cells under the page's recipe: X-PEFT as the page trains it, on a bank of the recipe's size; no repeats. */
export function pageSpecs(specs: readonly CellSpec[]): CellSpec[] {
  const out = new Map<string, CellSpec>();
  for (const s of specs) {
    const task = s.task as ProfileTask; // pageRecipeFor refuses any task the page does not answer
    const spec = {
      ...s,
      ...pageSpec(task, s.method),
      ...(s.bank === 'trained' ? { n: pageRecipeFor(task).sources } : {}),
    };
    out.set(JSON.stringify(spec), spec);
  }
  return [...out.values()];
}
