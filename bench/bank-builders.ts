// Source people per hour for the two bank builders on the same people and budget: the TypeScript
// builder (`npm run bank:build`'s code, one process) and the PyTorch builder (python/xpeft_bank) under
// torchrun with 1 and 2 processes. Each builds the POPQUORN page bank's recipe with N source people
// (population head included). Prints the table and writes results/bench/bank-builders.json.
// Usage: npm run bench:builders -- [--sources 6] [--backend wasm] [--processes 1,2]

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPageBank, POPQUORN_PAGE_BANK, pageBankPeople } from '../eval/page-banks';
import { sourcesFile } from '../eval/sources-file';
import { type BackendName, LanguageModel, useBackend } from '../src/advanced';
import { disposeBank } from '../src/bank/bank';
import { checkFlags, flag } from '../tools/args';
import { MODEL_DIR, ROOT } from '../tools/paths';

checkFlags(import.meta.filename);

const sources = Number(flag('sources', '6'));
const backend = flag('backend', 'wasm') as BackendName;
const processes = flag('processes', '1,2').split(',').map(Number);
const recipe = { ...POPQUORN_PAGE_BANK, sources };
const dir = mkdtempSync(join(tmpdir(), 'xpeft-builders-'));

interface Row {
  builder: string;
  headSeconds: number;
  adapterSeconds: number;
  peoplePerHour: number;
}
const rows: Row[] = [];
const row = (builder: string, headSeconds: number, total: number): Row => ({
  builder,
  headSeconds,
  adapterSeconds: total - headSeconds,
  peoplePerHour: (3600 * sources) / (total - headSeconds),
});

await useBackend(backend);
const model = await LanguageModel.load({ kind: 'dir', path: MODEL_DIR });
let headDone = 0;
const started = performance.now();
const build = await buildPageBank(model, recipe, pageBankPeople(recipe), ({ phase }) => {
  if (phase.startsWith('adapters') && headDone === 0) headDone = performance.now();
});
const ts = (performance.now() - started) / 1000;
rows.push(row(`TypeScript (${backend}, 1 process)`, (headDone - started) / 1000, ts));
disposeBank(build.built.bank);
model.dispose();

writeFileSync(join(dir, 'sources.json'), JSON.stringify(sourcesFile(recipe)));
const python = join(ROOT, '.venv', 'bin', 'python');
for (const p of processes) {
  const out = join(dir, `out${p}`);
  const args = ['-m', 'torch.distributed.run', '--standalone', '--nproc_per_node', String(p)];
  const build = ['-m', 'xpeft_bank', 'build', '--model', MODEL_DIR, '--sources', join(dir, 'sources.json')];
  const log = execFileSync(python, [...args, ...build, '--out', out], { encoding: 'utf8', stdio: 'pipe' });
  const head = Number(/population head fitted \(([\d.]+) s\)/.exec(log)?.[1]);
  const { seconds } = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
  rows.push(row(`PyTorch (CPU, ${p} process${p === 1 ? '' : 'es'})`, head, seconds));
}
rmSync(dir, { recursive: true, force: true });

console.log(
  `\n${sources} POPQUORN source people, the page recipe (${recipe.labelsPerSource} labels, ${recipe.epochs} epochs, ` +
    `${recipe.maxLength} tokens, sites from layer ${recipe.firstLayer}):`,
);
console.log('| builder | population head (s) | adapters (s) | source people per hour |');
console.log('|---|---|---|---|');
for (const r of rows)
  console.log(
    `| ${r.builder} | ${r.headSeconds.toFixed(1)} | ${r.adapterSeconds.toFixed(1)} | ${Math.round(r.peoplePerHour)} |`,
  );
mkdirSync(join(ROOT, 'results', 'bench'), { recursive: true });
writeFileSync(
  join(ROOT, 'results', 'bench', 'bank-builders.json'),
  `${JSON.stringify({ sources, recipe, rows, date: new Date().toISOString() }, null, 1)}\n`,
);
