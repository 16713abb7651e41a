// Downloaded files are cached with their sha256: a second load makes no request, and a corrupted entry
// is discarded and fetched again rather than used.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FileServer, serveFolders } from '../scripts/serve-folders';
import { LanguageModel, memoryFileCache, readThroughCache, sha256Hex, useBackend } from '../src/index';
import { writeTinyModel } from './helpers/tiny-model';

describe('file cache', () => {
  let server: FileServer;
  beforeAll(async () => {
    await useBackend('cpu');
    server = await serveFolders({ '/m/': writeTinyModel({ seed: 71 }) });
  });
  afterAll(() => server.close());

  it('serves a second load from the cache and refetches a corrupted entry', async () => {
    const cache = memoryFileCache();
    const source = { kind: 'url' as const, base: `${server.url}/m` };
    const first = await LanguageModel.load(source, { cache });
    const reference = await first.embed(['cached']);
    first.dispose();
    const afterFirst = server.requests.length;
    expect(afterFirst).toBe(4);

    const second = await LanguageModel.load(source, { cache });
    expect(await second.embed(['cached'])).toEqual(reference);
    second.dispose();
    expect(server.requests.length).toBe(afterFirst); // nothing downloaded again

    const key = [...cache.entries.keys()].find((k) => k.endsWith('/model.safetensors'))!;
    const corrupt = cache.entries.get(key)!.slice();
    corrupt[corrupt.length - 1]! ^= 0xff;
    cache.entries.set(key, corrupt);
    const third = await LanguageModel.load(source, { cache });
    expect(await third.embed(['cached'])).toEqual(reference);
    third.dispose();
    expect(server.requests.slice(afterFirst)).toEqual(['/m/model.safetensors']);
  });

  it('reports its outcome and refuses bytes whose sha256 is not the expected one', async () => {
    const cache = memoryFileCache();
    const bytes = new TextEncoder().encode('bank bytes');
    const expected = await sha256Hex(bytes);
    expect((await readThroughCache(cache, 'k', async () => bytes, expected)).outcome).toBe('miss');
    expect((await readThroughCache(cache, 'k', async () => bytes, expected)).outcome).toBe('hit');
    cache.entries.set('k#sha256', new TextEncoder().encode('0'.repeat(64)));
    expect((await readThroughCache(cache, 'k', async () => bytes, expected)).outcome).toBe(
      'refetched-corrupt',
    );
    await expect(
      readThroughCache(memoryFileCache(), 'x', async () => bytes, '1'.repeat(64)),
    ).rejects.toThrowError(/expected 1111/);
  });
});
