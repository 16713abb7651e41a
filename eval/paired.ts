// Multi-profile results compared person by person: each method's error on each target person (averaged
// over seeds), and the paired difference to the baselines with its standard error over people.

import type { CellResult, CellSpec } from './cell';
import { meanStd } from './metrics';

export interface PairedDifference {
  /** Mean over people of (this method's error − the other's); negative means this method is better. */
  mean: number;
  /** Standard error of that mean over people. */
  se: number;
  people: number;
}

type Metric = 'mae' | 'rmse';

/** Each person's error under a method, averaged over the method's cells (seeds). */
export function perPerson(cells: readonly CellResult[], metric: Metric): Map<string, number> {
  const sums = new Map<string, { sum: number; count: number }>();
  for (const c of cells) {
    for (const p of c.perProfile ?? []) {
      const s = sums.get(p.id) ?? { sum: 0, count: 0 };
      sums.set(p.id, { sum: s.sum + p[metric], count: s.count + 1 });
    }
  }
  return new Map([...sums].map(([id, s]) => [id, s.sum / s.count]));
}

/** The paired difference a − b over the people both have, or undefined with fewer than two. */
export function pairedDifference(
  a: Map<string, number>,
  b: Map<string, number>,
): PairedDifference | undefined {
  const diffs = [...a].filter(([id]) => b.has(id)).map(([id, v]) => v - b.get(id)!);
  if (diffs.length < 2) return undefined;
  const { mean, std } = meanStd(diffs);
  return { mean, se: std / Math.sqrt(diffs.length), people: diffs.length };
}

/** "−0.123 ± 0.045" with a mark when the difference is beyond 2 standard errors. */
export function differenceText(d: PairedDifference | undefined): string {
  if (!d) return '–';
  const sign = d.mean < 0 ? '−' : '+';
  const significant = Math.abs(d.mean) > 2 * d.se;
  const text = `${sign}${Math.abs(d.mean).toFixed(3)} ± ${d.se.toFixed(3)}`;
  return significant ? `**${text}**` : text;
}

export interface PairedRow {
  name: string;
  cells: CellResult[];
}

/** The methods every personal model is compared with. */
export const PAIRED_BASELINES = ['frozen', 'user-offset', 'head-only', 'adapter'] as const;

/** The row of a baseline method (whatever its sites), the one scored on the most people where several are. */
function baselineRow(rows: readonly PairedRow[], method: string): PairedRow | undefined {
  const people = (r: PairedRow) => perPerson(r.cells, 'mae').size;
  return rows.filter((r) => r.cells[0]!.spec.method === method).sort((a, b) => people(b) - people(a))[0];
}

