// Downloaded files are cached with their sha256: a second load makes no request, a corrupted entry is
// discarded and fetched again rather than used, and a file that does not parse or does not have its
// pinned digest is never kept.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRandomBank,
  disposeBank,
  Engine,
  LanguageModel,
  memoryFileCache,
  readThroughCache,
  saveBankFile,
  useBackend,
} from '../src/advanced';
import { sha256Hex } from '../src/util/sha256';
import { type FileServer, serveFolders } from '../tools/serve-folders';
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
    expect(
      (await readThroughCache(cache, 'k', async () => bytes, { expectedSha256: expected })).outcome,
    ).toBe('miss');
    expect(
      (await readThroughCache(cache, 'k', async () => bytes, { expectedSha256: expected })).outcome,
    ).toBe('hit');
    cache.entries.set('k#sha256', new TextEncoder().encode('0'.repeat(64)));
    expect(
      (await readThroughCache(cache, 'k', async () => bytes, { expectedSha256: expected })).outcome,
    ).toBe('refetched-corrupt');
    await expect(
      readThroughCache(memoryFileCache(), 'x', async () => bytes, { expectedSha256: '1'.repeat(64) }),
    ).rejects.toThrowError(/expected 1111/);
  });

  it('never keeps a file that does not parse, and drops a kept one that stopped parsing', async () => {
    const cache = memoryFileCache();
    const html = new TextEncoder().encode('<!doctype html><p>Service unavailable</p>');
    const json = new TextEncoder().encode('{"ok":true}');
    const validate = (b: Uint8Array) => void JSON.parse(new TextDecoder().decode(b));
    await expect(readThroughCache(cache, 'c', async () => html, { validate })).rejects.toThrow(/JSON/);
    expect(cache.entries.size).toBe(0);
    expect((await readThroughCache(cache, 'c', async () => json, { validate })).outcome).toBe('miss');
    // An entry kept by an older version, before files were checked: dropped and fetched again.
    cache.entries.set('c', html);
    cache.entries.set('c#sha256', new TextEncoder().encode(await sha256Hex(html)));
    const again = await readThroughCache(cache, 'c', async () => json, { validate });
    expect(again.outcome).toBe('refetched-invalid');
    expect(cache.entries.get('c')).toEqual(json);
  });

  it('recovers a model load after a server answered an error page with status 200 once', async () => {
    const dir = writeTinyModel({ seed: 72 });
    const broken = await serveFolders({ '/m/': dir });
    const good = readFileSync(join(dir, 'config.json'));
    writeFileSync(join(dir, 'config.json'), '<!doctype html><p>maintenance</p>');
    const cache = memoryFileCache();
    const source = { kind: 'url' as const, base: `${broken.url}/m` };
    try {
      await expect(LanguageModel.load(source, { cache })).rejects.toThrow(/not valid JSON/);
      expect([...cache.entries.keys()].some((k) => k.endsWith('config.json'))).toBe(false);
      writeFileSync(join(dir, 'config.json'), good);
      const model = await LanguageModel.load(source, { cache });
      model.dispose();
    } finally {
      await broken.close();
    }
  });

  it('refuses weights whose sha256 is not the pinned one, and keeps nothing of them', async () => {
    const cache = memoryFileCache();
    const source = { kind: 'url' as const, base: `${server.url}/m` };
    await expect(
      LanguageModel.load(source, { cache, pinned: { 'model.safetensors': '0'.repeat(64) } }),
    ).rejects.toThrow(/expected 0000/);
    expect([...cache.entries.keys()].some((k) => k.includes('model.safetensors'))).toBe(false);
  });

  it('fetches a bank or model file again when the expected one changed, never the stale cached copy', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'xpeft-rebuilt-'));
    const modelDir = writeTinyModel({ seed: 73 });
    const files = await serveFolders({ '/banks/': folder, '/m/': modelDir });
    const model = await LanguageModel.load({ kind: 'url', base: `${files.url}/m` });
    const { hiddenSize: d, numLayers } = model.config;
    const info = { modelFingerprint: model.fingerprint, trainedOn: 'unit test' };
    const build = async (seed: number) => {
      const bank = await createRandomBank({ seed, n: 3, r: 2 }, d, numLayers);
      const bytes = await saveBankFile(bank, info);
      disposeBank(bank);
      writeFileSync(join(folder, 'b.safetensors'), bytes);
      return sha256Hex(bytes);
    };
    const cache = memoryFileCache();
    const source = { kind: 'url' as const, base: `${files.url}/banks` };
    const load = async (sha256: string) => {
      const engine = await Engine.load({
        model,
        bank: { kind: 'file', source, file: 'b.safetensors', sha256 },
        task: { kind: 'regression' },
        cache,
      });
      const bank = engine.fingerprints.bank;
      engine.dispose();
      return bank;
    };
    try {
      const first = await load(await build(1));
      const rebuilt = await build(2); // npm run bank:build again: same name, other bytes
      const second = await load(rebuilt);
      expect(second).not.toBe(first);
      expect(await load(rebuilt)).toBe(second); // and kept: a third load reads the cache
      expect(files.requests.filter((r) => r.endsWith('b.safetensors'))).toHaveLength(2);

      // A model file (config.json here) whose pinned digest changed is fetched again too.
      const config = new Uint8Array(readFileSync(join(modelDir, 'config.json')));
      const mSource = { kind: 'url' as const, base: `${files.url}/m` };
      const pinned = { 'config.json': await sha256Hex(config) };
      (await LanguageModel.load(mSource, { cache, pinned })).dispose();
      const key = [...cache.entries.keys()].find((k) => k.endsWith('/m/config.json'))!;
      cache.entries.set(key, new TextEncoder().encode('{"stale": true}'));
      cache.entries.set(`${key}#sha256`, new TextEncoder().encode(await sha256Hex(cache.entries.get(key)!)));
      (await LanguageModel.load(mSource, { cache, pinned })).dispose();
      expect(cache.entries.get(key)).toEqual(config);
    } finally {
      model.dispose();
      await files.close();
    }
  });
});
