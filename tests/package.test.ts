// The npm package: `npm run build:lib` and `npm pack` give a tarball that installs into a fresh
// project without a network, whose Node code trains and predicts with createPersonalizer from it, and
// whose TypeScript sees the package's types.

import { execFileSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { installInFreshProject, packLibrary } from '../scripts/pack';
import { ROOT } from '../tools/site';
import { writeTinyModel } from './helpers/tiny-model';

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
      'types/index.d.ts',
      'types/advanced.d.ts',
    ])
      expect(listed).toContain(`package/dist/lib/${file}`);
    expect(listed.filter((f) => !/^package\/(dist\/lib\/|package\.json$|README\.md$)/.test(f))).toEqual([]);
    console.info(
      `xpeft-web tarball: ${(statSync(tarball).size / 1000).toFixed(1)} kB, ${listed.length} files`,
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
    const tsc = join(ROOT, 'node_modules', '.bin', 'tsc');
    const flags = ['--noEmit', '--strict', '--skipLibCheck', '--target', 'es2022', '--module', 'esnext'];
    execFileSync(tsc, [...flags, '--moduleResolution', 'bundler', '--lib', 'es2022,dom', 'typed.ts'], {
      cwd: project,
      stdio: 'pipe',
    });
  });
});
