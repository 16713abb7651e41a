// Model sources: a folder, a URL base and a hub id (read from the hub's resolve URLs, here a local server
// that mimics the hub's URL layout) all give the same model.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHECKPOINT_FILES,
  type CheckpointProgress,
  hubBase,
  LanguageModel,
  ModelFileError,
  memoryFileCache,
  parseModelSource,
  useBackend,
} from '../src/advanced';
import { type FileServer, serveFolders } from '../tools/serve-folders';
import { writeTinyModel } from './helpers/tiny-model';

describe('model sources', () => {
  let dir: string;
  let server: FileServer;
  let reference: Float32Array[];
  const texts = ['The same model from three places.'];

  beforeAll(async () => {
    await useBackend('cpu');
    dir = writeTinyModel({ seed: 5 });
    server = await serveFolders({ '/plain/': dir, '/acme/tiny-bert/resolve/main/': dir });
    const model = await LanguageModel.load({ kind: 'dir', path: dir });
    reference = await model.embed(texts);
    model.dispose();
  });
  afterAll(() => server.close());

  it('loads from a URL base with per-file progress', async () => {
    const events: CheckpointProgress[] = [];
    const model = await LanguageModel.load(
      { kind: 'url', base: `${server.url}/plain/` },
      { onProgress: (p) => events.push(p) },
    );
    expect(await model.embed(texts)).toEqual(reference);
    model.dispose();
    expect(new Set(events.map((e) => e.file))).toEqual(new Set(CHECKPOINT_FILES));
    const last = events.filter((e) => e.file === 'model.safetensors').at(-1)!;
    expect(last.loaded).toBe(last.total);
    expect(events.at(-1)!.overallLoaded).toBeGreaterThanOrEqual(last.loaded);
  });

  it('reads a hub id from the hub’s resolve URLs (a stand-in host here), and a second load from the cache', async () => {
    const cache = memoryFileCache();
    const source = { kind: 'hub' as const, id: 'acme/tiny-bert', host: `${server.url}/` };
    const before = server.requests.length;
    const first = await LanguageModel.load(source, { cache });
    expect(await first.embed(texts)).toEqual(reference);
    first.dispose();
    const fetched = server.requests.slice(before);
    expect(fetched.sort()).toEqual(CHECKPOINT_FILES.map((f) => `/acme/tiny-bert/resolve/main/${f}`).sort());
    const second = await LanguageModel.load(source, { cache });
    second.dispose();
    expect(server.requests.length).toBe(before + fetched.length);
    expect(hubBase({ kind: 'hub', id: 'a/b', revision: 'refs/pr/1' })).toBe(
      'https://huggingface.co/a/b/resolve/refs%2Fpr%2F1',
    );
  });

  it('names the file, the source and the step that puts the model there when a file is missing', async () => {
    await expect(LanguageModel.load({ kind: 'url', base: `${server.url}/nowhere` })).rejects.toThrowError(
      /GET http:\/\/127.0.0.1:\d+\/nowhere\/config.json answered 404 .*`npx xpeft-web fetch-model <folder>`/,
    );
    const missing = LanguageModel.load({ kind: 'dir', path: '/no/such/folder' });
    await expect(missing).rejects.toThrowError(ModelFileError);
    await expect(missing).rejects.toThrowError(
      /Cannot read config.json from \/no\/such\/folder: .*`npx xpeft-web fetch-model \/no\/such\/folder` puts the default model there/,
    );
    const hub = { kind: 'hub' as const, id: 'acme/none', host: `${server.url}/` };
    await expect(LanguageModel.load(hub)).rejects.not.toThrowError(/fetch-model/);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      LanguageModel.load({ kind: 'url', base: `${server.url}/plain` }, { signal: controller.signal }),
    ).rejects.toThrowError(/abort/i);
  });

  it('parses source strings', () => {
    expect(parseModelSource('./models/x')).toEqual({ kind: 'dir', path: './models/x' });
    expect(parseModelSource('https://host/m')).toEqual({ kind: 'url', base: 'https://host/m' });
    expect(parseModelSource('sentence-transformers/all-MiniLM-L6-v2')).toEqual({
      kind: 'hub',
      id: 'sentence-transformers/all-MiniLM-L6-v2',
    });
    expect(parseModelSource('a/b@v2')).toEqual({ kind: 'hub', id: 'a/b', revision: 'v2' });
    expect(() => parseModelSource('not a source')).toThrowError(ModelFileError);
  });
});
