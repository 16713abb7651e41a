// The layer order of the code base, lowest first, and the check that every relative import points to
// the importing file's own layer or one below it. tests/layers.test.ts runs the check in `npm test`;
// docs/architecture.md draws the same order.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

/** Each layer is a list of folders or files (relative to the repository root). */
export const LAYERS: readonly (readonly string[])[] = [
  ['src/util', 'src/errors.ts', 'src/version.ts', 'src/types'],
  ['src/model'],
  ['src/encoder'],
  ['src/backend'],
  ['src/bank'],
  ['src/xpeft'],
  ['src/training'],
  ['src/profile'],
  ['src/history'],
  ['src/engine'],
  ['src/runtime'],
  ['src/personalizer', 'src/bundler', 'src/cli'],
  ['src/index.ts', 'src/advanced.ts'],
  ['src/app'],
  ['tools'],
  ['eval'],
  ['scripts'],
  ['bench'],
  ['tests'],
  ['examples'],
];

/** The layer index of a file, or undefined for files outside every layer (configs, node_modules). */
export function layerOf(file: string): number | undefined {
  const i = LAYERS.findIndex((layer) => layer.some((p) => file === p || file.startsWith(`${p}/`)));
  return i < 0 ? undefined : i;
}

export interface BackReference {
  from: string;
  to: string;
  /** "src/model (1) imports src/engine (9)". */
  why: string;
}

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

/** Every relative import in `sources` (path → text) that reaches above its file's layer. */
export function backReferences(sources: ReadonlyMap<string, string>): BackReference[] {
  const found: BackReference[] = [];
  for (const [from, text] of sources) {
    const own = layerOf(from);
    if (own === undefined) continue;
    for (const [, spec] of text.matchAll(IMPORT)) {
      const to = normalize(join(dirname(from), spec!)).replaceAll('\\', '/');
      const target = layerOf(to);
      if (target !== undefined && target > own) {
        const name = (i: number) => `${LAYERS[i]!.join(', ')} (${i})`;
        found.push({ from, to, why: `${name(own)} imports ${name(target)}` });
      }
    }
  }
  return found;
}

/** The TypeScript sources of every layer under `root`. */
export function readLayeredSources(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      const rel = relative(root, path).replaceAll('\\', '/');
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|mts)$/.test(entry.name) && layerOf(rel) !== undefined)
        out.set(rel, readFileSync(path, 'utf8'));
    }
  };
  for (const top of new Set(LAYERS.flat().map((p) => p.split('/')[0]!))) {
    walk(join(root, top));
  }
  return out;
}
