// Builds a trained adapter bank from POPQUORN annotators (one adapter per source annotator, regression
// on their 1–5 offensiveness ratings) and writes it as a bank file.
// Usage: npm run bank:build -- [--sources 100] [--epochs 5] [--out banks/popquorn-N.safetensors]
//        [--model ./models/all-MiniLM-L6-v2] [--backend wasm] [--placement pfeiffer|houlsby]

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { readPopquorn } from '../eval/popquorn';
import { buildTrainedBank } from '../src/bank/build';
import {
  type BackendName,
  LanguageModel,
  type Placement,
  parseModelSource,
  saveBankFile,
  useBackend,
} from '../src/index';
import { flag } from './args';

await useBackend(flag('backend', 'wasm') as BackendName);
const count = Number(flag('sources', '100'));
const epochs = Number(flag('epochs', '5'));
const out = flag('out', `banks/popquorn-${count}.safetensors`);
const model = await LanguageModel.load(parseModelSource(flag('model', './models/all-MiniLM-L6-v2')));
// Source annotators are the first `count` by id; evaluation uses annotators after them.
const sources = readPopquorn().slice(0, count);
const { bank, head, info } = await buildTrainedBank(model, { kind: 'regression' }, sources, {
  placement: flag('placement', 'pfeiffer') as Placement,
  adapterTraining: { epochs, heldOutFraction: 0, batchSize: 16 },
  headTraining: { epochs: 10, heldOutFraction: 0.1, batchSize: 32 },
  onProgress: ({ done, total, source, elapsedMs }) => {
    const eta = (elapsedMs / done) * (total - done);
    process.stdout.write(
      `\rsource ${done}/${total} (annotator ${source}), ETA ${(eta / 60_000).toFixed(1)} min   `,
    );
  },
});
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, await saveBankFile(bank, info, head));
console.log(`\nwrote ${out}: N=${bank.n}, ${bank.placement}, r=${bank.r}, fingerprint ${bank.fingerprint}`);
