// A cache for downloaded model and bank files. Every entry is stored with the sha256 of its bytes, and
// every read checks it: a corrupted entry (a partial write, storage damage) is discarded and fetched
// again, never used. Given an expected sha256, downloads and entries are also checked against it.
// Given a validator (the file's parser), only bytes that pass it are kept, and a kept entry that no
// longer passes is dropped: a server's error page answered with status 200 is never cached.
// The cache is an optimisation: if it fails, the bytes are still downloaded and used.

import { ModelFileError } from '../errors';
import { sha256Hex } from '../util/sha256';

/** Where cached bytes live: the browser's Cache API, memory, or anything with these three methods. */
export interface FileCache {
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, bytes: Uint8Array): Promise<void>;
  delete(key: string): Promise<void>;
}

export function memoryFileCache(): FileCache & { entries: Map<string, Uint8Array> } {
  const entries = new Map<string, Uint8Array>();
  return {
    entries,
    get: async (key) => entries.get(key),
    put: async (key, bytes) => void entries.set(key, bytes.slice()),
    delete: async (key) => void entries.delete(key),
  };
}

/** The browser's Cache API (persistent across reloads and offline), under `name`. */
export function browserFileCache(name = 'xpeft-models'): FileCache {
  const url = (key: string) => new URL(`/__xpeft-cache__/${encodeURIComponent(key)}`, location.origin).href;
  return {
    async get(key) {
      const hit = await (await caches.open(name)).match(url(key));
      return hit ? new Uint8Array(await hit.arrayBuffer()) : undefined;
    },
    async put(key, bytes) {
      await (await caches.open(name)).put(url(key), new Response(bytes as Uint8Array<ArrayBuffer>));
    },
    async delete(key) {
      await (await caches.open(name)).delete(url(key));
    },
  };
}

export type CacheOutcome = 'hit' | 'miss' | 'refetched-corrupt' | 'refetched-invalid';

export interface CacheChecks {
  /** The bytes' known sha256 (hex): other bytes are neither used nor kept. */
  expectedSha256?: string;
  /** Throws if the bytes are not a usable file (parses them); failing bytes are neither used nor kept. */
  validate?: (bytes: Uint8Array) => void;
}

/**
 * The cached bytes for `key` if their recorded sha256 still matches (and equals `expectedSha256` when
 * given) and they pass `validate`; otherwise the entry is dropped and `fetch` runs, and its bytes are
 * checked the same way, then cached with their digest.
 */
export async function readThroughCache(
  cache: FileCache,
  key: string,
  fetch: () => Promise<Uint8Array>,
  checks: CacheChecks = {},
): Promise<{ bytes: Uint8Array; outcome: CacheOutcome }> {
  const { expectedSha256, validate } = checks;
  const safeGet = (k: string) => cache.get(k).catch(() => undefined);
  const [cached, digest] = await Promise.all([safeGet(key), safeGet(`${key}#sha256`)]);
  let outcome: CacheOutcome = 'miss';
  if (cached && digest) {
    const recorded = new TextDecoder().decode(digest);
    const actual = await sha256Hex(cached);
    outcome = 'refetched-corrupt';
    if (actual === recorded && (expectedSha256 === undefined || actual === expectedSha256)) {
      try {
        validate?.(cached);
        return { bytes: cached, outcome: 'hit' };
      } catch {
        outcome = 'refetched-invalid';
      }
    }
  }
  if (cached || digest) await Promise.allSettled([cache.delete(key), cache.delete(`${key}#sha256`)]);
  const bytes = await fetch();
  const actual = await sha256Hex(bytes);
  if (expectedSha256 !== undefined && actual !== expectedSha256) {
    throw new ModelFileError(
      `downloaded bytes have sha256 ${actual}, expected ${expectedSha256}; not cached or used.`,
    );
  }
  validate?.(bytes); // throws the parser's error: nothing is cached
  // Digest last: an interrupted write leaves bytes without a digest, which the next read discards. A
  // failed write (quota, private mode) only means the next load downloads again.
  try {
    await cache.put(key, bytes);
    await cache.put(`${key}#sha256`, new TextEncoder().encode(actual));
  } catch {
    await Promise.allSettled([cache.delete(key), cache.delete(`${key}#sha256`)]);
  }
  return { bytes, outcome };
}
