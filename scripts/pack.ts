// The package as another project gets it (tests and benchmarks): `npm run build:lib`, `npm pack`, and an install of the
// tarball into a fresh project with no network (its dependencies come from npm's cache, pinned by a
// lockfile made from this repository's, so the versions are the ones the tests ran with).

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../tools/paths';

interface LockEntry {
  dev?: boolean;
  devOptional?: boolean;
  [field: string]: unknown;
}

/** Builds and packs the library; returns the tarball's path. */
export function packLibrary(): string {
  execFileSync('npm', ['run', 'build:lib'], { cwd: ROOT, stdio: 'pipe' });
  const out = mkdtempSync(join(tmpdir(), 'xpeft-pack-'));
  const name = execFileSync('npm', ['pack', '--pack-destination', out], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  })
    .trim()
    .split('\n')
    .at(-1)!;
  return join(out, name);
}

/** A fresh project with the tarball installed offline (`npm ci --offline`); returns its folder. */
export function installInFreshProject(tarball: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'xpeft-consumer-'));
  const file = 'xpeft-web.tgz';
  const bytes = readFileSync(tarball);
  writeFileSync(join(dir, file), bytes);
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
  const runtime = Object.entries(lock.packages as Record<string, LockEntry>).filter(
    ([path, entry]) => path !== '' && !entry.dev && !entry.devOptional,
  );
  const dependencies = { 'xpeft-web': `file:${file}` };
  const packages = {
    '': { name: 'consumer', dependencies },
    ...Object.fromEntries(runtime),
    'node_modules/xpeft-web': {
      version: pkg.version,
      resolved: `file:${file}`,
      integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
      dependencies: pkg.dependencies,
    },
  };
  const manifest = {
    name: 'consumer',
    private: true,
    type: 'module',
    dependencies,
    overrides: pkg.overrides,
  };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  writeFileSync(
    join(dir, 'package-lock.json'),
    JSON.stringify({ name: 'consumer', lockfileVersion: 3, requires: true, packages }, null, 2),
  );
  execFileSync('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: dir,
    stdio: 'pipe',
  });
  return dir;
}

/**
 * Builds examples/embed in `project` (a fresh project with the package installed) with the example's own
 * Vite config, as its site would; returns the output folder.
 */
export async function buildEmbedExample(project: string): Promise<string> {
  const example = join(ROOT, 'examples', 'embed');
  for (const file of ['index.html', 'main.ts', 'vite.config.ts'])
    copyFileSync(join(example, file), join(project, file));
  // The example's own dev dependency, as its `npm install` would give it.
  symlinkSync(join(ROOT, 'node_modules', 'vite'), join(project, 'node_modules', 'vite'));
  const { build } = await import('vite');
  await build({ root: project, configFile: join(project, 'vite.config.ts'), logLevel: 'error' });
  return join(project, 'dist');
}
