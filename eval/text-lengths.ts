// How long each profile dataset's texts are in the model's tokens ([CLS] and [SEP] included), and how
// many a token limit would cut: where the evaluation's and the page's token lengths come from, chosen
// from the texts alone.
// Usage: npm run eval:lengths [-- --model ./models/all-MiniLM-L6-v2]

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTokenizer, distinctTexts } from '../src/model/tokenizer';
import { checkFlags } from '../tools/args';
import { modelFlag } from '../tools/model-flags';
import { readAmazon } from './amazon';
import { readJester } from './jester';
import { table } from './paired';
import { readPopquorn } from './popquorn';

checkFlags(import.meta.filename);

const LIMITS = [64, 128, 256];

/** Median, 90th percentile, maximum and the count over each limit of some token counts. */
function lengthSummary(counts: readonly number[]): {
  median: number;
  p90: number;
  max: number;
  over: number[];
} {
  const sorted = [...counts].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return {
    median: at(0.5),
    p90: at(0.9),
    max: sorted.at(-1)!,
    over: LIMITS.map((l) => counts.filter((c) => c > l).length),
  };
}

function main(): void {
  const dir = modelFlag();
  const read = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8'));
  const tokenizer = createTokenizer(read('tokenizer.json'), read('tokenizer_config.json'));
  const texts = (people: { history: { text: unknown }[] }[]) =>
    [...distinctTexts(people.flatMap((p) => p.history.map((e) => e.text as string))).values()] as string[];
  const datasets: [string, string[]][] = [
    ['POPQUORN comments', texts(readPopquorn())],
    ['Amazon reviews', texts(readAmazon(1))],
    ['Jester jokes', readJester().jokes.map((j) => j.text)],
  ];
  const rows = datasets.map(([name, list]) => {
    const s = lengthSummary(list.map((t) => tokenizer.encode(t).ids.length));
    return [name, String(list.length), String(s.median), String(s.p90), String(s.max), ...s.over.map(String)];
  });
  console.log(
    table(
      ['texts', 'count', 'median', '90th percentile', 'longest', ...LIMITS.map((l) => `cut at ${l}`)],
      rows,
    ),
  );
}

main();
