// A local HTTP server over folders: serves the built site and the model for `npm start`, and URL-base
// and hub sources in tests. It records the latest request paths. Every answer carries the site's
// headers (cross-origin isolation and the Content-Security-Policy), so pages it serves have
// SharedArrayBuffer and threaded WebAssembly under the policy they ship with, and nothing outside the
// routed folders can be reached, not even through a symbolic link.

import { readFileSync, realpathSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
// Cross-origin isolation, as the package's Vite plugin sends it: the page embeds only its own files and
// CORS answers, and its files are for its own origin only (no CORS header: other sites cannot read them).
import { ISOLATION_HEADERS } from '../src/bundler/vite.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
};

/**
 * The site's Content-Security-Policy, for the page and for the engine worker (a worker runs under the
 * policy its script is sent with, never under the page's). Only this origin's scripts, styles, images,
 * workers and connections; nothing inline, no eval, no plugins, no forms, no framing by other pages.
 * The engine compiles WebAssembly ('wasm-unsafe-eval'), and tfjs's wasm backend starts its threads as
 * workers from blob: URLs that load their script from another blob: URL.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval' blob:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The headers every answer of the site carries, from `npm start`, `vite dev` and `vite preview`. */
export const SITE_HEADERS = {
  ...ISOLATION_HEADERS,
  'content-security-policy': CONTENT_SECURITY_POLICY,
} as const;

/** How many request paths a server keeps: the latest ones, so a long-running server stays small. */
export const REQUEST_LOG_SIZE = 1000;

export interface FileServer {
  url: string;
  /** The latest request paths, oldest first (at most REQUEST_LOG_SIZE). */
  requests: string[];
  close(): Promise<void>;
}

/** Whether `path` is `root` or lies under it. */
function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return !rel.startsWith('..') && !isAbsolute(rel);
}

/** Serves `routes` (URL prefix → folder) on 127.0.0.1 at `port` (default: a free one). */
export async function serveFolders(routes: Record<string, string>, port = 0): Promise<FileServer> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400, SITE_HEADERS).end('bad request');
      return;
    }
    requests.push(path);
    if (requests.length > REQUEST_LOG_SIZE) requests.shift();
    for (const [prefix, dir] of Object.entries(routes)) {
      if (!path.startsWith(prefix)) continue;
      const root = resolve(dir);
      const file = resolve(root, `.${sep}${path.slice(prefix.length) || 'index.html'}`);
      // Confined to the folder: `..` (even encoded as %2f) cannot reach a sibling such as dist-other/,
      // and neither can a link inside the folder that points out of it.
      if (!inside(root, file)) break;
      try {
        if (!inside(realpathSync(root), realpathSync(file)) || !statSync(file).isFile()) break;
        const body = readFileSync(file);
        res.writeHead(200, {
          'content-length': body.byteLength,
          'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
          ...SITE_HEADERS,
        });
        res.end(body);
        return;
      } catch {
        break;
      }
    }
    res.writeHead(404, SITE_HEADERS).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
