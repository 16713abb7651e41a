// The people of the demo page's datasets: who the page shows as sample people (so that the page's
// trained banks can leave them out), the "like" rule for Amazon ratings, and each dataset's provenance.

import { readAmazon } from './amazon';
import { type Joke, readJester } from './jester';
import { pearson } from './metrics';
import { type Annotator, readPopquorn } from './popquorn';

export interface DatasetSource {
  dataset: string;
  provenance: string;
  licence: string;
  /** What the data's terms ask every use and page that shows it to say (default: the dataset's name). */
  acknowledgement?: string;
  /** What a reader should know before reading the texts. */
  contentNote?: string;
}

export const POPQUORN_SOURCE: DatasetSource = {
  dataset: 'POPQUORN offensiveness (Pei & Jurgens, LAW-XVII @ ACL 2023, arXiv 2306.06826)',
  provenance:
    'github.com/Jiaxin-Pei/Potato-Prolific-Dataset @ dbb118c, dataset/offensiveness/raw_data.csv; texts are Reddit comments from Ruddit (Hada et al., 2021)',
  licence:
    'No licence file; described by its authors as an open-source dataset. Research use, with citation.',
};

export const AMAZON_SOURCE: DatasetSource = {
  dataset: 'Amazon reviews, Musical Instruments 5-core (McAuley et al., SIGIR 2015; He & McAuley, WWW 2016)',
  provenance:
    'UCSD/SNAP Amazon product data, 2014 release, reviews_Musical_Instruments_5.json (Kaggle CSV export)',
  licence: 'Distributed by J. McAuley (UCSD) for research use, with citation.',
};

export const JESTER_SOURCE: DatasetSource = {
  dataset: 'Jester Dataset 1, jokes rated −10 to +10 (Goldberg et al., Information Retrieval 2001)',
  provenance:
    'github.com/BerkeleyAutomation/jester @ 621774e, jester-data/jester_dataset_1_*.zip; ../shared/data/jester keeps 5,000 of its people, drawn at random',
  licence:
    'Freely available for research use when acknowledged with the reference: Eigentaste: A Constant Time Collaborative Filtering Algorithm. Ken Goldberg, Theresa Roeder, Dhruv Gupta, and Chris Perkins. Information Retrieval, 4(2), 133-151. July 2001.',
  acknowledgement:
    'Jester data: Ken Goldberg, Theresa Roeder, Dhruv Gupta and Chris Perkins, Eigentaste: A Constant Time Collaborative Filtering Algorithm, Information Retrieval 4(2), 133–151, 2001',
  contentNote:
    'Content note: the jokes are from 1999–2003 and some rely on ethnic, religious, gender or sexual stereotypes.',
};

/** The jokes nearly every Jester user rated first (the original's "gauge set"): the page asks for these. */
export const JESTER_GAUGE_JOKES = [5, 7, 8, 13, 15, 16, 17, 18, 19, 20] as const;

/** The page's "Do I like this?" answer for an Amazon star rating. */
export const liked = (rating: number | string): 'yes' | 'no' => (Number(rating) >= 4 ? 'yes' : 'no');

export const meanRating = (a: Annotator) =>
  a.history.reduce((s, e) => s + Number(e.label), 0) / a.history.length;

/** The Amazon reviewers the page reads: 5-core, so everyone has at least 5 reviews. */
export const readPageAmazon = () => readAmazon(5);

export const POPQUORN_SAMPLE_RULE =
  'annotators with 50 ratings using all five values; the lowest, median and highest mean rating';

/** The three POPQUORN sample people: the most lenient, the median and the strictest full rater. */
export function popquornSamplePeople(all: readonly Annotator[] = readPopquorn()): Annotator[] {
  const full = all.filter(
    (a) => a.history.length === 50 && new Set(a.history.map((e) => e.label)).size === 5,
  );
  const byMean = [...full].sort((a, b) => meanRating(a) - meanRating(b));
  return [byMean[0]!, byMean[Math.floor(byMean.length / 2)]!, byMean.at(-1)!];
}

export const AMAZON_SAMPLE_RULE =
  'the three reviewers with the most reviews among those with at least 4 liked and 4 not liked';

/** The three Amazon sample people: the most prolific with at least four reviews of each answer. */
export function amazonSamplePeople(all: readonly Annotator[] = readPageAmazon()): Annotator[] {
  const no = (a: Annotator) => a.history.filter((e) => liked(e.label) === 'no').length;
  return all
    .filter((a) => no(a) >= 4 && a.history.length - no(a) >= 4)
    .sort((x, y) => y.history.length - x.history.length || (x.id < y.id ? -1 : 1))
    .slice(0, 3);
}

export const JESTER_SAMPLE_RULE =
  'people with 60–90 ratings, the ten gauge jokes among them, whose mean rating is within 0.25 of the ' +
  "median of those people's means; the two whose ratings of the jokes both rated correlate least " +
  '(Pearson, at least 50 jokes in common), then the one whose higher correlation with those two is lowest';

/** Pearson correlation of two people's ratings of the texts both rated, or NaN under `minCommon` of them. */
export function ratingCorrelation(a: Annotator, b: Annotator, minCommon = 50): number {
  const theirs = new Map(b.history.map((e) => [String(e.text), Number(e.label)]));
  const pairs = a.history.filter((e) => theirs.has(String(e.text)));
  if (pairs.length < minCommon) return Number.NaN;
  return pearson(
    pairs.map((e) => Number(e.label)),
    pairs.map((e) => theirs.get(String(e.text))!),
  );
}

/**
 * Three Jester users about as generous as each other but with different taste (JESTER_SAMPLE_RULE):
 * each has jokes left unrated for the page to rank, and the difference between them is what they find
 * funny, not how high they rate.
 */
export function jesterSamplePeople(
  jester: { jokes: readonly Joke[]; people: readonly Annotator[] } = readJester(),
): Annotator[] {
  const gauge = jester.jokes.filter((j) => (JESTER_GAUGE_JOKES as readonly number[]).includes(j.id));
  const eligible = jester.people.filter(
    (a) =>
      a.history.length >= 60 &&
      a.history.length <= 90 &&
      gauge.every((j) => a.history.some((e) => e.text === j.text)),
  );
  const means = eligible.map(meanRating).sort((x, y) => x - y);
  const median = means[Math.floor(means.length / 2)]!;
  const band = eligible.filter((a) => Math.abs(meanRating(a) - median) <= 0.25);
  // NaN (too few jokes in common) never wins a comparison, so such pairs are never chosen.
  let pair: [Annotator, Annotator] | undefined;
  let lowest = Number.POSITIVE_INFINITY;
  for (const [i, a] of band.entries())
    for (const b of band.slice(i + 1)) {
      const r = ratingCorrelation(a, b);
      if (r < lowest) [lowest, pair] = [r, [a, b]];
    }
  if (!pair) throw new Error(`Jester: no two of ${band.length} people share 50 rated jokes.`);
  let third: Annotator | undefined;
  let closest = Number.POSITIVE_INFINITY;
  for (const c of band) {
    if (pair.includes(c)) continue;
    const r = Math.max(ratingCorrelation(c, pair[0]), ratingCorrelation(c, pair[1]));
    if (r < closest) [closest, third] = [r, c];
  }
  return third ? [...pair, third] : pair;
}
