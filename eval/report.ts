// docs/results.md from the cell results in results/cells: the main tables, costs, ablations over N and
// k, and a plain statement of where X-PEFT falls short of adapter tuning.

import { type CellResult, GLUE_TASKS, isProfileTask, type ProfileTask, type TaskName } from './cell';
import { meanStd } from './metrics';
import {
  differenceText,
  type PairedRow,
  pairedDifference,
  pairedTable,
  perPerson,
  table,
  targetStatements,
  upperLayerStatements,
} from './paired';

const PRIMARY: Record<TaskName, { metric: string; higherIsBetter: boolean; scale: number; label: string }> = {
  sst2: { metric: 'accuracy', higherIsBetter: true, scale: 100, label: 'SST-2 acc' },
  mrpc: { metric: 'f1', higherIsBetter: true, scale: 100, label: 'MRPC F1' },
  rte: { metric: 'accuracy', higherIsBetter: true, scale: 100, label: 'RTE acc' },
  cola: { metric: 'mcc', higherIsBetter: true, scale: 100, label: 'CoLA MCC' },
  stsb: { metric: 'spearman', higherIsBetter: true, scale: 100, label: 'STS-B Spearman' },
  popquorn: { metric: 'mae', higherIsBetter: false, scale: 1, label: 'POPQUORN MAE' },
  amazon: { metric: 'mae', higherIsBetter: false, scale: 1, label: 'Amazon MAE' },
  'jester-known': { metric: 'mae', higherIsBetter: false, scale: 1, label: 'Jester (known jokes) MAE' },
  'jester-new': { metric: 'mae', higherIsBetter: false, scale: 1, label: 'Jester (new jokes) MAE' },
};

/** What a multi-profile task's targets are scored on, and on what scale (eval/splits.ts). */
const SCORED: Record<ProfileTask, (b: CellResult['budget']) => string> = {
  popquorn: (b) => `their last ${b.testPerProfile} items`,
  amazon: (b) => `their last ${b.testPerProfile} items`,
  'jester-known': (b) => `a seeded ${b.testPerProfile}% of their ratings`,
  'jester-new': (b) =>
    `their ratings of ${b.testPerProfile} jokes held out from everyone (the population head and the bank's sources too)`,
};
const SCALE_TEXT: Record<ProfileTask, string> = {
  popquorn: '1–5 ratings, predictions clamped to 1–5',
  amazon: '1–5 ratings, predictions clamped to 1–5',
  'jester-known': '−10…+10 ratings, predictions clamped to −10…+10',
  'jester-new': '−10…+10 ratings, predictions clamped to −10…+10',
};

/** How a profile was trained beyond its method and bank: steps, start, adapter sites. */
const variations = (c: CellResult) =>
  (c.spec.minSteps ? `, at least ${c.spec.minSteps} steps` : '') +
  (c.spec.start ? ", started from the population's mask" : '') +
  (c.spec.mix ? ", adapters' outputs mixed" : '') +
  (c.spec.recipe === 'page' ? ", the page's recipe" : '') +
  (c.spec.firstLayer ? `, sites from layer ${c.spec.firstLayer}` : '');
/** A GLUE trained bank holds the other tasks' adapters (eval/glue-bank.ts). */
const isPeerBank = (c: CellResult) => c.spec.bank === 'trained' && !isProfileTask(c.spec.task);
const rowName = (c: CellResult) =>
  baseRowName(c) +
  (isPeerBank(c) ? `, N=${c.spec.n}, k=${c.spec.k}` : '') +
  (c.spec.scale === undefined ? '' : `, scale ${c.spec.scale}`) +
  (c.spec.maskLr === undefined ? '' : `, mask lr ${c.spec.maskLr}`) +
  variations(c) +
  (c.headStart || isProfileTask(c.spec.task) ? '' : ', zero-bias head');
const baseRowName = (c: CellResult) =>
  c.spec.method.startsWith('xpeft')
    ? `${c.spec.method} (${isPeerBank(c) ? "other tasks' adapters" : `${c.spec.bank} bank`}${c.spec.sourceBias ? ', source biases' : ''})`
    : c.spec.method;

