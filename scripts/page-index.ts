// Makes a folder the demo page loads as its banks from bank files built elsewhere (`python -m
// xpeft_bank build` or `import`): checks each file (fingerprint, model, a head that fits the kind of
// answer), copies it in and writes index.json. Serve it with `npx tsx scripts/start.ts --banks <out>`.
// Usage: npm run bank:index -- --out banks/large --offensive <bank.safetensors> [--like <bank.safetensors>]
//        [--funny <bank.safetensors>] [--model ./models/all-MiniLM-L6-v2] (the model the page serves: the
//        banks must have been built on it, and the index pins its files)

import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { loadBankFile, parseModelSource, useBackend } from '../src/advanced';
import { PAGE_BANKS_FORMAT, type PageBankIndex, PRESETS } from '../src/app/presets';
import { disposeBank } from '../src/bank/bank';
import { sha256Hex } from '../src/util/sha256';
import { taskOutputs } from '../src/xpeft/task';
import { checkFlags, flag } from '../tools/args';
import { checkpointDigests } from '../tools/model-digests';
import { modelFlag } from '../tools/model-flags';

checkFlags(import.meta.filename);

/** Tokens per text where a bank file does not say (the Python builder's default). */
const DEFAULT_MAX_LENGTH = 64;

const out = flag('out', '');
if (!out) throw new Error('Name the folder to write: --out <folder>.');
await useBackend('cpu');
const modelFiles = await checkpointDigests(parseModelSource(modelFlag()));
const index: PageBankIndex = { format: PAGE_BANKS_FORMAT, modelFingerprint: '', modelFiles, banks: {} };
mkdirSync(out, { recursive: true });
for (const preset of PRESETS) {
  const path = flag(preset.id, '');
  if (!path) continue;
  const bytes = new Uint8Array(readFileSync(path));
  const { bank, info, head } = await loadBankFile(bytes);
  disposeBank(bank);
  if (!head || head.outputs !== taskOutputs(preset.task))
    throw new Error(
      `${path} has ${head ? `a head with ${head.outputs} outputs` : 'no head'}; "${preset.question}" needs a population head with ${taskOutputs(preset.task)}.`,
    );
  if (info.modelFingerprint !== modelFiles['model.safetensors'])
    throw new Error(
      `${path} was built for another model than ${modelFlag()} (give the page's with --model).`,
    );
  index.modelFingerprint = info.modelFingerprint;
  const built = JSON.parse(info.trainedOn || '{}') as {
    dataset?: string;
    licence?: string;
    sources?: string[];
    population?: { people: number; texts: number; labels: number };
    recipe?: { max_length?: number };
  };
  const file = basename(path);
  copyFileSync(path, join(out, file));
  index.banks[preset.id] = {
    file,
    sha256: await sha256Hex(bytes),
    fingerprint: bank.fingerprint,
    n: bank.n,
    sites: bank.sites,
    bytes: bytes.byteLength,
    dataset: built.dataset || 'an unnamed dataset',
    licence: built.licence || 'not stated',
    sources: `${built.sources?.length ?? bank.n} source people, as the bank's builder chose them`,
    population: built.population ?? { people: 0, texts: 0, labels: 0 },
    recipe: built.recipe ?? null,
    maxLength: built.recipe?.max_length ?? DEFAULT_MAX_LENGTH,
    // Named by id only: a builder elsewhere does not describe its people's taste.
    people: (built.sources ?? []).map((id) => ({ id })),
    acknowledgement: `Data: ${built.dataset || 'an unnamed dataset'}`,
  };
  console.log(`${preset.id}: ${file}, N=${bank.n}, ${bank.sites} sites, fingerprint ${bank.fingerprint}`);
}
if (Object.keys(index.banks).length === 0)
  throw new Error(`Give at least one bank file: ${PRESETS.map((p) => `--${p.id} <file>`).join(' or ')}.`);
writeFileSync(join(out, 'index.json'), `${JSON.stringify(index, null, 1)}\n`);
console.log(`wrote ${join(out, 'index.json')}`);
