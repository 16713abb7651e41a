// Runs the project's Python (python/xpeft_bank) in its environment, .venv (`npm run python:setup`).

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../tools/paths';

const PYTHON = join(ROOT, '.venv', 'bin', 'python');

/** Fails with what to do when the Python environment is missing. */
export function requirePython(): void {
  if (!existsSync(PYTHON))
    throw new Error(`No Python environment at ${PYTHON}: run \`npm run python:setup\` first.`);
}

/** Runs `python <args>` from the repository root, one thread per process; returns what it printed. */
export function python(args: string[]): string {
  return execFileSync(PYTHON, args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1' },
    timeout: 600_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
