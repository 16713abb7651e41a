// Puts a checkpoint folder into models/<name>/ for the commands, tests and the demo: the package's own
// fetcher (src/cli/fetch-model.ts, `npx xpeft-web fetch-model` for package users) aimed at this folder.
// Usage: npm run model:fetch -- [hub id] [--if-missing]

import { basename, join } from 'node:path';
import { fetchModel } from '../src/cli/fetch-model';
import { DEFAULT_MODEL } from '../src/model/known';

const args = process.argv.slice(2);
const id = args.find((a) => !a.startsWith('--')) ?? DEFAULT_MODEL;
const dir = join(import.meta.dirname, '..', 'models', basename(id));
fetchModel({ id, dir, ifMissing: args.includes('--if-missing'), log: (line) => console.log(line) }).catch(
  (e: Error) => {
    console.error(e.message);
    process.exit(1);
  },
);
