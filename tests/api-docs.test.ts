// docs/api is the reference `npm run docs` generates from the code's TSDoc: regenerated here, it must
// match what is committed, so the reference never drifts from the code.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../tools/site';

const files = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();

describe('the API reference', () => {
  it('is what npm run docs generates from the code today', () => {
    const out = mkdtempSync(join(tmpdir(), 'xpeft-api-'));
    execFileSync(join(ROOT, 'node_modules', '.bin', 'typedoc'), ['--out', out, '--logLevel', 'Error'], {
      cwd: ROOT,
      stdio: 'pipe',
    });
    const committed = join(ROOT, 'docs', 'api');
    expect(files(out)).toEqual(files(committed));
    for (const file of files(out))
      expect(readFileSync(join(out, file), 'utf8'), `docs/api/${file} is stale: run npm run docs`).toBe(
        readFileSync(join(committed, file), 'utf8'),
      );
  });
});
