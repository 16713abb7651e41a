// The sha256 of each file of a checkpoint, for a page's banks index: the page pins them, so a cached
// copy of another build of the model is dropped and fetched again, never trusted.

import { CHECKPOINT_FILES } from '../src/model/checkpoint';
import { type ModelSource, readModelFile } from '../src/model/source';
import { sha256Hex } from '../src/util/sha256';

export async function checkpointDigests(source: ModelSource): Promise<Record<string, string>> {
  const digests: Record<string, string> = {};
  for (const file of CHECKPOINT_FILES) digests[file] = await sha256Hex(await readModelFile(source, file));
  return digests;
}