function group(cells: CellResult[], key: (c: CellResult) => string): Map<string, CellResult[]> {
  const out = new Map<string, CellResult[]>();
  for (const c of cells) out.set(key(c), [...(out.get(key(c)) ?? []), c]);
  return out;
}

/** "mean ± std (seeds)" of the primary metric over seeds (GLUE) or the per-profile mean (profiles). */
function cellText(cells: CellResult[]): string {
  const p = PRIMARY[cells[0]!.spec.task];
  const values = cells.map((c) => c.metrics[p.metric]! * p.scale);
  const digits = p.scale === 1 ? 3 : 1;
  if (isProfileTask(cells[0]!.spec.task)) {
    // Spread over target profiles, pooled over seeds.
    const std = Math.sqrt(meanStd(cells.map((c) => c.metrics.maeStd! ** 2)).mean);
    return `${meanStd(values).mean.toFixed(digits)} ± ${std.toFixed(digits)} (${cells[0]!.profiles} profiles × ${cells.length} seed${cells.length > 1 ? 's' : ''})`;
  }
  const { mean, std } = meanStd(values);
  return cells.length > 1
    ? `${mean.toFixed(digits)} ± ${std.toFixed(digits)} (${cells.length} seeds)`
    : `${mean.toFixed(digits)} (1 seed)`;
}

/**
 * Baselines, and X-PEFT at the default N and k (a trained bank's N is its number of sources); on GLUE,
 * the other tasks' adapters at any k (their N is fixed, and the row names it).
 */
const isDefault = (c: CellResult, n: number, k: number) =>
  !c.spec.method.startsWith('xpeft') ||
  isPeerBank(c) ||
  ((c.spec.bank === 'trained' ? c.spec.n === c.budget.sources : c.spec.n === n) && c.spec.k === k);

/**
 * Cells are compared only under the same budget (the held-out share per profile is set by the task). A
 * trained bank's number of sources is its N, which its row names, and nothing else depends on it (the
 * targets and the population head do not), so banks of different N share a table with their baselines.
 */
const budgetKey = (c: CellResult) =>
  JSON.stringify(
    Object.entries({ ...c.budget, testPerProfile: undefined, sources: undefined }).sort(([a], [b]) =>
      a.localeCompare(b),
    ),
  );
const budgetText = (c: CellResult) => {
  const b = c.budget;
  return !isProfileTask(c.spec.task)
    ? `${b.trainSize} training examples, ${b.devLimit || 'full'} dev, ${b.epochs} epochs, batch ${b.batchSize}, ${b.maxLength} tokens`
    : `${b.targets} target people (a fixed seeded draw${b.targetData ? ` from ${b.targetData}` : ''}; everyone else is a source), each scored on ${SCORED[c.spec.task as ProfileTask](b)} after ${b.epochs} epochs on the rest, batch ${b.batchSize}, ${b.maxLength} tokens; ` +
        `population head on up to ${b.populationTexts} distinct source texts; trained banks of N source people (each row's N) ${c.spec.task.startsWith('jester') ? 'drawn at random' : 'spread over the range of mean ratings'}, ` +
        `${b.bankEpochs} epochs at learning rate ${b.bankLr} on their first ${b.labelsPerSource} labels`;
};

/** Row names for person-by-person tables: X-PEFT rows name their bank, N and k. */
const pairedRowName = (c: CellResult) =>
  (c.spec.method.startsWith('xpeft') ? `${baseRowName(c)}, N=${c.spec.n}, k=${c.spec.k}` : c.spec.method) +
  variations(c);

/**
 * Where a costly method was scored on a seeded subset of the targets (`--subset`), every row again on
 * that subset's people alone, so their errors compare directly.
 */
function subsetTable(rows: PairedRow[]): string[] {
  const people = rows.map((r) => [...perPerson(r.cells, 'mae').keys()]);
  const sizes = people.map((p) => p.length);
  const fewest = sizes.indexOf(Math.min(...sizes));
  if (sizes[fewest]! === Math.max(...sizes)) return [];
  const ids = new Set(people[fewest]);
  const restricted = rows.map((r) => ({
    name: r.name,
    cells: r.cells.map((c) => ({ ...c, perProfile: c.perProfile?.filter((p) => ids.has(p.id)) })),
  }));
  return [
    `The same on the ${ids.size} people ${rows[fewest]!.name} was scored on (the first of the same seeded draw):`,
    '',
    pairedTable(restricted),
    '',
  ];
}

