// Where createPersonalizer finds what it loads, in one object (set its fields before the first call).
// The defaults make an offline page work: the model from the page's own /models/ folder (a folder of
// that name in Node), a random bank regenerated from its recipe (nothing to download), the tfjs
// WebAssembly binaries as the page's bundler copied them, and no Hugging Face hub.

import type { RandomBankRecipe } from '../bank/random';
import { XpeftError } from '../errors';
import { DEFAULT_MODEL_FOLDER } from '../model/known';
import type { ModelSource } from '../model/source';
import type { WorkerEngineOptions } from '../runtime/engine-worker';

/**
 * Where createPersonalizer finds what it loads (see `env`).
 *
 * @group Entry points
 */
export interface PersonalizerEnv {
  /** The frozen model when createPersonalizer is given none. */
  model: ModelSource;
  /** The adapter bank when createPersonalizer is given none. */
  bank: WorkerEngineOptions['bank'];
  /** A URL prefix (ending in '/') holding tfjs's .wasm files; undefined: the bundled ones. */
  wasmPaths: string | undefined;
  /** Whether a model may come from the Hugging Face hub ({ kind: 'hub' }); off keeps a page offline. */
  allowHub: boolean;
}

/** A browser page (which has workers), as opposed to Node or a worker. */
export const inBrowserPage = (): boolean => typeof Worker !== 'undefined' && typeof document !== 'undefined';
const DEFAULT_BANK: RandomBankRecipe = { seed: 0, n: 100 };

/**
 * The defaults createPersonalizer uses when its options leave the model or bank out; set fields before the first call.
 *
 * @group Entry points
 */
export const env: PersonalizerEnv = {
  model: inBrowserPage()
    ? { kind: 'url', base: `/models/${DEFAULT_MODEL_FOLDER}` }
    : { kind: 'dir', path: `./models/${DEFAULT_MODEL_FOLDER}` },
  bank: { kind: 'random', ...DEFAULT_BANK },
  wasmPaths: undefined,
  allowHub: false,
};

/** The model to load: the one given, or env.model; a hub model only if env.allowHub. */
export function modelFromEnv(given: ModelSource | undefined): ModelSource {
  const model = given ?? env.model;
  if (model.kind === 'hub' && !env.allowHub)
    throw new XpeftError(
      `The model "${model.id}" would come from the Hugging Face hub, which is off: set env.allowHub = true, or serve the model's files yourself.`,
    );
  return model;
}
