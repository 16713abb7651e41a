// The model and backend a command runs on, from its --model and --backend flags: the default model's
// local copy on wasm unless told otherwise.

import { type BackendName, LanguageModel, parseModelSource, useBackend } from '../src/advanced';
import { flag } from './args';
import { MODEL_FLAG } from './paths';

/** The --model flag as given (a folder or a hub id), for commands that record which model they used. */
export const modelFlag = (): string => flag('model', MODEL_FLAG);

/** Starts the --backend (default wasm), then loads the --model on it. */
export async function modelFromFlags(): Promise<{ backend: BackendName; model: LanguageModel }> {
  const backend = await useBackend(flag('backend', 'wasm') as BackendName);
  const model = await LanguageModel.load(parseModelSource(modelFlag()));
  return { backend, model };
}