/** Multi-profile results person by person, one table per task and budget, with the targets checked. */
function profileSections(cells: CellResult[]): string[] {
  const out: string[] = [];
  const mine = cells.filter((c) => isProfileTask(c.spec.task) && c.perProfile);
  for (const [, same] of group(mine, (c) => `${c.spec.task}|${budgetKey(c)}`)) {
    const order = (c: CellResult) =>
      ['user-mean', 'frozen', 'user-offset', 'head-only', 'adapter', 'collaborative'].indexOf(c.spec.method);
    const rows: PairedRow[] = [...group(same, pairedRowName)]
      .map(([name, cs]) => ({ name, cells: cs }))
      .sort((a, b) => {
        const [x, y] = [order(a.cells[0]!), order(b.cells[0]!)];
        return x >= 0 || y >= 0 ? (x < 0 ? 99 : x) - (y < 0 ? 99 : y) : a.name.localeCompare(b.name);
      });
    const c = same[0]!;
    out.push(
      `## ${PRIMARY[c.spec.task].label.replace(/ MAE$/, '')}: personal answers on people never trained on`,
      '',
      `Budget: ${budgetText(c)}. Errors are of ${SCALE_TEXT[c.spec.task as ProfileTask]}; each person's error is averaged over seeds, then over people. ` +
        'Δ is the paired difference (this method − the baseline) over people ± its standard error; negative is better; **bold** is beyond 2 standard errors.',
      '',
      pairedTable(rows),
      '',
      ...subsetTable(rows),
      'Against the targets (X-PEFT hard on the trained bank, every k):',
      '',
      ...targetStatements(
        rows,
        (r) => r.cells[0]!.spec.method.startsWith('xpeft-hard') && r.cells[0]!.spec.bank === 'trained',
      ),
      '',
    );
    const layers = upperLayerStatements(rows);
    if (layers.length)
      out.push(
        'Adapter sites in the upper layers only, against the same profile lower down (MAE):',
        '',
        ...layers,
        '',
      );
  }
  return out;
}

/**
 * The page's recipe (`--page-recipe`) against the evaluation's own X-PEFT profiles of the same task, on
 * the people both scored (the same seeded draw of targets; the budgets differ, so no table pairs them).
 */
function pageRecipeSection(cells: CellResult[]): string[] {
  const xpeft = cells.filter(
    (c) =>
      isProfileTask(c.spec.task) &&
      c.perProfile &&
      c.spec.method.startsWith('xpeft') &&
      c.spec.bank === 'trained',
  );
  const lines: string[] = [];
  for (const [, page] of group(
    xpeft.filter((c) => c.spec.recipe === 'page'),
    (c) => c.spec.task,
  )) {
    const p = page[0]!;
    const b = p.budget;
    const mine = perPerson(page, 'mae');
    const others = xpeft.filter((c) => c.spec.task === p.spec.task && c.spec.recipe !== 'page');
    const parts = [...group(others, pairedRowName)].map(([name, cs]) => {
      const d = pairedDifference(mine, perPerson(cs, 'mae'));
      return `against ${name} (${cs[0]!.budget.sources} sources × ${cs[0]!.budget.labelsPerSource} labels, ${cs[0]!.budget.bankEpochs} bank epochs; ${cs[0]!.budget.epochs} epochs a person) ${differenceText(d)}${d ? ` over ${d.people} people` : ''}`;
    });
    lines.push(
      `- ${p.spec.task}: the page's recipe (${b.sources} sources × ${b.labelsPerSource} labels, ${b.bankEpochs} bank epochs, population head on up to ${b.populationTexts} texts; k=${p.spec.k}, ${b.epochs} epochs a person), MAE ${meanStd([...mine.values()]).mean.toFixed(3)} over ${mine.size} people` +
        (parts.length ? `; ${parts.join('; ')}.` : '.'),
    );
  }
  return lines.length
    ? [
        "## The page's recipes against the evaluation's",
        '',
        'Paired MAE differences (the page − the other) person by person; negative is better for the page.',
        '',
        ...lines,
        '',
      ]
    : [];
}

