// Runs a Python script in the project's environment, .venv (`npm run python:setup`), passing on its
// arguments and exit status, so the scripts that need PyTorch never meet a system python3 without it.
// Usage: tsx scripts/venv-python.ts <script.py> [arguments…]

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../tools/paths';

const python = join(ROOT, '.venv', 'bin', 'python');
if (!existsSync(python)) {
  console.error(`No Python environment at ${python}: run \`npm run python:setup\` first (python3-venv).`);
  process.exit(1);
}
const run = spawnSync(python, process.argv.slice(2), { cwd: ROOT, stdio: 'inherit' });
if (run.error) throw run.error;
process.exit(run.status ?? 1);
