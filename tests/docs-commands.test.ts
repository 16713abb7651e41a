// The commands the README and the docs tell a reader to run exist: every `npm run <script>` is a script
// of the package.json it is run beside, every `npx tsx <file>` names a file that is there, and every
// `npx xpeft-web <command>` is one the package has.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../tools/paths';

const scriptsOf = (dir: string) =>
  Object.keys((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { scripts: object }).scripts);

/** Each document a reader follows, with the folder its commands run in. */
const documents: { file: string; dir: string }[] = [
  { file: 'README.md', dir: ROOT },
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md') && f !== 'results.md')
    .map((f) => ({ file: join('docs', f), dir: ROOT })),
  ...readdirSync(join(ROOT, 'examples'), { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(ROOT, 'examples', e.name, 'README.md')))
    .map((e) => ({ file: join('examples', e.name, 'README.md'), dir: join(ROOT, 'examples', e.name) })),
];

describe('the commands in the README and the docs', () => {
  it('are npm scripts that exist where they are run', () => {
    const missing: string[] = [];
    let seen = 0;
    for (const { file, dir } of documents) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      // An example's README runs the repository's scripts before `cd examples/…`, and its own after.
      const here = new Set([...scriptsOf(dir), ...scriptsOf(ROOT)]);
      for (const [, script] of text.matchAll(/npm run ([\w:-]+)/g)) {
        seen++;
        if (!here.has(script!)) missing.push(`${file}: npm run ${script}`);
      }
    }
    expect(seen).toBeGreaterThan(50);
    expect(missing).toEqual([]);
  });

  it('name files and package commands that exist', () => {
    const missing: string[] = [];
    const cli = readFileSync(join(ROOT, 'src', 'cli', 'main.ts'), 'utf8');
    for (const { file } of documents) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      for (const [, path] of text.matchAll(/npx tsx ([\w./-]+\.ts)/g))
        if (!existsSync(join(ROOT, path!))) missing.push(`${file}: npx tsx ${path}`);
      for (const [, command] of text.matchAll(/npx xpeft-web ([\w-]+)/g))
        if (!cli.includes(`command !== '${command}'`)) missing.push(`${file}: npx xpeft-web ${command}`);
    }
    expect(missing).toEqual([]);
  });
});
