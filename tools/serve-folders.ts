// A local HTTP server over folders: serves the built site and the model for `npm start`, and URL-base
// and hub sources in tests. It records every request path. Every answer carries the cross-origin
// isolation headers (COOP/COEP), so pages it serves have SharedArrayBuffer and threaded WebAssembly, and
// nothing outside the routed folders can be reached.

import { readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
};

/**
 * Cross-origin isolation (see vite.config.ts too): the page embeds only its own files and CORS answers,
 * and its files are for its own origin only. No CORS header: other sites' pages cannot read these files.
 */
export const ISOLATION_HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
} as const;

export interface FileServer {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

/** Serves `routes` (URL prefix → folder) on 127.0.0.1 at `port` (default: a free one). */
export async function serveFolders(routes: Record<string, string>, port = 0): Promise<FileServer> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400).end('bad request');
      return;
    }
    requests.push(path);
    for (const [prefix, dir] of Object.entries(routes)) {
      if (!path.startsWith(prefix)) continue;
      const root = resolve(dir);
      const file = resolve(root, `.${sep}${path.slice(prefix.length) || 'index.html'}`);
      // Confined to the folder: `..` (even encoded as %2f) cannot reach a sibling such as dist-other/.
      if (relative(root, file).startsWith('..') || isAbsolute(relative(root, file))) break;
      try {
        if (!statSync(file).isFile()) break;
        const body = readFileSync(file);
        res.writeHead(200, {
          'content-length': body.byteLength,
          'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
          ...ISOLATION_HEADERS,
        });
        res.end(body);
        return;
      } catch {
        break;
      }
    }
    res.writeHead(404).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
