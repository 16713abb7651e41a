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
