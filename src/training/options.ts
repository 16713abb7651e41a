// Training options: what a caller may set, the defaults for what they leave out, and the check that
// turns them into settings before any tensor exists. Also the shape of a run's progress and result.

import { TrainOptionsError } from '../errors';
import { type MaskSpec, validateMaskSpec } from '../xpeft/mask';
import { METHODS, type Method, type ParamGroup, type TrainedValues } from './params';

/**
 * One training step, for `onProgress` of train.
 *
 * @group Training and answers
 */
export interface TrainProgress {
  step: number; // 1-based
  totalSteps: number;
  epoch: number; // 1-based
  epochs: number;
  loss: number; // this step's training loss
  /** Held-out metric after the latest finished epoch: accuracy (classification) or MSE (regression). */
  heldOut?: { metric: 'accuracy' | 'mse'; value: number };
  elapsedMs: number;
  etaMs: number;
}

/**
 * Options of train(); TRAINING_DEFAULTS holds the value of each one left out.
 *
 * @group Training and answers
 */
export interface TrainOptions {
  method?: Method;
  mask?: MaskSpec; // hard, k clamped to N
  /**
   * Train a head for this profile ('profile'), use the engine's shared head ('shared'), or use the
   * shared head with a personal bias offset ('offset': 2 bytes per output, started at the person's mean
   * residual). Default: 'offset' for X-PEFT where the engine has a shared head, 'shared' for frozen,
   * otherwise 'profile'.
   */
  head?: 'profile' | 'shared' | 'offset';
  /**
   * X-PEFT: where the mask scores start, instead of small random values: 2·sites·N numbers, the A rows
   * then the B rows, as a profile stores them (`profile.data.scores`; a hard profile's are its 0/1
   * selection). They are scaled by START_SCORE_SCALE and get the usual small random values added, so a
   * hard selection leads by about two steps at the default mask learning rate and ties break by seed.
   * Starting from a profile trained on many people (a population mask) gives a person with few examples
   * the population's best adapters until their own data moves them.
   */
  startScores?: Float32Array;
  epochs?: number;
  /**
   * At least this many optimiser steps: a history too short for them in `epochs` gets more epochs
   * (default 0: `epochs` decides). A person with 7 examples at batch 16 otherwise gets one step an epoch.
   */
  minSteps?: number;
  batchSize?: number;
  /**
   * Share of the history held out for early stopping, 0 ≤ f < 1; 0 trains on everything,
   * as does any history whose held-out share would be under MIN_HELD_OUT examples.
   */
  heldOutFraction?: number;
  patience?: number; // epochs without held-out improvement before stopping
  learningRates?: Partial<Record<ParamGroup, number>>; // each left out: DEFAULT_LEARNING_RATES
  maxLength?: number; // tokens per input
  seed?: number;
  onProgress?: (p: TrainProgress) => void;
  signal?: AbortSignal;
}

/** What train() uses for an option that is not given: the one statement of the training defaults. */
export const TRAINING_DEFAULTS = {
  method: 'xpeft',
  /** Hard masks select k adapters per row (clamped to the bank size N). */
  k: 10,
  /**
   * The evaluation's person training: 3 epochs on all of a person's examples (a few dozen: none spared
   * for a held-out split), X-PEFT keeping the epoch whose selection fits them best. Five epochs on the
   * page's earlier Jester recipe scored worse (docs/evaluation.md, "The library's defaults").
   */
  epochs: 3,
  minSteps: 0,
  batchSize: 16,
  heldOutFraction: 0,
  patience: 3,
  maxLength: 128,
  seed: 0,
} as const;

/** The factor on TrainOptions.startScores: a 0/1 selection leads by 0.1, two Adam steps at 5e-2. */
export const START_SCORE_SCALE = 0.1;

export const DEFAULT_LEARNING_RATES: Record<ParamGroup, number> = { mask: 5e-2, adapter: 1e-3, head: 1e-2 };

