// What the build writes beside each page bank for the page to show: who each adapter's person is (their
// mean answer and the texts they rated highest and lowest), and the texts the page ranks: Jester's 100
// jokes with its gauge jokes to rate first; elsewhere a seeded draw of texts the bank was not built on.

import type { Example } from '../src/advanced';
import { PAGE_TEXTS_FORMAT, type PageTexts, type SourcePerson } from '../src/app/presets';
import { textKey } from '../src/model/tokenizer';
import type { SourceProfile } from '../src/training/bank-builder';
import { seededRandom, shuffled } from '../src/util/random';
import type { PageBankBuild, PageBankRecipe } from './page-banks';
import { JESTER_GAUGE_JOKES } from './page-people';
import { answerValue } from './sources';

/** Texts ranked on the page for a dataset without a catalogue. */
export const RANKED_TEXTS = 40;
const RANKED_TEXTS_SEED = 0x7e57;

/** How each dataset's texts and answers are named in a source person's description. */
const WORDS: Record<PageBankRecipe['dataset'], { noun: string; high: string; low: string }> = {
  popquorn: { noun: 'comments', high: 'most offensive to them', low: 'least offensive' },
  amazon: { noun: 'reviews', high: 'liked', low: 'did not like' },
  jester: { noun: 'jokes', high: 'favourite', low: 'least favourite' },
};

/** A text's first words, whitespace collapsed, at most about `chars` characters. */
export function excerpt(text: string, chars = 60): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= chars) return flat;
  const cut = flat.slice(0, chars);
  const space = cut.lastIndexOf(' ');
  return `${(space > chars / 2 ? cut.slice(0, space) : cut).replace(/[\s,.;:!?-]+$/, '')}…`;
}

const signed = (v: number) => `${v > 0 ? '+' : v < 0 ? '−' : ''}${Math.abs(v).toFixed(2)}`;

/**
 * A person's taste in words: their mean rating (or share of "yes") over their labels, and the texts they
 * rated highest and lowest (the first of equals), e.g. 'mean rating +1.23 over 100 jokes; favourite:
 * "A man walks into…" (+9.81); least favourite: "…" (−9.90)'.
 */
export function describeTaste(history: readonly Example[], dataset: PageBankRecipe['dataset']): string {
  const words = WORDS[dataset];
  const values = history.map((e) => answerValue(e.label));
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const top = values.indexOf(Math.max(...values));
  const bottom = values.indexOf(Math.min(...values));
  const quote = (i: number) => `“${excerpt(String(history[i]!.text))}”`;
  const numeric = typeof history[0]!.label === 'number';
  const answer = (i: number) => (numeric ? ` (${signed(values[i]!)})` : '');
  const lead = numeric
    ? `mean rating ${signed(mean)} over ${history.length} ${words.noun}`
    : `yes to ${Math.round(100 * mean)}% of ${history.length} ${words.noun}`;
  const parts = [lead, `${words.high}: ${quote(top)}${answer(top)}`];
  if (values[bottom] !== values[top]) parts.push(`${words.low}: ${quote(bottom)}${answer(bottom)}`);
  return parts.join('; ');
}

/** The bank's adapters in order: each source's id and taste over the labels their adapter trained on. */
export function sourcePeople(recipe: PageBankRecipe, sources: readonly SourceProfile[]): SourcePerson[] {
  return sources.map((s) => ({ id: s.id, taste: describeTaste(s.history, recipe.dataset) }));
}

/**
 * The texts the page ranks for a bank: a catalogue's every text with its gauge texts to rate first
 * (Jester), or RANKED_TEXTS distinct texts of the population that neither the population head nor any
 * source adapter was trained on (a seeded draw), so both the generic and the personal answer meet
 * them new.
 */
export function pageTexts(recipe: PageBankRecipe, build: PageBankBuild): PageTexts {
  const { source } = build;
  const about = {
    format: PAGE_TEXTS_FORMAT,
    dataset: source.dataset,
    licence: source.licence,
    acknowledgement: source.acknowledgement ?? `Data: ${source.dataset}`,
    ...(source.contentNote ? { contentNote: source.contentNote } : {}),
    noun: WORDS[recipe.dataset].noun,
  } as const;
  if (build.catalogue)
    return {
      ...about,
      selection: `all ${build.catalogue.length} ${about.noun}; the gauge ${about.noun} are rated first`,
      texts: build.catalogue.map((j) => ({ id: String(j.id), text: j.text })),
      rateFirst: JESTER_GAUGE_JOKES.map(String),
    };
  const used = new Set([
    ...build.headTexts,
    ...build.sources.flatMap((s) => s.history.map((e) => textKey(e.text))),
  ]);
  const fresh = [...new Set(build.population.map((e) => textKey(e.text)))].filter((t) => !used.has(t));
  const drawn = shuffled(fresh, seededRandom(RANKED_TEXTS_SEED)).slice(0, RANKED_TEXTS);
  return {
    ...about,
    selection: `${drawn.length} ${about.noun} of people never shown as samples, a seeded draw among those neither the population head nor any adapter was trained on`,
    texts: drawn.map((text, i) => ({ id: String(i + 1), text })),
    rateFirst: [],
  };
}
