// The engine's errors keep their names in a minified bundle without keepNames (which esbuild cannot
// use with tfjs's WebAssembly threads): the page rebuilds the worker's errors by those names.

import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { expect, it } from 'vitest';
import * as errors from '../src/errors';
import { ROOT } from '../tools/paths';

it('names every error class by its export name, also once minified', async () => {
  const out = await build({
    entryPoints: [join(ROOT, 'src', 'errors.ts')],
    bundle: true,
    format: 'esm',
    minify: true,
    write: false,
  });
  const file = join(tmpdir(), `xpeft-errors-${process.pid}.mjs`);
  writeFileSync(file, out.outputFiles[0]!.text);
  const minified = (await import(pathToFileURL(file).href)) as Record<string, new (m: string) => Error>;
  const classes = Object.entries(errors).filter(([, c]) => typeof c === 'function');
  expect(classes.length).toBeGreaterThan(20);
  for (const [name] of classes) {
    const Class = minified[name]!;
    expect(Class.name, name).toBe(name);
    expect(Object.create(Class.prototype) instanceof Error).toBe(true);
  }
  expect(new minified.ModelFileError!('gone').name).toBe('ModelFileError');
  expect(new minified.XpeftError!('any').name).toBe('XpeftError');
});