/**
 * How a training run went: steps, losses, and the held-out score when there was a held-out share.
 *
 * @group Training and answers
 */
export interface TrainResult {
  method: Method;
  /** The mask that was trained (the default one if none was given). */
  mask: MaskSpec;
  values: TrainedValues;
  /** Mean training loss per finished epoch. */
  epochLosses: number[];
  heldOut: number[]; // accuracy or MSE per finished epoch (empty without a held-out split)
  heldOutLoss: number[]; // cross-entropy or MSE per finished epoch: what early stopping follows
  bestEpoch: number; // the epoch whose parameters were kept (X-PEFT: 0 if none beat the start)
  steps: number;
  elapsedMs: number;
}

function check(name: string, value: number, ok: boolean, range: string): void {
  if (!ok) throw new TrainOptionsError(`Training option ${name} must be ${range}; got ${value}.`);
}

/** Training options with every default filled in and every value checked. */
export interface Settings {
  method: Method;
  mask: MaskSpec;
  epochs: number;
  minSteps: number;
  batchSize: number;
  fraction: number;
  patience: number;
  maxLength: number;
  seed: number;
  rates: Record<ParamGroup, number>;
}

/** Every option checked up front, so a bad one fails before any tensor exists. */
export function trainSettings(options: TrainOptions, bankSize: number, maxPositions: number): Settings {
  const method = options.method ?? TRAINING_DEFAULTS.method;
  if (!METHODS.includes(method)) {
    throw new TrainOptionsError(`Training method must be one of ${METHODS.join(', ')}; got "${method}".`);
  }
  const mask = options.mask ?? defaultMask(bankSize);
  if (method === 'xpeft') validateMaskSpec(mask, bankSize);
  const s: Settings = {
    method,
    mask,
    epochs: options.epochs ?? TRAINING_DEFAULTS.epochs,
    minSteps: options.minSteps ?? TRAINING_DEFAULTS.minSteps,
    batchSize: options.batchSize ?? TRAINING_DEFAULTS.batchSize,
    fraction: options.heldOutFraction ?? TRAINING_DEFAULTS.heldOutFraction,
    patience: options.patience ?? TRAINING_DEFAULTS.patience,
    maxLength: options.maxLength ?? TRAINING_DEFAULTS.maxLength,
    seed: options.seed ?? TRAINING_DEFAULTS.seed,
    rates: { ...DEFAULT_LEARNING_RATES, ...options.learningRates },
  };
  check('epochs', s.epochs, Number.isInteger(s.epochs) && s.epochs >= 1, 'an integer ≥ 1');
  check('minSteps', s.minSteps, Number.isInteger(s.minSteps) && s.minSteps >= 0, 'an integer ≥ 0');
  check('batchSize', s.batchSize, Number.isInteger(s.batchSize) && s.batchSize >= 1, 'an integer ≥ 1');
  check('heldOutFraction', s.fraction, s.fraction >= 0 && s.fraction < 1, 'in [0, 1)');
  check('patience', s.patience, Number.isInteger(s.patience) && s.patience >= 1, 'an integer ≥ 1');
  check('maxLength', s.maxLength, Number.isInteger(s.maxLength) && s.maxLength >= 2, 'an integer ≥ 2');
  check('seed', s.seed, Number.isInteger(s.seed) && s.seed >= 0, 'a non-negative integer');
  for (const [g, lr] of Object.entries(s.rates)) {
    check(`learningRates.${g}`, lr, lr > 0 && Number.isFinite(lr), 'a positive number');
  }
  return { ...s, maxLength: Math.min(s.maxLength, maxPositions) };
}

/** The mask used when none is given: hard, TRAINING_DEFAULTS.k (or N if the bank is smaller). */
export function defaultMask(n: number): MaskSpec {
  return { mode: 'hard', k: Math.min(TRAINING_DEFAULTS.k, n) };
}
