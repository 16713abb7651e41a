// Where the commands and tests find the repository and the default model's local copy.

import { join } from 'node:path';
import { DEFAULT_MODEL_FOLDER } from '../src/model/known';

export { DEFAULT_MODEL_FOLDER };

export const ROOT = join(import.meta.dirname, '..');
/** The default model's local copy (`npm run model:fetch`), absolute. */
export const MODEL_DIR = join(ROOT, 'models', DEFAULT_MODEL_FOLDER);
/** Where the test site and the benchmarks' servers serve it. */
export const MODEL_URL = `/models/${DEFAULT_MODEL_FOLDER}`;
/** The same, as commands take it in --model. */
export const MODEL_FLAG = `./models/${DEFAULT_MODEL_FOLDER}`;
