// One example per distinct text, labelled with its mean rating: what a regression head is fitted on
// when a few texts are rated by very many people (Jester's 100 jokes, some 350,000 ratings). A head
// fitted on each text's mean fits what it would fit on every rating, up to how much each text weighs.

import type { Example } from '../src/advanced';
import { textKey } from '../src/model/tokenizer';

/** Each distinct text once (in first-seen order), labelled with the mean of its numeric labels. */
export function textMeans(examples: readonly Example[]): Example[] {
  const sums = new Map<string, { text: Example['text']; sum: number; count: number }>();
  for (const e of examples) {
    const key = textKey(e.text);
    const entry = sums.get(key) ?? { text: e.text, sum: 0, count: 0 };
    entry.sum += e.label as number;
    entry.count++;
    sums.set(key, entry);
  }
  return [...sums.values()].map((m) => ({ text: m.text, label: m.sum / m.count }));
}