/**
 * The latest result of every distinct cell (a rerun replaces, it does not count as another seed); a GLUE
 * cell whose head started at the data is another cell than the same one from before.
 */
function latest(cells: CellResult[]): CellResult[] {
  const byCell = new Map<string, CellResult>();
  for (const c of [...cells].sort((a, b) => a.finishedAt.localeCompare(b.finishedAt))) {
    byCell.set(JSON.stringify([c.spec, c.budget, c.headStart ?? null]), c);
  }
  return [...byCell.values()];
}

export function renderReport(
  allCells: CellResult[],
  commands: string[],
  defaults: { n: number; k: number },
  /** Hand-written findings (results/investigation.md), citing the tables above. */
  investigation?: string,
): string {
  const cells = latest(allCells);
  const out: string[] = [];
  const backends = [...new Set(cells.map((c) => c.backend))].join(', ');
  const machines = [...new Set(cells.map((c) => c.machine ?? 'not recorded'))].join('; ');
  out.push('# Results: X-PEFT against adapter tuning on real data', '');
  out.push(
    `Generated by \`npm run eval\` from ${cells.length} cells in \`results/cells/\`. Ran on: ${machines}; tfjs backend ${backends}. ` +
      `Model: all-MiniLM-L6-v2 (6 layers, d=384), Pfeiffer adapters, r=24, ReLU. X-PEFT: hard masks, k=${defaults.k}; ` +
      `N=${defaults.n} for random banks, N = number of source profiles for trained banks, unless stated. ` +
      'Cells are compared only under the same budget.',
    '',
  );
  const groups = [
    {
      title: 'GLUE, each task one profile: metric on the dev split, ± over seeds',
      tasks: GLUE_TASKS as readonly TaskName[],
    },
  ];
  for (const g of groups) {
    const mine = cells.filter((c) => g.tasks.includes(c.spec.task) && isDefault(c, defaults.n, defaults.k));
    for (const [, sameBudget] of group(mine, budgetKey)) {
      const tasks = g.tasks.filter((t) => sameBudget.some((c) => c.spec.task === t));
      const rows = [...group(sameBudget, rowName)].map(([name, cs]) => [
        name,
        ...tasks.map((t) => {
          const here = cs.filter((c) => c.spec.task === t);
          return here.length ? cellText(here) : '–';
        }),
      ]);
      out.push(`## ${g.title}`, '', `Budget: ${budgetText(sameBudget[0]!)}.`, '');
      out.push(table(['method', ...tasks.map((t) => PRIMARY[t].label)], rows), '');
      const cost = [...group(sameBudget, (c) => `${rowName(c)}|${c.spec.task}`)].map(([, cs]) => {
        const c = cs[0]!;
        return [
          rowName(c),
          PRIMARY[c.spec.task].label.split(' ')[0]!,
          String(c.bytesPerProfile.masks),
          String(c.bytesPerProfile.head),
          String(c.bytesPerProfile.total),
          String(c.trainableParams),
          `${meanStd(cs.map((x) => x.trainSeconds)).mean.toFixed(1)} s`,
        ];
      });
      out.push(
        'Cost per profile. Bytes are the stored mask, head and file total for X-PEFT, and fp32 adapter and head parameters for the baselines:',
        '',
        table(
          [
            'method',
            'task',
            'mask / adapter bytes',
            'head bytes',
            'total bytes',
            'trainable parameters',
            'training time',
          ],
          cost,
        ),
        '',
      );
    }
  }
  out.push(...profileSections(cells));
  out.push(...pageRecipeSection(cells));
  const ablation = cells.filter(
    (c) => c.spec.method.startsWith('xpeft') && !isDefault(c, defaults.n, defaults.k) && !c.perProfile,
  );
  if (ablation.length > 0) {
    const related = cells.filter(
      (c) =>
        c.spec.method.startsWith('xpeft') &&
        ablation.some(
          (a) => a.spec.task === c.spec.task && a.spec.bank === c.spec.bank && budgetKey(a) === budgetKey(c),
        ),
    );
    const rows = [
      ...group(related, (c) => `${c.spec.task}|${rowName(c)}|${budgetKey(c)}|${c.spec.n}|${c.spec.k}`),
    ]
      .sort((a, b) => a[0].localeCompare(b[0], 'en', { numeric: true }))
      .map(([, cs]) => [
        PRIMARY[cs[0]!.spec.task].label,
        rowName(cs[0]!),
        String(cs[0]!.spec.n),
        cs[0]!.spec.method === 'xpeft-soft' ? '– (soft: all N)' : String(cs[0]!.spec.k),
        cellText(cs),
        String(cs[0]!.bytesPerProfile.masks),
        budgetText(cs[0]!),
      ]);
    out.push(
      '## Ablation over N and k',
      '',
      table(['task', 'method', 'N', 'k', 'metric', 'mask bytes', 'budget'], rows),
      '',
    );
  }
  out.push('## Where X-PEFT falls short of adapter tuning', '', ...verdicts(cells, defaults), '');
  if (investigation) out.push(investigation.trim(), '');
  out.push(
    '## Commands',
    '',
    'Every invocation that ran cells, in order (rerunning one skips cells already on disk; `--rerun` recomputes them):',
    '',
    '```sh',
    ...commands,
    '```',
    '',
  );
  return out.join('\n');
}

