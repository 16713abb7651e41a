// What names an evaluation cell and what it yields: the tasks and methods, a cell's spec and budget, its
// result and its cache key. The runner (protocol.ts) and its parts (profiles, methods, splits) all read
// these, so they live here, below every one of them.

export const EVAL_METHODS = [
  'xpeft-hard',
  'xpeft-hard-offset',
  'xpeft-soft',
  'adapter',
  'head-only',
  'frozen',
  'user-mean',
  'user-offset',
  'collaborative',
] as const;
/** Methods that exist only where people have their own histories beside a population head. */
export const PROFILE_ONLY_METHODS: readonly EvalMethod[] = [
  'frozen',
  'user-mean',
  'user-offset',
  'xpeft-hard-offset',
  'collaborative',
];
export type EvalMethod = (typeof EVAL_METHODS)[number];
export const GLUE_TASKS = ['sst2', 'mrpc', 'rte', 'cola', 'stsb'] as const;
export type GlueName = (typeof GLUE_TASKS)[number];
export const PROFILE_TASKS = ['popquorn', 'amazon', 'jester-known', 'jester-new'] as const;
export type ProfileTask = (typeof PROFILE_TASKS)[number];
export type TaskName = GlueName | ProfileTask;
/** A multi-profile task (people with histories), as against a GLUE task (one profile). */
export const isProfileTask = (task: TaskName): task is ProfileTask =>
  (PROFILE_TASKS as readonly string[]).includes(task);

export interface CellSpec {
  task: TaskName;
  method: EvalMethod;
  bank: 'random' | 'trained' | 'none';
  n: number;
  k: number;
  seed: number;
  /** Random banks only: the recipe's scale (default 0.1, see src/bank/random.ts). */
  scale?: number;
  /** Adapter sites from this layer up (default 0: every layer), for X-PEFT's banks and adapter tuning. */
  firstLayer?: number;
  /** Trained banks only: each source adapter trained beside its own bias (BuildBankOptions.sourceBias). */
  sourceBias?: boolean;
  /** X-PEFT only: the mask scores' learning rate (default 5e-2, see DEFAULT_LEARNING_RATES). */
  maskLr?: number;
  /** At least this many optimiser steps per profile (TrainOptions.minSteps; default: the budget's epochs). */
  minSteps?: number;
  /** Multi-profile X-PEFT: each person's mask starts from the population's mask (default: at random). */
  start?: 'population';
  /** X-PEFT: the selected adapters' outputs are mixed, not their weights (MaskSpec.mix). */
  mix?: 'outputs';
  /**
   * Multi-profile: score only the first this many of the budget's targets (the same seeded draw, so a
   * subset of every full cell's people; sources, population head and bank are unchanged).
   */
  subset?: number;
  /**
   * The page's own recipe: its bank's (eval/page-banks.ts) as the budget, and a person trained as the
   * page trains them (PAGE_TRAINING: k, epochs, held-out share, the library's patience).
   */
  recipe?: 'page';
}

export interface Budget {
  trainSize: number; // GLUE training subsample
  devLimit: number; // GLUE dev examples scored (0 = the full dev split)
  epochs: number;
  batchSize: number;
  maxLength: number;
  sources: number; // multi-profile: adapters in the trained bank (one per source person, spread over mean ratings)
  targets: number; // multi-profile: target profiles scored (everyone else is a source)
  /**
   * Multi-profile: what each target is scored on (eval/splits.ts): POPQUORN and Amazon their last items
   * (by comment id or review time); jester-known this percentage of their ratings; jester-new their
   * ratings of this many jokes held out from everyone.
   */
  testPerProfile: number;
  bankEpochs: number; // epochs of adapter tuning per source profile when building a trained bank
  /** Multi-profile: distinct source texts the population head is fitted on (each embedded once). */
  populationTexts?: number;
  /** Multi-profile: the bank adapters' learning rate (a few steps at 1e-3 leave them near zero). */
  bankLr?: number;
  /** Multi-profile: labels per bank source (their first ones). */
  labelsPerSource?: number;
  /** Multi-profile: the folder targets are drawn from, where not the dataset's own (sources always are). */
  targetData?: string;
}

/** A cache or cell name's mark for targets from another folder (Budget.targetData). */
export const dataSuffix = (b: Budget) =>
  b.targetData === undefined ? '' : `-data-${b.targetData.replace(/[^A-Za-z0-9]+/g, '_')}`;

export interface CellResult {
  key: string;
  spec: CellSpec;
  budget: Budget;
  metrics: Record<string, number>; // GLUE: the task's metrics; profiles: mean and std over targets
  profiles: number; // profiles trained and scored
  bytesPerProfile: { masks: number; head: number; total: number };
  trainableParams: number;
  trainSeconds: number; // mean per profile
  backend: string;
  /** The machine the cell ran on (CPU model × cores, memory, Node version). */
  machine?: string;
  finishedAt: string;
  /**
   * 'data' where heads that train from scratch started at the targets' mean or the log class priors;
   * absent on GLUE cells run before that, whose heads started at a zero bias.
   */
  headStart?: 'data';
  /** Multi-profile: each target's own errors, so methods can be compared person by person. */
  perProfile?: { id: string; mae: number; rmse: number }[];
}

export interface CellProgress {
  fraction: number; // 0…1 of this cell
  detail: string;
}

export const cellKey = (s: CellSpec, b: Budget) =>
  [
    s.task,
    s.method,
    s.bank,
    `N${s.n}`,
    `k${s.k}`,
    `seed${s.seed}`,
    `train${b.trainSize}`,
    `dev${b.devLimit}`,
    `ep${b.epochs}`,
    `len${b.maxLength}`,
    `src${b.sources}`,
    `tgt${b.targets}`,
    `test${b.testPerProfile}`,
    `bs${b.batchSize}`,
    `bankep${b.bankEpochs}`,
    ...(b.populationTexts === undefined
      ? []
      : [`pop${b.populationTexts}`, `banklr${b.bankLr}`, `per${b.labelsPerSource}`]),
    ...(s.scale === undefined ? [] : [`scale${s.scale}`]),
    ...(s.maskLr === undefined ? [] : [`masklr${s.maskLr}`]),
    ...(s.minSteps ? [`minsteps${s.minSteps}`] : []),
    ...(s.start ? [`start-${s.start}`] : []),
    ...(s.mix ? [`mix-${s.mix}`] : []),
    ...(s.subset ? [`sub${s.subset}`] : []),
    ...(s.recipe ? [`recipe-${s.recipe}`] : []),
    ...(s.firstLayer ? [`from${s.firstLayer}`] : []),
    ...(s.sourceBias ? ['srcbias'] : []),
    ...(b.targetData === undefined ? [] : [dataSuffix(b).slice(1)]),
    // GLUE cells from before heads started at the data are kept under their old keys, beside these.
    ...(isProfileTask(s.task) ? [] : ['headdata']),
  ].join('_');
