// Writes the page's sample people into public/samples/ from the datasets in ../shared/data: three
// POPQUORN annotators (offensiveness 1–5), three Amazon reviewers (likes it: rating ≥ 4) and three
// Jester users (how funny, −10…+10). The page's trained banks never see them (eval/page-banks.ts). The
// files are generated, not committed: each carries its dataset's provenance and licence terms.
// Usage: npm run samples [-- --out public/samples]

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AMAZON_CSV } from '../eval/amazon';
import { JESTER_DIR } from '../eval/jester';
import {
  AMAZON_SAMPLE_RULE,
  AMAZON_SOURCE,
  amazonSamplePeople,
  JESTER_SAMPLE_RULE,
  JESTER_SOURCE,
  jesterSamplePeople,
  liked,
  meanRating,
  POPQUORN_SAMPLE_RULE,
  POPQUORN_SOURCE,
  popquornSamplePeople,
  ratingCorrelation,
} from '../eval/page-people';
import { POPQUORN_CSV } from '../eval/popquorn';
import type { SampleIndex, SampleUser } from '../src/app/presets';
import { checkFlags, flag } from '../tools/args';

checkFlags(import.meta.filename);

const OUT = flag('out', join(import.meta.dirname, '..', 'public', 'samples'));

function popquorn(): SampleUser[] {
  const names = ['Rarely offended', 'In the middle', 'Easily offended'];
  return popquornSamplePeople().map((a, i) => ({
    id: `popquorn-${a.id}`,
    name: `${names[i]} (POPQUORN annotator ${a.id})`,
    preset: 'offensive' as const,
    description: `${a.history.length} Reddit comments rated for offensiveness, mean rating ${meanRating(a).toFixed(2)}`,
    source: { ...POPQUORN_SOURCE, selection: POPQUORN_SAMPLE_RULE },
    examples: a.history.map((e) => ({ text: e.text as string, label: e.label })),
  }));
}

function amazon(): SampleUser[] {
  return amazonSamplePeople().map((a, i) => ({
    id: `amazon-${a.id}`,
    name: `Musician ${i + 1} (Amazon reviewer ${a.id})`,
    preset: 'like' as const,
    description: `${a.history.length} instrument reviews, ${a.history.filter((e) => liked(e.label) === 'no').length} rated 3 stars or less ("no")`,
    source: { ...AMAZON_SOURCE, selection: AMAZON_SAMPLE_RULE },
    examples: a.history.map((e) => ({ text: e.text as string, label: liked(e.label) })),
  }));
}

function jester(): SampleUser[] {
  const people = jesterSamplePeople();
  const names = ['Joke reader A', 'Joke reader B', 'Joke reader C'];
  const signed = (v: number) => `${v < 0 ? '−' : '+'}${Math.abs(v).toFixed(2)}`;
  return people.map((a, i) => {
    const others = people
      .map((b, j) => ({ b, j }))
      .filter(({ j }) => j !== i)
      .map(({ b, j }) => `${signed(ratingCorrelation(a, b))} with ${names[j]!.slice(-1)}`);
    return {
      id: `jester-${a.id}`,
      name: `${names[i]} (Jester user ${a.id})`,
      preset: 'funny' as const,
      description: `${a.history.length} jokes rated, mean rating ${signed(meanRating(a))}; their ratings correlate ${others.join(' and ')}`,
      source: { ...JESTER_SOURCE, selection: JESTER_SAMPLE_RULE },
      examples: a.history.map((e) => ({ text: e.text as string, label: e.label })),
    };
  });
}

const DATASETS = [POPQUORN_CSV, AMAZON_CSV, join(JESTER_DIR, 'ratings.csv')];
if (!DATASETS.every((path) => existsSync(path))) {
  console.log(`No sample people: the datasets are not all there (${DATASETS.join(', ')}).`);
  process.exit(0);
}
const users = [...popquorn(), ...amazon(), ...jester()];
mkdirSync(OUT, { recursive: true });
for (const u of users) writeFileSync(join(OUT, `${u.id}.json`), `${JSON.stringify(u, null, 1)}\n`);
const index: SampleIndex = {
  users: users.map(({ id, name, preset, description }) => ({ id, name, preset, description })),
};
writeFileSync(join(OUT, 'index.json'), `${JSON.stringify(index, null, 1)}\n`);
console.log(`wrote ${users.length} sample files and index.json to ${OUT}`);
