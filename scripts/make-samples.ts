// Writes the page's sample people into public/samples/ from the datasets in ../shared/data: three
// POPQUORN annotators (offensiveness 1–5) and three Amazon reviewers (likes it: rating ≥ 4), plus for
// each kind a population sample of other people's labels for the page's generic model. The files are
// generated, not committed: each carries its dataset's provenance and licence terms.
// Usage: npm run samples [-- --out public/samples]

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AMAZON_CSV, readAmazon } from '../eval/amazon';
import { type Annotator, POPQUORN_CSV, readPopquorn } from '../eval/popquorn';
import type { SampleIndex, SampleUser } from '../src/app/presets';
import { seededRandom } from '../src/util/random';
import { flag } from './args';

const OUT = flag('out', join(import.meta.dirname, '..', 'public', 'samples'));
const POPULATION = 120;

const POPQUORN_SOURCE = {
  dataset: 'POPQUORN offensiveness (Pei & Jurgens, LAW-XVII @ ACL 2023, arXiv 2306.06826)',
  provenance:
    'github.com/Jiaxin-Pei/Potato-Prolific-Dataset @ dbb118c, dataset/offensiveness/raw_data.csv; texts are Reddit comments from Ruddit (Hada et al., 2021)',
  licence:
    'No licence file; described by its authors as an open-source dataset. Research use, with citation.',
};
const AMAZON_SOURCE = {
  dataset: 'Amazon reviews, Musical Instruments 5-core (McAuley et al., SIGIR 2015; He & McAuley, WWW 2016)',
  provenance:
    'UCSD/SNAP Amazon product data, 2014 release, reviews_Musical_Instruments_5.json (Kaggle CSV export)',
  licence: 'Distributed by J. McAuley (UCSD) for research use, with citation.',
};

const mean = (a: Annotator) => a.history.reduce((s, e) => s + Number(e.label), 0) / a.history.length;

/** The generic model's data: POPULATION labels drawn without replacement (seeded) from everyone else. */
function populationSample(
  people: Annotator[],
  exclude: Set<string>,
  kind: { id: string; dataset: string; preset: SampleUser['preset']; source: typeof POPQUORN_SOURCE },
  label: (l: string | number) => string | number,
  what: string,
): SampleUser {
  const pool = people.filter((p) => !exclude.has(p.id)).flatMap((p) => p.history);
  const rand = seededRandom(7);
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(rand.uniform() * (i + 1));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  const others = pool.slice(0, POPULATION);
  return {
    id: `${kind.id}-population`,
    name: `Everyone (${kind.dataset} population sample)`,
    preset: kind.preset,
    description: `${others.length} ${what} drawn at random from everyone else`,
    source: { ...kind.source, selection: 'a seeded random draw over everyone not shown as a sample person' },
    examples: others.map((e) => ({ text: e.text as string, label: label(e.label) })),
  };
}

function popquorn(): SampleUser[] {
  const all = readPopquorn();
  // Full histories that use every rating, ordered by mean rating: the most lenient, the median and the strictest.
  const full = all.filter(
    (a) => a.history.length === 50 && new Set(a.history.map((e) => e.label)).size === 5,
  );
  const byMean = [...full].sort((a, b) => mean(a) - mean(b));
  const picks = [byMean[0]!, byMean[Math.floor(byMean.length / 2)]!, byMean.at(-1)!];
  const names = ['Rarely offended', 'In the middle', 'Easily offended'];
  const selection =
    'annotators with 50 ratings using all five values; the lowest, median and highest mean rating';
  const users: SampleUser[] = picks.map((a, i) => ({
    id: `popquorn-${a.id}`,
    name: `${names[i]} (POPQUORN annotator ${a.id})`,
    preset: 'offensive' as const,
    description: `${a.history.length} Reddit comments rated for offensiveness, mean rating ${mean(a).toFixed(2)}`,
    source: { ...POPQUORN_SOURCE, selection },
    examples: a.history.map((e) => ({ text: e.text as string, label: e.label })),
  }));
  const kind = { id: 'popquorn', dataset: 'POPQUORN', preset: 'offensive' as const, source: POPQUORN_SOURCE };
  users.push(populationSample(all, new Set(picks.map((p) => p.id)), kind, (l) => l, 'ratings'));
  return users;
}

function amazon(): SampleUser[] {
  const liked = (rating: number | string) => (Number(rating) >= 4 ? 'yes' : 'no');
  const all = readAmazon(5);
  const mixed = all
    .map((a) => ({ a, no: a.history.filter((e) => liked(e.label) === 'no').length }))
    .filter((x) => x.no >= 4 && x.a.history.length - x.no >= 4)
    .sort((x, y) => y.a.history.length - x.a.history.length || (x.a.id < y.a.id ? -1 : 1))
    .slice(0, 3);
  const selection =
    'the three reviewers with the most reviews among those with at least 4 liked and 4 not liked';
  const users: SampleUser[] = mixed.map(({ a, no }, i) => ({
    id: `amazon-${a.id}`,
    name: `Musician ${i + 1} (Amazon reviewer ${a.id})`,
    preset: 'like',
    description: `${a.history.length} instrument reviews, ${no} rated 3 stars or less ("no")`,
    source: { ...AMAZON_SOURCE, selection },
    examples: a.history.map((e) => ({ text: e.text as string, label: liked(e.label) })),
  }));
  const kind = { id: 'amazon', dataset: 'Amazon', preset: 'like' as const, source: AMAZON_SOURCE };
  users.push(populationSample(all, new Set(mixed.map((x) => x.a.id)), kind, liked, 'reviews'));
  return users;
}

if (!existsSync(POPQUORN_CSV) || !existsSync(AMAZON_CSV)) {
  console.log(`No sample people: the datasets are not at ${POPQUORN_CSV} and ${AMAZON_CSV}.`);
  process.exit(0);
}
const users = [...popquorn(), ...amazon()];
mkdirSync(OUT, { recursive: true });
for (const u of users) writeFileSync(join(OUT, `${u.id}.json`), `${JSON.stringify(u, null, 1)}\n`);
const index: SampleIndex = {
  users: users
    .filter((u) => !u.id.endsWith('-population'))
    .map(({ id, name, preset, description }) => ({ id, name, preset, description })),
  populations: Object.fromEntries(
    users.filter((u) => u.id.endsWith('-population')).map((u) => [u.preset, u.id]),
  ),
};
writeFileSync(join(OUT, 'index.json'), `${JSON.stringify(index, null, 1)}\n`);
console.log(`wrote ${users.length} sample files and index.json to ${OUT}`);
