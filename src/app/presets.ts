// The page's kinds of personal taste, each a task for the engine plus how labels are written, and the
// formats of what `npm run bank:build` writes for the page: the banks' index and the texts to rank.

import type { LabelRule } from '../history/import';
import type { MaskMix } from '../xpeft/mask';
import type { Task } from '../xpeft/task';

export interface Preset {
  id: 'offensive' | 'like' | 'funny';
  /** The question a person answers for each text. */
  question: string;
  task: Task;
  rule: LabelRule;
  /** How a prediction is shown. */
  unit: string;
  /**
   * A fixed catalogue of long texts ranked again and again (jokes): the worker's engine keeps each text's
   * states at the adapter sites, so after the first pass only the layers above them run per text.
   */
  keepSiteStates?: boolean;
  /**
   * How a mask's selected adapters combine (MaskMix; default 'weights'). Over the jokes' bank of source
   * people, 'outputs' (the mean of the chosen people's adapters' answers) is what the evaluation found
   * to carry taste beyond a person's offset (docs/results.md, Jester); a mean of their weights did not.
   */
  mix?: MaskMix;
}

/**
 * How the page trains a person unless they change it: a hard mask of k adapters per site beside their
 * own bias, trained as the library trains by default (all their examples, the best of its epochs). The
 * evaluation scores this recipe (`npm run eval -- --page-recipe`).
 */
// The library's TRAINING_DEFAULTS for epochs and held-out share (a test checks it), written out: the
// page's main thread must not import the training modules, which bring tfjs and its WebAssembly.
export const PAGE_TRAINING = { k: 5, epochs: 3, heldOutFraction: 0, head: 'offset' } as const;

// Each rating scale once: the engine clamps its answers to it and the page accepts labels within it.
const RATING = { min: 1, max: 5 } as const;
const FUNNINESS = { min: -10, max: 10 } as const;

export const PRESETS: readonly Preset[] = [
  {
    id: 'offensive',
    question: 'How offensive is this to me? (1 = not at all, 5 = very)',
    task: { kind: 'regression', scale: RATING },
    rule: { kind: 'range', ...RATING },
    unit: 'offensiveness 1–5',
  },
  {
    id: 'like',
    question: 'Do I like this? (yes / no)',
    task: { kind: 'classification', labels: ['no', 'yes'] },
    rule: { kind: 'choice', labels: ['no', 'yes'] },
    unit: 'likes it',
  },
  {
    id: 'funny',
    question: 'How funny is this to me? (−10 = not at all, +10 = very)',
    task: { kind: 'regression', scale: FUNNINESS },
    rule: { kind: 'range', ...FUNNINESS },
    unit: 'funniness −10…+10',
    keepSiteStates: true,
    mix: 'outputs',
  },
];

export function presetById(id: string): Preset {
  const p = PRESETS.find((x) => x.id === id);
  if (!p) throw new Error(`Unknown preset "${id}".`);
  return p;
}

/** A sample person shipped with the page, generated from the datasets with provenance. */
export interface SampleUser {
  id: string;
  name: string;
  preset: Preset['id'];
  description: string;
  source: {
    dataset: string;
    provenance: string;
    licence: string;
    selection: string;
    acknowledgement?: string;
    contentNote?: string;
  };
  examples: { text: string; label: string | number }[];
}

export interface SampleIndex {
  users: Pick<SampleUser, 'id' | 'name' | 'preset' | 'description'>[];
}

// 2: identities include the head; 3: banks state their sites; 4: token length, source people, texts to
// rank, acknowledgement.
export const PAGE_BANKS_FORMAT = 'xpeft-page-banks/5';

/** One of a bank's adapters: the source person it was trained on and their taste in words. */
export interface SourcePerson {
  id: string;
  /** Their mean answer and the texts they rated highest and lowest (absent for banks built elsewhere). */
  taste?: string;
}

/** One trained bank of the page (written by `npm run bank:build`) with the population head it carries. */
export interface PageBank {
  file: string;
  /** sha256 of the file: a cached copy with other bytes (a bank since rebuilt) is fetched again. */
  sha256: string;
  /** The bank's fingerprint: profiles name it, so it tells which kind of answer a profile is for. */
  fingerprint: string;
  n: number;
  /** Adapter sites (the bank's sites may start above the first layer). */
  sites: number;
  bytes: number;
  dataset: string;
  licence: string;
  /** How the people behind the adapters were chosen, in words. */
  sources: string;
  /** What the population head was fitted on. */
  population: { people: number; texts: number; labels: number };
  /** The build recipe, as eval/page-banks.ts states it. */
  recipe: unknown;
  /** Tokens per text the bank was built at: the page trains and ranks at this length. */
  maxLength: number;
  /** Adapter i's source person, for i = 0 … n−1. */
  people: SourcePerson[];
  /** A PageTexts file beside the bank: texts the page ranks (and may ask to rate first). */
  texts?: string;
  /** What the data's terms ask a page that shows it to say. */
  acknowledgement: string;
  contentNote?: string;
}

/** banks/index.json: the page's bank per kind of answer. */
export interface PageBankIndex {
  format: typeof PAGE_BANKS_FORMAT;
  modelFingerprint: string;
  /** sha256 of each of the model's files the banks were built on: the page reads no other bytes. */
  modelFiles: Record<string, string>;
  banks: Partial<Record<Preset['id'], PageBank>>;
}

export const PAGE_TEXTS_FORMAT = 'xpeft-page-texts/1';

/** Texts shipped beside a bank for the page to rank (Jester: its 100 jokes), derived from its dataset. */
export interface PageTexts {
  format: typeof PAGE_TEXTS_FORMAT;
  dataset: string;
  licence: string;
  acknowledgement: string;
  contentNote?: string;
  /** What the texts are, plural ("jokes"). */
  noun: string;
  /** How the texts were chosen. */
  selection: string;
  texts: { id: string; text: string }[];
  /** Ids of texts a visitor is asked to rate first (Jester's gauge jokes); empty if none. */
  rateFirst: string[];
}
