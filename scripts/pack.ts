// The package as another project gets it (tests and benchmarks): `npm run build:lib`, `npm pack`, and
// `npm install` of the tarball into an empty project, as a page author runs it.

import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../tools/paths';

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

/**
 * An empty project with the tarball installed as a page author would: `npm install <tarball>`, install
 * scripts on, no overrides and no lockfile of ours (npm's cache first, the registry for anything else);
 * returns its folder.
 */
export function installInFreshProject(tarball: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'xpeft-consumer-'));
  const file = 'xpeft-web.tgz';
  copyFileSync(tarball, join(dir, file));
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2),
  );
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', `./${file}`], {
    cwd: dir,
    stdio: 'pipe',
  });
  return dir;
}

/** Copies an example's files into `project` and links its bundler in, as its `npm install` would. */
function placeExample(project: string, example: string, files: string[], bundler: string): void {
  for (const file of files) copyFileSync(join(ROOT, 'examples', example, file), join(project, file));
  symlinkSync(join(ROOT, 'node_modules', bundler), join(project, 'node_modules', bundler));
}

/**
 * Builds examples/embed in `project` (a fresh project with the package installed) with the example's own
 * Vite config, as its site would; returns the output folder.
 */
export async function buildEmbedExample(project: string): Promise<string> {
  placeExample(project, 'embed', ['index.html', 'main.ts', 'vite.config.ts'], 'vite');
  const { build } = await import('vite');
  await build({ root: project, configFile: join(project, 'vite.config.ts'), logLevel: 'error' });
  return join(project, 'dist');
}

/** Builds examples/esbuild in `project` with its own build script (`npm run build`); returns the output folder. */
export function buildEsbuildExample(project: string): string {
  placeExample(
    project,
    'esbuild',
    ['index.html', 'style.css', 'main.ts', 'worker.ts', 'build.mjs'],
    'esbuild',
  );
  execFileSync('node', ['build.mjs'], { cwd: project, stdio: 'pipe' });
  return join(project, 'dist');
}
