// The project's own lint rule (lint/no-html-strings.grit, run by `biome check`): the page never turns
// strings into markup. Each forbidden form is reported; building nodes and setting text are not.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../tools/site';

/** The lines of `code` that the project's Biome configuration reports with the HTML-strings rule. */
function flaggedLines(code: string): number[] {
  const dir = mkdtempSync(join(tmpdir(), 'xpeft-lint-'));
  writeFileSync(join(dir, 'probe.ts'), code);
  const biome = join(ROOT, 'node_modules', '.bin', 'biome');
  const out = spawnSync(biome, ['lint', `--config-path=${ROOT}`, '--max-diagnostics=100', 'probe.ts'], {
    cwd: dir,
    encoding: 'utf8',
  });
  const text = `${out.stdout}${out.stderr}`;
  return [...text.matchAll(/probe\.ts:(\d+):\d+ plugin/g)].map((m) => Number(m[1]));
}

describe('the no-HTML-strings lint rule', () => {
  it('reports every way of parsing a string as HTML', () => {
    const code = [
      'const el = document.body;',
      "el.innerHTML = '<b>x</b>';",
      "el.outerHTML += '<i>y</i>';",
      "el.insertAdjacentHTML('beforeend', '<p>z</p>');",
      "document.write('<script></script>');",
      "new Range().createContextualFragment('<img>');",
      "el.textContent = '<b>only text</b>';",
      "el.append(document.createElement('b'));",
      'export { el };',
    ].join('\n');
    expect(flaggedLines(code)).toEqual([2, 3, 4, 5, 6]);
  });
});
