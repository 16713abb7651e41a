// The main job: builds the page and serves it with the local copy of the default model and the page's
// trained banks, so it runs offline on this machine. The sample people and the banks are generated from
// ../shared/data when it is there.
// Usage: npm start [-- --port 4173] [-- --banks <folder>]  (npm start runs the model fetch, the sample
// generator and the bank builder first; the bank builder only when banks/page/ is missing or out of
// date). --banks serves another folder of banks (with its index.json, see npm run bank:index).

import { join } from 'node:path';
import { build } from 'vite';
import { checkFlags, flag } from '../tools/args';
import { ROOT } from '../tools/paths';
import { serveFolders } from '../tools/serve-folders';

checkFlags(import.meta.filename);

const port = Number(flag('port', '4173'));
const banks = flag('banks', join(ROOT, 'banks', 'page'));
const outDir = join(ROOT, 'dist');

await build({ root: ROOT, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
const server = await serveFolders({ '/models/': join(ROOT, 'models'), '/banks/': banks, '/': outDir }, port);
console.log(`X-PEFT Web is running at ${server.url}/ (Ctrl+C stops it).`);
