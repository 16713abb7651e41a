// The npm package: `npm run build:lib` and `npm pack` give a tarball that installs into a fresh
// project without a network, whose command puts the model in place, where the README's quickstart runs
// as written, whose Node code trains and predicts with createPersonalizer from it, whose
// TypeScript sees the package's types under both module resolutions a page uses, and that publint and
// arethetypeswrong find nothing wrong with.

import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { installInFreshProject, packLibrary } from '../scripts/pack';
import { ROOT } from '../tools/site';
import { writeTinyModel } from './helpers/tiny-model';

/** The consumer's compiler settings: a page's bundler, and Node's own ESM resolution. */
const RESOLUTIONS = {
  bundler: ['--module', 'esnext', '--moduleResolution', 'bundler'],
  nodenext: ['--module', 'nodenext', '--moduleResolution', 'nodenext'],
} as const;
type Resolution = keyof typeof RESOLUTIONS;

/** A command's exit status and everything it printed. */
function runTool(bin: string, args: string[], cwd: string): { status: number | null; output: string } {
  const run = spawnSync(join(ROOT, 'node_modules', '.bin', bin), args, { cwd, encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}`.trim() };
}

/** A consumer's TypeScript: typed.ts uses the small API; entries.ts imports every entry that has types. */
function writeTypedSources(project: string): void {
  writeFileSync(
    join(project, 'typed.ts'),
    `import { createPersonalizer, type Personalizer, type Prediction } from 'xpeft-web';
export async function answer(texts: string[]): Promise<Prediction[]> {
  const p: Personalizer = await createPersonalizer({
    model: { kind: 'url', base: '/models/all-MiniLM-L6-v2' },
    bank: { kind: 'random', seed: 1, n: 100 },
    task: { kind: 'regression' },
  });
  const { profile } = await p.train([{ text: 'hello', label: 3 }]);
  return p.predict(profile, texts);
}
// @ts-expect-error: a task needs a kind
createPersonalizer({ model: { kind: 'hub', id: 'x' }, bank: { kind: 'random', seed: 1, n: 1 }, task: {} });
`,
  );
  const manifest = JSON.parse(readFileSync(join(project, 'node_modules/xpeft-web/package.json'), 'utf8'));
  const exports: Record<string, string | { types?: string }> = manifest.exports;
  const entries = Object.keys(exports).filter((e) => typeof exports[e] === 'object' && exports[e].types);
  expect(entries).toContain('.');
  const imports = entries.map((e, i) => `import type * as entry${i} from '${posix.join('xpeft-web', e)}';`);
  const used = `export type Entries = [${entries.map((_, i) => `typeof entry${i}`).join(', ')}];`;
  writeFileSync(join(project, 'entries.ts'), `${[...imports, used].join('\n')}\n`);
  // xpeft-web/vite's and xpeft-web/esbuild's types are their bundler's plugin types: a page that uses one
  // has that bundler, as examples/embed and examples/esbuild do.
  for (const bundler of ['vite', 'esbuild'])
    if (!existsSync(join(project, 'node_modules', bundler)))
      symlinkSync(join(ROOT, 'node_modules', bundler), join(project, 'node_modules', bundler));
}

/**
 * Type-checks the consumer's sources strictly and without --skipLibCheck, which would skip this
 * package's own declarations and its dependencies' too: no error anywhere. The consumer's lib needs DOM:
 * tfjs, idb-keyval and @webgpu/types name WebGL, IndexedDB and canvas types.
 */
function expectTypesCheck(project: string, resolution: Resolution): void {
  const flags = ['--noEmit', '--pretty', 'false', '--strict', '--target', 'es2022', '--lib', 'es2022,dom'];
  const tsc = runTool('tsc', [...flags, ...RESOLUTIONS[resolution], 'typed.ts', 'entries.ts'], project);
  expect(tsc.output.split('\n').filter((line) => /\berror TS\d+:/.test(line))).toEqual([]);
  expect(tsc.status, tsc.output).toBe(0);
}

describe('the package', () => {
  let tarball: string;
  let project: string;

  beforeAll(() => {
    tarball = packLibrary();
    project = installInFreshProject(tarball);
  }, 300_000);

  it('holds the library, its worker and its types, and nothing else', () => {
    const listed = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
    for (const file of [
      'index.js',
      'advanced.js',
      'engine-worker.js',
      'cli.js',
      'wasm/tfjs-backend-wasm.wasm',
      'wasm/tfjs-backend-wasm-simd.wasm',
      'wasm/tfjs-backend-wasm-threaded-simd.wasm',
      'types/index.d.ts',
      'types/advanced.d.ts',
    ])
      expect(listed).toContain(`package/dist/lib/${file}`);
    expect(listed.filter((f) => !/^package\/(dist\/lib\/|package\.json$|README\.md$)/.test(f))).toEqual([]);
    console.info(
      `xpeft-web tarball: ${(statSync(tarball).size / 1000).toFixed(1)} kB, ${listed.length} files`,
    );
  });

  it('runs the README’s quickstart as written, on the model its command put in place', () => {
    // `npx xpeft-web fetch-model` with the model already there (a copy of the repository's): the command
    // is installed, checks the weights' sha256 and keeps the folder, all without a network.
    cpSync(join(ROOT, 'models', 'all-MiniLM-L6-v2'), join(project, 'models', 'all-MiniLM-L6-v2'), {
      recursive: true,
    });
    const fetched = execFileSync('npx', ['--no-install', 'xpeft-web', 'fetch-model', '--if-missing'], {
      cwd: project,
      encoding: 'utf8',
    });
    expect(fetched).toMatch(/all-MiniLM-L6-v2: already in \.\/models\/all-MiniLM-L6-v2/);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const quickstart = /## Install and use[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)![1]!;
    const example = readFileSync(join(ROOT, 'examples', 'quickstart.ts'), 'utf8').replace(
      /^(\/\/.*\n)+\n/,
      '',
    );
    expect(quickstart).toBe(example); // examples/quickstart.ts is the same code
    writeFileSync(join(project, 'quickstart.mjs'), quickstart);
    const out = execFileSync('node', ['quickstart.mjs'], { cwd: project, encoding: 'utf8' });
    console.info(out.trim());
    expect(out).toMatch(
      /kind: 'label',\s+label: '(show|hide)',\s+probabilities: \[ 0\.\d+, 0\.\d+ \][\s\S]*profile: \d+ bytes/,
    );
  });

  it('trains and predicts in Node from the installed tarball', () => {
    const script = join(project, 'personalize.mjs');
    writeFileSync(
      script,
      `import { createPersonalizer, Profile } from 'xpeft-web';
import { Engine, Profile as SameProfile } from 'xpeft-web/advanced';
const p = await createPersonalizer({
  model: { kind: 'dir', path: ${JSON.stringify(writeTinyModel({ seed: 71 }))} },
  bank: { kind: 'random', seed: 1, n: 8, r: 4 },
  task: { kind: 'classification', labels: ['no', 'yes'] },
  backend: 'cpu',
});
const history = ['great', 'awful', 'lovely', 'bad', 'superb', 'dull'].map((text, i) => ({ text, label: i % 2 ? 'no' : 'yes' }));
const { profile, report } = await p.train(history, { epochs: 2, batchSize: 3, heldOutFraction: 0, mask: { mode: 'hard', k: 2 } });
console.log(JSON.stringify({ advanced: typeof Engine.load === 'function' && Profile === SameProfile, runsIn: p.runsIn, steps: report.steps, bytes: profile.sizes().total, predictions: await p.predict(profile, ['nice', 'poor']) }));
await p.dispose();
`,
    );
    const out = execFileSync('node', [script], { cwd: project, encoding: 'utf8' });
    const result = JSON.parse(out.trim().split('\n').at(-1)!);
    expect(result.advanced).toBe(true); // one module graph behind both entries
    expect(result.runsIn).toBe('thread');
    expect(result.steps).toBe(4);
    expect(result.bytes).toBeGreaterThan(0);
    expect(result.predictions).toHaveLength(2);
    for (const p of result.predictions) expect(p.probabilities[0] + p.probabilities[1]).toBeCloseTo(1, 5);
  });

  it('gives TypeScript its types', () => {
    writeTypedSources(project);
    expectTypesCheck(project, 'bundler');
  });

  it('gives TypeScript its types under Node’s own resolution (nodenext)', () => {
    writeTypedSources(project);
    expectTypesCheck(project, 'nodenext');
  });

  it('passes publint and arethetypeswrong', () => {
    // --strict: publint's warnings fail as its errors do (its suggestions are printed only).
    const publint = runTool('publint', ['run', tarball, '--strict'], ROOT);
    console.info(publint.output);
    expect(publint.status, publint.output).toBe(0);
    // The package is ESM-only ("type": "module", `import` conditions): the esm-only profile leaves out the
    // node10 and require-from-CommonJS resolutions, where "ESM (dynamic import only)" is the right answer.
    const attw = runTool('attw', [tarball, '--profile', 'esm-only', '--format', 'ascii', '--no-color'], ROOT);
    console.info(attw.output);
    expect(attw.status, attw.output).toBe(0);
  });
});
