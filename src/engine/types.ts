// What the engine is given and gives back: its options, the bank it loads, a baseline's state, an answer,
// and the interface the in-thread Engine and the worker's RemoteEngine share.

import type { BackendName } from '../backend/backends';
import type { AdapterBank } from '../bank/bank';
import type { RandomBankRecipe } from '../bank/random';
import type { LanguageModel } from '../encoder/language-model';
import type { LoadOptions } from '../model/checkpoint';
import type { ModelSource } from '../model/source';
import type { Profile } from '../profile/profile';
import type { TrainOptions, TrainResult } from '../training/options';
import type { Method } from '../training/params';
import type { HeadWeights } from '../xpeft/head';
import type { Example, Task } from '../xpeft/task';

export type BankSpec =
  | ({ kind: 'random' } & RandomBankRecipe)
  /** A bank file; with its sha256, other bytes (a stale cached copy) are dropped and fetched again. */
  | { kind: 'file'; source: ModelSource; file: string; sha256?: string }
  | { kind: 'bank'; bank: AdapterBank; head?: HeadWeights };

export interface EngineOptions extends LoadOptions {
  model: ModelSource | LanguageModel;
  bank: BankSpec;
  task: Task;
  /**
   * The tfjs backend, chosen before the model loads: 'auto' (the default when the engine loads the model
   * itself) measures every backend that starts here and takes the fastest; a name forces that one;
   * 'current' keeps the active one (the default with a loaded LanguageModel, whose weights live there).
   */
  backend?: BackendName | 'auto' | 'current';
  /** A head shared by all profiles of the task (a trained bank file may bring one). */
  sharedHead?: HeadWeights;
  /**
   * Keep each distinct text's state at the bank's first adapter site (and at the last site, for profiles
   * without adapters) across trainings and predictions, so the layers below it run once per text for the
   * engine's life: for a fixed catalogue of texts (jokes, products) rated by many people. Memory: two
   * [tokens, d] fp32 arrays per text and token length (about 0.2 MB for 64 tokens on the default model).
   */
  keepSiteStates?: boolean;
}

/** A baseline's trained state, kept in memory for comparison (only X-PEFT profiles are serialised). */
export interface BaselineProfile {
  method: Exclude<Method, 'xpeft'>;
  adapter?: Float32Array[];
  head: HeadWeights;
  /** fp32 bytes a user would have to store: the adapter's and the head's parameters. */
  bytes: { adapter: number; head: number; total: number };
}

export type AnyProfile = Profile | BaselineProfile;

/**
 * One answer: a label with every label's probability (in the task's order) for a classification task,
 * a value on the task's scale for a regression task. Tell them apart by `kind`.
 *
 * @group Training and answers
 */
export type Prediction =
  | { kind: 'label'; label: string; probabilities: number[] }
  | { kind: 'value'; value: number };

/**
 * Options of predict.
 *
 * @group Training and answers
 */
export interface PredictOptions {
  /** Stops waiting: the call rejects with the signal's reason (a computation under way is dropped). */
  signal?: AbortSignal;
}

export interface TrainedProfile<P extends AnyProfile = AnyProfile> {
  profile: P;
  report: TrainResult;
}

/** What the in-thread Engine and the worker's RemoteEngine both offer for X-PEFT profiles. */
export interface PersonalizationEngine {
  readonly task: Task;
  /** Trains a profile on a person's history; `signal` cancels, `onProgress` hears every step. */
  train(
    history: readonly Example[],
    options?: TrainOptions,
  ): Promise<{ profile: Profile; report: TrainResult }>;
  /** One answer per text, as the profile's owner would give it. */
  predict(profile: Profile, texts: readonly string[], options?: PredictOptions): Promise<Prediction[]>;
  /** Reads a saved profile (bytes or its text form) and refuses one made for another model, bank or task. */
  importProfile(saved: Uint8Array | string): Profile;
  /** Throws ProfileMismatchError if the profile was made for another model, bank or task. */
  assertCompatible(profile: Profile): void;
  /** The model's and the bank's fingerprints, which every profile made or taken here names. */
  readonly fingerprints: { model: string; bank: string };
}