/** A markdown table. */
export function table(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

/** "300 × 3", or where some people were scored on more seeds than others (a subset), "100 × 3 + 200 × 1". */
function seedsPerPerson(cells: readonly CellResult[]): string {
  const seeds = new Map<string, Set<number>>();
  for (const c of cells)
    for (const p of c.perProfile ?? []) seeds.set(p.id, (seeds.get(p.id) ?? new Set()).add(c.spec.seed));
  const people = new Map<number, number>();
  for (const s of seeds.values()) people.set(s.size, (people.get(s.size) ?? 0) + 1);
  return [...people]
    .sort((a, b) => b[0] - a[0])
    .map(([count, n]) => `${n} × ${count}`)
    .join(' + ');
}

/** A table of every method's MAE and RMSE, and its paired MAE and RMSE differences to the baselines. */
export function pairedTable(rows: readonly PairedRow[]): string {
  const errors = (metric: Metric) => new Map(rows.map((r) => [r.name, perPerson(r.cells, metric)]));
  const mae = errors('mae');
  const rmse = errors('rmse');
  const baselines = PAIRED_BASELINES.flatMap((b) => {
    const row = baselineRow(rows, b);
    return row ? [{ method: b, name: row.name }] : [];
  });
  const body = rows.map((r) => {
    const mine = mae.get(r.name)!;
    const c = r.cells[0]!;
    const mean = (m: Map<string, number>) => meanStd([...m.values()]).mean.toFixed(3);
    return [
      r.name,
      seedsPerPerson(r.cells),
      mean(mine),
      mean(rmse.get(r.name)!),
      ...baselines.map(({ name }) =>
        name === r.name
          ? '·'
          : `${differenceText(pairedDifference(mine, mae.get(name)!))} / ${differenceText(pairedDifference(rmse.get(r.name)!, rmse.get(name)!))}`,
      ),
      String(c.bytesPerProfile.total),
      `${meanStd(r.cells.map((x) => x.trainSeconds)).mean.toFixed(1)} s`,
    ];
  });
  return table(
    [
      'method',
      'people × seeds',
      'MAE',
      'RMSE',
      ...baselines.map(({ method }) => `Δ MAE / Δ RMSE vs ${method}`),
      'bytes per person',
      'time per person',
    ],
    body,
  );
}

/**
 * Whether each X-PEFT row meets the personal-quality targets: better than the frozen model, the person's
 * mean and the person's offset by more than 2 standard errors, and within 1 standard error of adapter
 * tuning or better (MAE, paired over people).
 */
export function targetStatements(
  rows: readonly PairedRow[],
  isCandidate: (r: PairedRow) => boolean,
): string[] {
  const mae = new Map(rows.map((r) => [r.name, perPerson(r.cells, 'mae')]));
  const lines: string[] = [];
  for (const r of rows.filter(isCandidate)) {
    const mine = mae.get(r.name)!;
    const parts: string[] = [];
    const against = (method: string) => {
      const row = baselineRow(rows, method);
      return row ? pairedDifference(mine, mae.get(row.name)!) : undefined;
    };
    for (const b of ['frozen', 'user-mean', 'user-offset']) {
      const d = against(b);
      if (!d) continue;
      const met = d.mean < -2 * d.se;
      parts.push(`${met ? 'beats' : '**does not beat**'} ${b} by more than 2 SE (${differenceText(d)})`);
    }
    for (const [b, label] of [
      ['adapter', 'adapter tuning'],
      ['head-only', 'head-only'],
    ] as const) {
      const d = against(b);
      if (!d) continue;
      const met = d.mean <= d.se;
      parts.push(
        `${met ? 'is' : '**is not**'} within 1 SE of ${label} or better (${differenceText(d)}, ${d.people} people)`,
      );
    }
    // The same profile with one thing changed: what the 4 bytes of an offset, the banks' source biases,
    // the extra steps, the start and a smaller k each add.
    const againstVariant = (change: Partial<CellSpec>, label: string) => {
      const other = variant(rows, r, change);
      const d = other ? pairedDifference(mine, mae.get(other.name)!) : undefined;
      if (d) parts.push(`${label} ${differenceText(d)}`);
    };
    if (r.cells[0]!.spec.method === 'xpeft-hard-offset')
      againstVariant({ method: 'xpeft-hard' }, 'against the same mask without an offset');
    if (r.cells[0]!.spec.sourceBias)
      againstVariant({ sourceBias: undefined }, 'against the same profile on a bank without source biases');
    if (r.cells[0]!.spec.minSteps)
      againstVariant({ minSteps: undefined }, "against the same profile at the budget's epochs");
    if (r.cells[0]!.spec.start)
      againstVariant({ start: undefined }, 'against the same profile started at random');
    if (r.cells[0]!.spec.mix)
      againstVariant({ mix: undefined }, "against the same profile with its adapters' weights mixed");
    const { k, n } = r.cells[0]!.spec;
    for (const other of new Set(rows.map((o) => o.cells[0]!.spec.k).filter((x) => x > k)))
      againstVariant({ k: other }, `against the same profile with k=${other}`);
    for (const other of new Set(rows.map((o) => o.cells[0]!.spec.n).filter((x) => x < n)))
      againstVariant({ n: other }, `against the same profile over N=${other}`);
    if (parts.length) lines.push(`- ${r.name}: ${parts.join('; ')}.`);
  }
  return lines;
}

/**
 * Each row whose adapter sites start above the first layer against the same method over other layers
 * (every layer, and any other first layer), paired MAE: what computing the lower layers once costs.
 */
export function upperLayerStatements(rows: readonly PairedRow[]): string[] {
  const from = (r: PairedRow) => r.cells[0]!.spec.firstLayer ?? 0;
  const sameElsewhere = (r: PairedRow, o: PairedRow) =>
    specKey({ ...o.cells[0]!.spec, firstLayer: undefined }) ===
    specKey({ ...r.cells[0]!.spec, firstLayer: undefined });
  return rows
    .filter((r) => from(r) > 0)
    .flatMap((r) => {
      const mine = perPerson(r.cells, 'mae');
      const parts = rows
        .filter((o) => o !== r && from(o) < from(r) && sameElsewhere(r, o))
        .map((o) => {
          const where = from(o) === 0 ? 'in every layer' : `from layer ${from(o)}`;
          return `against sites ${where} ${differenceText(pairedDifference(mine, perPerson(o.cells, 'mae')))}`;
        });
      return parts.length ? [`- ${r.name}: ${parts.join('; ')}.`] : [];
    });
}

/** A cell's profile, seeds aside, with unset options and their defaults (0, false) alike. */
const specKey = (spec: CellSpec) =>
  JSON.stringify({
    ...spec,
    seed: undefined,
    firstLayer: spec.firstLayer || undefined,
    sourceBias: spec.sourceBias || undefined,
    minSteps: spec.minSteps || undefined,
    start: spec.start || undefined,
    mix: spec.mix || undefined,
    subset: undefined,
  });

/** The row whose profile differs from r's only by `change`. */
function variant(rows: readonly PairedRow[], r: PairedRow, change: Partial<CellSpec>): PairedRow | undefined {
  const want = specKey({ ...r.cells[0]!.spec, ...change });
  return rows.find((o) => o !== r && specKey(o.cells[0]!.spec) === want);
}
