// The people of the demo page's datasets: who the page shows as sample people (so that the page's
// trained banks can leave them out), the "like" rule for Amazon ratings, and each dataset's provenance.

import { readAmazon } from './amazon';
import { type Annotator, readPopquorn } from './popquorn';

export interface DatasetSource {
  dataset: string;
  provenance: string;
  licence: string;
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
