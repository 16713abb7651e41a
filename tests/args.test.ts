// Commands answer --help with their header and refuse a flag their header does not name, before doing
// any work; every flag a command reads is named in its header, so the help stays true.

import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandHeader, flagProblem, headerFlags, positionals } from '../tools/args';

const ROOT = join(import.meta.dirname, '..');
const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
const commands = execFileSync(
  'git',
  ['grep', '-l', "from '../tools/args'", '--', 'eval', 'scripts', 'bench'],
  {
    cwd: ROOT,
    encoding: 'utf8',
  },
)
  .split('\n')
  .filter((f) => f.endsWith('.ts'));

describe('command-line flags', () => {
  it.each(commands)('%s checks its flags and names every flag it reads in its header', (file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    expect(text).toContain('checkFlags(import.meta.filename);');
    const read = [
      ...[
        ...text.matchAll(
          /(?:flag|list|numbers|override)\('([a-z][a-z0-9-]*)'|includes\('--([a-z][a-z0-9-]*)'\)/g,
        ),
      ].map((m) => m[1] ?? m[2]!),
      // tools/model-flags reads these for the command that calls it.
      ...(text.includes('modelFromFlags(') ? ['model', 'backend'] : []),
      ...(text.includes('modelFlag(') ? ['model'] : []),
    ];
    expect(read.length).toBeGreaterThan(0);
    const named = headerFlags(commandHeader(join(ROOT, file)));
    expect(read.filter((f) => !named.has(f))).toEqual([]);
  });

  it('names the unknown flags and lists what the command takes', () => {
    const header = 'Usage: npm run x -- [--tasks a,b] [--seeds 0]';
    expect(flagProblem(header, ['--tasks', 'sst2', '--seeds', '1'])).toBeUndefined();
    const problem = flagProblem(header, ['--tsks', 'sst2', '--seed', '1']);
    expect(problem).toMatch(/^Unknown options --tsks, --seed; this command takes:/);
    expect(problem).toContain(header);
  });

  it('takes the arguments that are neither flags nor their values as positionals', () => {
    expect(positionals(['--model', './m', 'A sentence.', '--backend', 'cpu', 'Another.'])).toEqual([
      'A sentence.',
      'Another.',
    ]);
    expect(positionals(['--limit', '5'])).toEqual([]);
  });

  it('stops a command before any work: --help exits 0 with the header, a typo exits 2', () => {
    const run = (...args: string[]) =>
      spawnSync(tsx, ['bench/profile-sizes.ts', ...args], { cwd: ROOT, encoding: 'utf8' });
    const help = run('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: npm run bench:sizes');
    const typo = run('--classses', '3');
    expect(typo.status).toBe(2);
    expect(typo.stderr).toContain('Unknown option --classses');
    expect(typo.stdout).toBe(''); // nothing was computed
  }, 60_000);
});
