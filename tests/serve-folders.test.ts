// The local server of `npm start`: files of the routed folders only, with isolation headers, the
// site's Content-Security-Policy and no wildcard CORS; `vite dev` and `vite preview` send the same
// headers.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, preview } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ISOLATION_HEADERS, xpeftWeb } from '../src/bundler/vite';
import { ROOT } from '../tools/paths';
import {
  CONTENT_SECURITY_POLICY,
  type FileServer,
  REQUEST_LOG_SIZE,
  SITE_HEADERS,
  serveFolders,
} from '../tools/serve-folders';

const base = mkdtempSync(join(tmpdir(), 'xpeft-serve-'));
const dist = join(base, 'dist');
mkdirSync(join(dist, 'assets'), { recursive: true });
mkdirSync(join(base, 'dist-other'));
writeFileSync(join(dist, 'index.html'), '<p>page</p>');
writeFileSync(join(dist, 'assets', 'engine-worker-x.js'), 'postMessage(1);');
writeFileSync(join(base, 'dist-other', 'key.txt'), 'secret');
writeFileSync(join(base, 'key.txt'), 'secret');
symlinkSync(join(base, 'key.txt'), join(dist, 'escape.txt'));
symlinkSync(join(base, 'dist-other'), join(dist, 'other'));
symlinkSync(join(dist, 'index.html'), join(dist, 'alias.html'));
symlinkSync(dist, join(base, 'dist-link'));

/** The page and the engine worker's script as each server names them. */
const BUILT = ['/', '/assets/engine-worker-x.js'];
const DEV = ['/', '/src/runtime/engine-worker.ts?worker_file&type=module'];

async function expectSiteHeaders(url: string, paths: string[]): Promise<void> {
  for (const path of paths) {
    const res = await fetch(`${url}${path}`);
    expect(res.status, path).toBe(200);
    for (const [name, value] of Object.entries(SITE_HEADERS)) expect(res.headers.get(name), name).toBe(value);
  }
}

describe('the site policy', () => {
  it('keeps connections to this origin, lets the engine compile WebAssembly, and forbids framing', () => {
    const directives = CONTENT_SECURITY_POLICY.split('; ');
    expect(directives).toContain("connect-src 'self'");
    expect(directives).toContain("script-src 'self' 'wasm-unsafe-eval' blob:");
    expect(directives).toContain("frame-ancestors 'none'");
    expect(directives).toContain("object-src 'none'");
  });
});

describe('serveFolders', () => {
  let server: FileServer;
  beforeAll(async () => {
    server = await serveFolders({ '/': dist });
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

  it('sends the Content-Security-Policy with the page and the worker script', async () => {
    await expectSiteHeaders(server.url, BUILT);
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

  it('refuses links that lead out of the folder and follows those that stay inside', async () => {
    for (const path of ['/escape.txt', '/other/key.txt']) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(404);
      expect(await res.text()).not.toBe('secret');
    }
    expect(await (await fetch(`${server.url}/alias.html`)).text()).toBe('<p>page</p>');
    const linked = await serveFolders({ '/': join(base, 'dist-link') });
    try {
      expect(await (await fetch(`${linked.url}/`)).text()).toBe('<p>page</p>');
    } finally {
      await linked.close();
    }
  });

  it('keeps only the latest request paths', async () => {
    const logged = await serveFolders({ '/': dist });
    try {
      for (let i = 0; i < REQUEST_LOG_SIZE + 5; i++) await (await fetch(`${logged.url}/${i}`)).text();
      expect(logged.requests.length).toBe(REQUEST_LOG_SIZE);
      expect(logged.requests[0]).toBe('/5');
      expect(logged.requests.at(-1)).toBe(`/${REQUEST_LOG_SIZE + 4}`);
    } finally {
      await logged.close();
    }
  });
});

describe('vite dev and vite preview', () => {
  it('send the site headers with the page and the worker script', async () => {
    const quiet = { root: ROOT, logLevel: 'silent' as const };
    const dev = await createServer({
      ...quiet,
      server: { port: 0, hmr: false },
      optimizeDeps: { noDiscovery: true },
    });
    await dev.listen();
    try {
      await expectSiteHeaders(`http://localhost:${(dev.httpServer!.address() as AddressInfo).port}`, DEV);
    } finally {
      await dev.close();
    }
    const built = await preview({ ...quiet, build: { outDir: dist }, preview: { port: 0 } });
    try {
      await expectSiteHeaders(`http://localhost:${(built.httpServer.address() as AddressInfo).port}`, BUILT);
    } finally {
      await built.close();
    }
  });
});

describe("the package's Vite plugin", () => {
  it('makes a page that uses it cross-origin isolated under vite dev and vite preview', async () => {
    const page = mkdtempSync(join(tmpdir(), 'xpeft-plugin-'));
    writeFileSync(join(page, 'index.html'), '<p>page</p>');
    const own = {
      root: page,
      configFile: false as const,
      logLevel: 'silent' as const,
      plugins: [xpeftWeb()],
    };
    const expectIsolated = async (url: string) => {
      const res = await fetch(`${url}/`);
      expect(res.status).toBe(200);
      for (const [name, value] of Object.entries(ISOLATION_HEADERS))
        expect(res.headers.get(name), name).toBe(value);
    };
    const dev = await createServer({
      ...own,
      server: { port: 0, hmr: false },
      optimizeDeps: { noDiscovery: true },
    });
    await dev.listen();
    try {
      await expectIsolated(`http://localhost:${(dev.httpServer!.address() as AddressInfo).port}`);
    } finally {
      await dev.close();
    }
    mkdirSync(join(page, 'dist'));
    writeFileSync(join(page, 'dist', 'index.html'), '<p>built</p>');
    const built = await preview({ ...own, preview: { port: 0 } });
    try {
      await expectIsolated(`http://localhost:${(built.httpServer.address() as AddressInfo).port}`);
    } finally {
      await built.close();
    }
  });
});
