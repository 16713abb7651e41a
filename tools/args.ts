// Command-line helpers shared by the scripts, benchmarks and evaluation commands. A command's header
// comment is its help: checkFlags prints it for --help and refuses any flag it does not name, so a typo
// stops the command at once instead of running it, perhaps for hours, with a default.

import { readFileSync } from 'node:fs';

/** The value after `--name` on the command line, or the fallback. */
export function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

/** The arguments that are neither flags nor a flag's value, in order (every flag takes one value). */
export function positionals(argv: readonly string[] = process.argv.slice(2)): string[] {
  return argv.filter((a, i) => !a.startsWith('--') && !argv[i - 1]?.startsWith('--'));
}

/** A command file's header: its leading comment lines, without the slashes. */
export function commandHeader(file: string): string {
  const lines = readFileSync(file, 'utf8').split('\n');
  const end = lines.findIndex((l) => !l.startsWith('//'));
  return lines
    .slice(0, end < 0 ? lines.length : end)
    .map((l) => l.replace(/^\/\/ ?/, ''))
    .join('\n');
}

/** The flags a header names (`--name`). */
export function headerFlags(header: string): Set<string> {
  return new Set([...header.matchAll(/--([a-z][a-z0-9-]*)/g)].map((m) => m[1]!));
}

/** What is wrong with `argv` for the command whose header is given, or undefined if nothing is. */
export function flagProblem(header: string, argv: readonly string[]): string | undefined {
  const known = headerFlags(header);
  const unknown = argv.filter((a) => a.startsWith('--') && !known.has(a.slice(2)));
  if (unknown.length === 0) return undefined;
  return `Unknown option${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; this command takes:\n\n${header}`;
}

/** Call first in a command (with import.meta.filename): --help prints its header; an unknown flag exits 2. */
export function checkFlags(file: string, argv: readonly string[] = process.argv.slice(2)): void {
  const header = commandHeader(file);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(header);
    process.exit(0);
  }
  const problem = flagProblem(header, argv);
  if (problem) {
    console.error(problem);
    process.exit(2);
  }
}
