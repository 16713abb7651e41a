// SST-2 sentences from ../shared/data/glue as engine examples.

import { readSst2 } from '../../eval/glue';
import type { Example, Task } from '../../src/advanced';

export const SENTIMENT: Task = { kind: 'classification', labels: ['negative', 'positive'] };

export function sst2Examples(split: 'train' | 'dev', count: number, offset = 0): Example[] {
  return readSst2(split)
    .slice(offset, offset + count)
    .map((e) => ({
      text: e.text,
      label: SENTIMENT.kind === 'classification' ? SENTIMENT.labels[e.label]! : e.label,
    }));
}

/** One quick training pass for tests on a tiny model: hard masks with k = 4, no held-out split. */
export const QUICK_TRAINING = {
  epochs: 1,
  batchSize: 8,
  heldOutFraction: 0,
  seed: 0,
  mask: { mode: 'hard' as const, k: 4 },
};
