// The local server of `npm start`: files of the routed folders only, with isolation headers and no
// wildcard CORS.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FileServer, serveFolders } from '../tools/serve-folders';

describe('serveFolders', () => {
  let server: FileServer;
  beforeAll(async () => {
    const base = mkdtempSync(join(tmpdir(), 'xpeft-serve-'));
    mkdirSync(join(base, 'dist'));
    mkdirSync(join(base, 'dist-other'));
    writeFileSync(join(base, 'dist', 'index.html'), '<p>page</p>');
    writeFileSync(join(base, 'dist-other', 'key.txt'), 'secret');
    writeFileSync(join(base, 'key.txt'), 'secret');
    server = await serveFolders({ '/': join(base, 'dist') });
  });
  afterAll(() => server.close());

  it('serves the folder with cross-origin isolation and no wildcard CORS', async () => {
    const res = await fetch(`${server.url}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('<p>page</p>');
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('never reaches outside the folder, a sibling with the same prefix included', async () => {
    for (const path of [
      '/..%2fdist-other/key.txt',
      '/..%2fkey.txt',
      '/%2e%2e/key.txt',
      '/../key.txt',
      '/%E0%A4%A',
    ]) {
      const res = await fetch(`${server.url}${path}`);
      expect([400, 404]).toContain(res.status);
      expect(await res.text()).not.toBe('secret');
    }
  });
});
