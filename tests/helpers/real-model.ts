// The real default checkpoint, fetched by `npm run model:fetch` (the test command runs it first).

import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const DEFAULT_MODEL_DIR = join(import.meta.dirname, '..', '..', 'models', 'all-MiniLM-L6-v2');

export function requireDefaultModel(): string {
  if (!existsSync(join(DEFAULT_MODEL_DIR, 'model.safetensors'))) {
    throw new Error(
      `The default model is missing from ${DEFAULT_MODEL_DIR}; run \`npm run model:fetch\` first.`,
    );
  }
  return DEFAULT_MODEL_DIR;
}
