// The page's two kinds of personal taste. Each is a task for the engine plus how labels are written.

import type { LabelRule } from '../history/import';
import type { Task } from '../xpeft/task';

export interface Preset {
  id: 'offensive' | 'like';
  /** The question a person answers for each text. */
  question: string;
  task: Task;
  rule: LabelRule;
  /** How a prediction is shown. */
  unit: string;
}

export const PRESETS: readonly Preset[] = [
  {
    id: 'offensive',
    question: 'How offensive is this to me? (1 = not at all, 5 = very)',
    task: { kind: 'regression' },
    rule: { kind: 'range', min: 1, max: 5 },
    unit: 'offensiveness 1–5',
  },
  {
    id: 'like',
    question: 'Do I like this? (yes / no)',
    task: { kind: 'classification', labels: ['no', 'yes'] },
    rule: { kind: 'choice', labels: ['no', 'yes'] },
    unit: 'likes it',
  },
];

export function presetById(id: string): Preset {
  const p = PRESETS.find((x) => x.id === id);
  if (!p) throw new Error(`Unknown preset "${id}".`);
  return p;
}

/** The preset whose head fits a profile's head outputs (1 value: ratings; 2 classes: yes/no). */
export function presetForOutputs(outputs: number): Preset | undefined {
  return PRESETS.find((p) => (p.task.kind === 'regression' ? 1 : p.task.labels.length) === outputs);
}

/** A sample person shipped with the page, generated from the datasets with provenance. */
export interface SampleUser {
  id: string;
  name: string;
  preset: Preset['id'];
  description: string;
  source: { dataset: string; provenance: string; licence: string; selection: string };
  examples: { text: string; label: string | number }[];
}

export interface SampleIndex {
  users: Pick<SampleUser, 'id' | 'name' | 'preset' | 'description'>[];
}

export const PAGE_BANKS_FORMAT = 'xpeft-page-banks/3'; // 2: identities include the head; 3: banks state their sites

/** One trained bank of the page (written by `npm run bank:build`) with the population head it carries. */
export interface PageBank {
  file: string;
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
}

/** banks/index.json: the page's bank per kind of answer. */
export interface PageBankIndex {
  format: typeof PAGE_BANKS_FORMAT;
  modelFingerprint: string;
  banks: Partial<Record<Preset['id'], PageBank>>;
}
