// Where a checkpoint's files come from: a local folder (Node), a URL base (browser or Node), or a
// Hugging Face hub id (its files read over HTTPS from the hub's resolve URLs). Downloads go through
// the verified cache when one is given (the page's worker gives the browser's Cache API).

import { ModelFileError } from '../errors';
import { concatArrays } from '../util/concat';
import { sha256Hex } from '../util/sha256';
import { type FileCache, readThroughCache } from './cache';

/**
 * Where a model's files are: a folder (Node), a URL base (a browser or Node), or a Hugging Face hub id.
 *
 * @group Entry points
 */
export type ModelSource =
  | { kind: 'dir'; path: string }
  | { kind: 'url'; base: string }
  | { kind: 'hub'; id: string; revision?: string; host?: string };

export interface FileProgress {
  file: string;
  loaded: number; // bytes
  total: number | undefined; // bytes, when the source knows it
}

export interface ReadOptions {
  onProgress?: (p: FileProgress) => void;
  signal?: AbortSignal;
  /** Keep downloads here and read them back (verified by sha256) instead of downloading again. */
  cache?: FileCache;
  /** Known sha256 (hex) by file name: a file with other bytes is refused, never cached. */
  pinned?: Readonly<Record<string, string>>;
}

/**
 * Turns a command-line or config string into a source: http(s) URLs and paths starting with "/" in a
 * browser are URL bases, existing-looking paths ("./x", "../x", "/x", "C:\x") in Node are folders, and
 * anything of the form "owner/name" is a hub id.
 */
export function parseModelSource(spec: string): ModelSource {
  if (/^https?:\/\//.test(spec)) return { kind: 'url', base: spec };
  const inBrowser = typeof window !== 'undefined' || typeof importScripts === 'function';
  if (/^(\.{1,2}[\\/]|\/|[A-Za-z]:\\)/.test(spec)) {
    return inBrowser ? { kind: 'url', base: spec } : { kind: 'dir', path: spec };
  }
  const [id, revision] = spec.split('@') as [string, string | undefined];
  if (/^[\w.-]+\/[\w.-]+$/.test(id)) return revision ? { kind: 'hub', id, revision } : { kind: 'hub', id };
  throw new ModelFileError(
    `Cannot tell what model source "${spec}" is: use a folder ("./models/name"), a URL base ` +
      `("https://host/path"), or a hub id ("owner/name", optionally "@revision").`,
  );
}

export function describeSource(source: ModelSource): string {
  if (source.kind === 'dir') return source.path;
  if (source.kind === 'url') return source.base;
  if (source.host) return hubBase(source);
  return source.revision ? `${source.id}@${source.revision}` : source.id;
}

async function readDir(path: string, file: string, options: ReadOptions): Promise<Uint8Array> {
  if (typeof process === 'undefined' || !process.getBuiltinModule)
    throw new ModelFileError(`A folder (${path}) can be read in Node only; in a browser give a URL base.`);
  // Node's own modules, taken at run time: no import a bundler would try to resolve for a browser.
  const fs = process.getBuiltinModule('node:fs/promises');
  const nodePath = process.getBuiltinModule('node:path');
  options.signal?.throwIfAborted();
  const bytes = new Uint8Array(await fs.readFile(nodePath.join(path, file)));
  options.onProgress?.({ file, loaded: bytes.byteLength, total: bytes.byteLength });
  return bytes;
}

async function readUrl(
  base: string,
  file: string,
  options: ReadOptions,
  notFound?: string,
): Promise<Uint8Array> {
  const url = `${base.replace(/\/+$/, '')}/${file}`;
  // Revalidated with the server, never taken unasked from the HTTP cache: this is only reached when the
  // verified cache has no good copy, and a stale one from the HTTP cache would be refused again.
  const response = await fetch(url, { signal: options.signal ?? null, cache: 'no-cache' });
  if (!response.ok) {
    const hint = response.status === 404 && notFound ? ` ${notFound}` : '';
    throw new ModelFileError(`GET ${url} answered ${response.status} ${response.statusText}.${hint}`);
  }
  const header = response.headers.get('content-length');
  const total = header === null ? undefined : Number(header);
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    options.onProgress?.({ file, loaded, total });
  }
  return concatArrays(chunks, (n) => new Uint8Array(n));
}

/** The Hugging Face hub; a hub source may name a mirror with the same layout instead (`host`). */
export const HUB_HOST = 'https://huggingface.co';

/** The URL base a hub source's files are read from: `<host>/<id>/resolve/<revision>`. */
export function hubBase(source: Extract<ModelSource, { kind: 'hub' }>): string {
  const host = (source.host ?? HUB_HOST).replace(/\/+$/, '');
  return `${host}/${source.id}/resolve/${encodeURIComponent(source.revision ?? 'main')}`;
}

/** Reads one file of a checkpoint, through the cache if one is given; errors name the source and the file. */
export async function readModelFile(
  source: ModelSource,
  file: string,
  options: ReadOptions = {},
  validate?: (bytes: Uint8Array) => void,
): Promise<Uint8Array> {
  const expectedSha256 = options.pinned?.[file];
  const checks = { ...(expectedSha256 ? { expectedSha256 } : {}), ...(validate ? { validate } : {}) };
  if (!options.cache || source.kind === 'dir') {
    const bytes = await readUncached(source, file, options);
    if (expectedSha256 && (await sha256Hex(bytes)) !== expectedSha256)
      throw new ModelFileError(`${file} from ${describeSource(source)} does not have its known sha256.`);
    return bytes;
  }
  const { bytes } = await readThroughCache(
    options.cache,
    `${describeSource(source)}/${file}`,
    () => readUncached(source, file, options),
    checks,
  );
  options.onProgress?.({ file, loaded: bytes.byteLength, total: bytes.byteLength });
  return bytes;
}

async function readUncached(source: ModelSource, file: string, options: ReadOptions): Promise<Uint8Array> {
  try {
    if (source.kind === 'dir') return await readDir(source.path, file, options);
    if (source.kind === 'hub') return await readUrl(hubBase(source), file, options);
    return await readUrl(source.base, file, options, SERVE_THE_MODEL);
  } catch (e) {
    if (e instanceof ModelFileError || (e as Error).name === 'AbortError') throw e;
    const missing =
      source.kind === 'dir' && (e as { code?: string }).code === 'ENOENT'
        ? ` \`npx xpeft-web fetch-model ${source.path}\` puts the default model there.`
        : '';
    throw new ModelFileError(
      `Cannot read ${file} from ${describeSource(source)}: ${(e as Error).message}.${missing}`,
    );
  }
}

const SERVE_THE_MODEL =
  "The site must serve the model's files there: `npx xpeft-web fetch-model <folder>` puts the default model in a folder.";

export async function readModelJson(
  source: ModelSource,
  file: string,
  options: ReadOptions = {},
): Promise<unknown> {
  const parse = (bytes: Uint8Array) => {
    try {
      return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    } catch (e) {
      throw new ModelFileError(
        `${file} from ${describeSource(source)} is not valid JSON: ${(e as Error).message}`,
      );
    }
  };
  return parse(await readModelFile(source, file, options, (bytes) => void parse(bytes)));
}
