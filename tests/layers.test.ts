// The layer order (tools/layers.ts, drawn in docs/architecture.md): every relative import stays in its
// layer or reaches below it, so a back-reference fails `npm test`.

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backReferences, LAYERS, layerOf, readLayeredSources } from '../tools/layers';

const ROOT = join(import.meta.dirname, '..');

describe('layers', () => {
  const sources = readLayeredSources(ROOT);

  it('finds no import that reaches above its own layer', () => {
    expect(sources.size).toBeGreaterThan(100);
    expect(backReferences(sources)).toEqual([]);
  });

  it('catches a back-reference, naming both files and both layers', () => {
    const broken = new Map(sources);
    broken.set('src/model/broken.ts', "import { Engine } from '../engine/engine';\n");
    broken.set('tools/broken.ts', "export { flag } from '../scripts/make-samples';\n");
    expect(backReferences(broken)).toEqual([
      { from: 'src/model/broken.ts', to: 'src/engine/engine', why: 'src/model (1) imports src/engine (9)' },
      { from: 'tools/broken.ts', to: 'scripts/make-samples', why: 'tools (14) imports scripts (16)' },
    ]);
  });

  it('places every tracked TypeScript file but the root configs in exactly one layer', () => {
    const tracked = execFileSync('git', ['ls-files', '*.ts', '*.mts'], { cwd: ROOT, encoding: 'utf8' })
      .split('\n')
      .filter((f) => f.length > 0 && f.includes('/'));
    expect(tracked.filter((f) => layerOf(f) === undefined)).toEqual([]);
    const all = LAYERS.flat();
    expect(new Set(all).size).toBe(all.length);
  });
});
