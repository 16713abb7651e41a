// Writes the sources file the Python bank builder reads (eval/sources-file.ts): a page bank recipe's
// people and settings from ../shared/data.
// Usage: npm run bank:sources -- --dataset popquorn|amazon --out sources.json [--sources N]

import { writeFileSync } from 'node:fs';
import { PAGE_BANK_RECIPES } from '../eval/page-banks';
import { sourcesFile } from '../eval/sources-file';
import { checkFlags, flag } from '../tools/args';

checkFlags(import.meta.filename);

const dataset = flag('dataset', 'popquorn');
const base = PAGE_BANK_RECIPES.find((r) => r.dataset === dataset);
if (!base) throw new Error(`--dataset must be one of ${PAGE_BANK_RECIPES.map((r) => r.dataset).join(', ')}.`);
const file = sourcesFile({ ...base, sources: Number(flag('sources', String(base.sources))) });
const out = flag('out', `sources-${dataset}.json`);
writeFileSync(out, `${JSON.stringify(file)}\n`);
console.log(`${out}: ${file.description}`);
