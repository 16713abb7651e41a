// What an installing page takes: the library's code imports no package it does not declare as a
// dependency (transformers.js, onnxruntime-web and the other development tools stay the repository's),
// so `npm install xpeft-web` brings everything it runs and nothing else.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLayeredSources } from '../tools/layers';
import { ROOT } from '../tools/paths';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
  devDependencies: Record<string, string>;
};

/** The packages a source imports (`import … from 'x'`, `import('x')`), by package name. */
function importedPackages(source: string): string[] {
  const specifiers = [...source.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g)].map(
    (m) => m[1]!,
  );
  return specifiers
    .filter((s) => !s.startsWith('.') && !s.startsWith('node:') && !s.startsWith('/'))
    .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!));
}

const optionalPeer = (name: string) =>
  name in pkg.peerDependencies && pkg.peerDependenciesMeta[name]?.optional === true;

describe('the package’s dependencies', () => {
  // The library is src/ but the demo page (src/app), which the repository builds and serves itself.
  const library = [...readLayeredSources(ROOT)].filter(
    ([file]) => file.startsWith('src/') && !file.startsWith('src/app/'),
  );

  it('the library imports only what it declares as dependencies', () => {
    expect(library.length).toBeGreaterThan(50);
    const undeclared = library.flatMap(([file, source]) =>
      importedPackages(source)
        // optional peers: the bundler plugins' types and the bundler a plugin runs in; the package's
        // own name: its docs' examples
        .filter((name) => !(name in pkg.dependencies) && !optionalPeer(name) && name !== pkg.name)
        .map((name) => `${file} imports ${name}`),
    );
    expect(undeclared).toEqual([]);
    // Only the bundler plugins may use an optional peer; the rest of the library needs none.
    const peersOutsidePlugins = library.filter(
      ([file, source]) =>
        !file.startsWith('src/bundler/') && importedPackages(source).some((name) => optionalPeer(name)),
    );
    expect(peersOutsidePlugins.map(([file]) => file)).toEqual([]);
  });

  it('keeps transformers.js, and so onnxruntime, out of what a page installs', () => {
    expect(Object.keys(pkg.dependencies)).not.toContain('@xenova/transformers');
    expect(pkg.devDependencies['@xenova/transformers']).toBeDefined(); // the comparison benchmarks
    expect(
      importedPackages("import { Tokenizer } from '@huggingface/tokenizers';\nimport x from 'a/b';"),
    ).toEqual(['@huggingface/tokenizers', 'a']);
  });
});