/** Cells that may be paired: the same task, budget and seed, and heads started alike. */
const pairs = (a: CellResult, b: CellResult) =>
  a.spec.task === b.spec.task &&
  a.spec.seed === b.spec.seed &&
  budgetKey(a) === budgetKey(b) &&
  !a.headStart === !b.headStart;

/**
 * X-PEFT (hard, defaults) against adapter tuning, and the other tasks' adapters against the random bank,
 * paired by task, budget, seed and head start.
 */
function verdicts(cells: CellResult[], defaults: { n: number; k: number }): string[] {
  const lines: string[] = [];
  for (const t of GLUE_TASKS) {
    const p = PRIMARY[t];
    const digits = p.scale === 1 ? 3 : 1;
    const unit = p.scale === 100 ? 'points' : 'MAE';
    const value = (c: CellResult) => c.metrics[p.metric]! * p.scale;
    const xpeft = cells.filter(
      (c) => c.spec.task === t && c.spec.method === 'xpeft-hard' && isDefault(c, defaults.n, defaults.k),
    );
    const compare = (name: string, cs: CellResult[], label: string, other: (c: CellResult) => boolean) => {
      const paired = cs
        .map((c) => [c, cells.find((a) => other(a) && pairs(a, c))] as const)
        .filter((pair): pair is readonly [CellResult, CellResult] => pair[1] !== undefined);
      if (paired.length === 0) return;
      const ours = meanStd(paired.map(([c]) => value(c))).mean;
      const theirs = meanStd(paired.map(([, a]) => value(a))).mean;
      const diff = ours - theirs;
      const better = p.higherIsBetter ? diff >= 0 : diff <= 0;
      lines.push(
        `- ${p.label} (${paired.length} paired seed${paired.length > 1 ? 's' : ''}): ${name} ${ours.toFixed(digits)} vs ${label} ${theirs.toFixed(digits)}: ` +
          (better
            ? `matches or beats it (${Math.abs(diff).toFixed(digits)} ${unit} ${p.higherIsBetter ? 'higher' : 'lower'}).`
            : `**short by ${Math.abs(diff).toFixed(digits)} ${unit}**.`),
      );
    };
    for (const [name, cs] of group(xpeft, rowName)) {
      compare(name, cs, 'adapter tuning', (a) => a.spec.method === 'adapter');
      if (!isPeerBank(cs[0]!)) continue;
      // Against random banks: the default one, and one of the same N and k where it ran.
      const { n, k } = cs[0]!.spec;
      for (const [rn, rk] of [
        [defaults.n, defaults.k],
        ...(n === defaults.n && k === defaults.k ? [] : [[n, k]]),
      ])
        compare(
          name,
          cs,
          `the random bank (N=${rn}, k=${rk})`,
          (a) =>
            a.spec.method === 'xpeft-hard' &&
            a.spec.bank === 'random' &&
            a.spec.scale === undefined &&
            a.spec.maskLr === undefined &&
            a.spec.n === rn &&
            a.spec.k === rk,
        );
    }
  }
  return lines.length ? lines : ['- (no cell pairs X-PEFT hard with adapter tuning yet)'];
}
