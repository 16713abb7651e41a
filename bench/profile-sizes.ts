// Bytes per profile: X-PEFT (hard and soft masks; alone, with a per-profile head or a bias offset) against
// conventional adapter tuning in fp32, for a model shape read from config.json.
// Usage: npm run bench:sizes -- [--model ./models/all-MiniLM-L6-v2] [--n 100] [--r 24] [--placement pfeiffer] [--classes 2]

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  adapterParameterCount,
  type Placement,
  parseBertConfig,
  profileSizes,
  siteCount,
} from '../src/advanced';
import { checkFlags, flag } from '../tools/args';
import { MODEL_FLAG } from '../tools/paths';

checkFlags(import.meta.filename);

const dir = flag('model', MODEL_FLAG);
const config = parseBertConfig(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')));
const d = config.hiddenSize;
const n = Number(flag('n', '100'));
const r = Number(flag('r', String(Math.round(d / 16))));
const classes = Number(flag('classes', '2'));
const placement = flag('placement', 'pfeiffer') as Placement;
const sites = siteCount(placement, config.numLayers);
const head = { inputs: d, outputs: classes };

const adapterParams = adapterParameterCount({ sites, d, r });
const headParams = d * classes + classes;
const adapterBytes = 4 * adapterParams;
// Sizes depend only on the head's dimensions, so empty arrays stand in for its weights.
const ownHead = { ...head, weight: new Float32Array(), bias: new Float32Array() };
const rows = (['hard', 'soft'] as const).flatMap((mode) => [
  [`X-PEFT ${mode}, shared head`, profileSizes({ mode, sites, n }), adapterBytes] as const,
  [
    `X-PEFT ${mode} + own head (fp16)`,
    profileSizes({ mode, sites, n, head: ownHead }),
    adapterBytes + 4 * headParams,
  ] as const,
  [
    `X-PEFT ${mode} + bias offset (fp16)`,
    profileSizes({ mode, sites, n, offset: new Float32Array(classes) }),
    adapterBytes + 4 * classes,
  ] as const,
]);

console.log(
  `${config.numLayers} layers, d=${d}, ${placement} (${sites} sites), r=${r}, N=${n}, ${classes}-class head`,
);
console.log(
  `adapter tuning (fp32): ${sites} × (2·${d}·${r} + ${r} + ${d}) = ${adapterParams} parameters = ${adapterBytes} bytes; head ${headParams} parameters = ${4 * headParams} bytes`,
);
console.log(
  '| profile | mask bytes | head bytes | header + checksum | total | adapter tuning bytes | ratio (masks + head) | ratio (total) |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const [name, s, baseline] of rows) {
  console.log(
    `| ${name} | ${s.masks} | ${s.head} | ${s.header} | ${s.total} | ${baseline} | ${Math.round(baseline / (s.masks + s.head))}× | ${Math.round(baseline / s.total)}× |`,
  );
}
