// The engine: one frozen model, one adapter bank and one task; trains profiles from a user's history,
// predicts with them (composing their adapters once and caching them), and refuses foreign profiles.
// Over 300 lines because it is one class: loading, training, the composed-adapter cache and the
// prediction paths share that cache and the bank, and splitting them would pass both around.

import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../backend/backends';
import { type BackendReport, selectBackend } from '../backend/select';
import type { AdapterBank } from '../bank/bank';
import { disposeBank, validateBankShape } from '../bank/bank';
import { loadBankFile } from '../bank/file';
import { createRandomBank, type RandomBankRecipe } from '../bank/random';
import { type AdapterSet, stackAdapterSets } from '../encoder/adapter';
import { SiteStateCaches } from '../encoder/hidden-cache';
import { LanguageModel } from '../encoder/language-model';
import { firstSite } from '../encoder/placement';
import { EngineError, ProfileMismatchError } from '../errors';
import type { LoadOptions } from '../model/checkpoint';
import { checkSafetensors } from '../model/safetensors';
import { type FileProgress, type ModelSource, readModelFile } from '../model/source';
import { type TextInput, textKey, textsPerPass } from '../model/tokenizer';
import { Profile } from '../profile/profile';
import type { TrainOptions, TrainResult } from '../training/options';
import { adapterSetFromValues, type Method } from '../training/params';
import { train } from '../training/trainer';
import { argmax } from '../util/argmax';
import { composeMask, disposeAdapterSet } from '../xpeft/compose';
import { applyHeads, type HeadWeights, headTensors, initHeadWeights } from '../xpeft/head';
import { outputsWith, predictOutputs } from '../xpeft/predict';
import { type Example, encodeHistory, type Task, taskOutputs, validateTask } from '../xpeft/task';

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

// Composed adapters kept per engine: 452 KB each on the default model, so 32 profiles cost ~14 MB.
const CACHE_SIZE = 32;

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

export class Engine implements PersonalizationEngine {
  private readonly composed = new Map<Profile, AdapterSet>();
  private shared: HeadWeights | undefined;
  /** Site states kept across calls (EngineOptions.keepSiteStates). */
  private readonly siteStates: SiteStateCaches | undefined;

  private constructor(
    readonly model: LanguageModel,
    readonly bank: AdapterBank,
    readonly task: Task,
    sharedHead: HeadWeights | undefined,
    /** What dispose() frees: the model and bank the engine loaded itself, never ones passed in. */
    private readonly owns: { model: boolean; bank: boolean },
    /** How the backend was chosen, when this engine chose it (see EngineOptions.backend). */
    readonly backend?: BackendReport,
    keepSiteStates = false,
  ) {
    this.sharedHead = sharedHead;
    this.siteStates = keepSiteStates ? new SiteStateCaches(model) : undefined;
  }

  static async load(options: EngineOptions): Promise<Engine> {
    validateTask(options.task);
    const choose = options.backend ?? (options.model instanceof LanguageModel ? 'current' : 'auto');
    const backend = choose === 'current' ? undefined : await selectBackend(choose);
    const ownsModel = !(options.model instanceof LanguageModel);
    const model =
      options.model instanceof LanguageModel
        ? options.model
        : await LanguageModel.load(options.model, options);
    const spec = options.bank;
    let bank: AdapterBank | undefined;
    try {
      const { config } = model;
      let head = options.sharedHead;
      if (spec.kind === 'random') bank = await createRandomBank(spec, config.hiddenSize, config.numLayers);
      else if (spec.kind === 'bank') {
        bank = spec.bank;
        head ??= spec.head;
      } else {
        const read = {
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.cache ? { cache: options.cache } : {}),
          pinned: { ...options.pinned, ...(spec.sha256 ? { [spec.file]: spec.sha256 } : {}) },
          onProgress: (p: FileProgress) => options.onProgress?.({ ...p, overallLoaded: p.loaded }),
        };
        const bytes = await readModelFile(spec.source, spec.file, read, checkSafetensors);
        const loaded = await loadBankFile(bytes);
        bank = loaded.bank;
        head ??= loaded.head;
        if (loaded.info.modelFingerprint !== model.fingerprint) {
          throw new EngineError(
            `Bank ${spec.file} was trained for model ${loaded.info.modelFingerprint}, not the loaded model ${model.fingerprint}.`,
          );
        }
      }
      if (bank.d !== config.hiddenSize) {
        throw new EngineError(`The bank is for width d=${bank.d}; the model has d=${config.hiddenSize}.`);
      }
      validateBankShape(bank, config.numLayers);
      const owns = { model: ownsModel, bank: spec.kind !== 'bank' };
      return new Engine(model, bank, options.task, head, owns, backend, options.keepSiteStates);
    } catch (e) {
      // Nothing half-built survives a failed load.
      if (bank && spec.kind !== 'bank') disposeBank(bank);
      if (ownsModel) model.dispose();
      throw e;
    }
  }

  /** Frees the cached adapters, and the model and bank if this engine loaded them. */
  dispose(): void {
    for (const set of this.composed.values()) disposeAdapterSet(set);
    this.composed.clear();
    this.siteStates?.dispose();
    if (this.owns.bank) disposeBank(this.bank);
    if (this.owns.model) this.model.dispose();
  }

  /** The head shared by the task's profiles (from a trained bank file, fitSharedHead(engine, history), or set here). */
  get sharedHead(): HeadWeights | undefined {
    return this.shared;
  }

  set sharedHead(head: HeadWeights | undefined) {
    if (head) this.checkHead(head, 'The shared head');
    this.shared = head;
  }

  private checkHead(head: HeadWeights, what: string): void {
    const inputs = this.model.config.hiddenSize;
    const outputs = taskOutputs(this.task);
    if (head.inputs !== inputs || head.outputs !== outputs) {
      throw new ProfileMismatchError(
        `${what} is ${head.inputs}→${head.outputs}; this engine's model and task need ${inputs}→${outputs}.`,
      );
    }
  }

  /** Trains a profile from a user's labelled history. Throws, leaving every existing profile as it was, if cancelled. */
  async train(
    history: readonly Example[],
    options: TrainOptions & { method: Exclude<Method, 'xpeft'> },
  ): Promise<TrainedProfile<BaselineProfile>>;
  async train(history: readonly Example[], options?: TrainOptions): Promise<TrainedProfile<Profile>>;
  async train(history: readonly Example[], options: TrainOptions = {}): Promise<TrainedProfile> {
    const method = options.method ?? 'xpeft';
    const examples = encodeHistory(this.task, history);
    // X-PEFT beside a shared head keeps a personal offset by default: the evaluation's best profile
    // everywhere (docs/evaluation.md, "The library's defaults").
    const headMode =
      options.head ??
      (method === 'frozen' ? 'shared' : method === 'xpeft' && this.sharedHead ? 'offset' : 'profile');
    if (headMode !== 'profile' && !this.sharedHead) {
      throw new EngineError(
        `head: '${headMode}' needs a shared head: call fitSharedHead(engine, history) or load a bank file that has one.`,
      );
    }
    if (method === 'head-only' && headMode !== 'profile') {
      throw new EngineError(
        `head-only tuning trains the head; pass head: 'profile' (it starts from the shared head if there is one).`,
      );
    }
    if (method === 'frozen' && headMode === 'profile')
      throw new EngineError(`The frozen baseline uses the shared head; pass head: 'shared' or 'offset'.`);
    const { hiddenSize } = this.model.config;
    const start = this.sharedHead ?? initHeadWeights(this.task, hiddenSize, examples, options.seed ?? 0);
    const trainHead = headMode === 'profile' ? true : headMode === 'offset' ? 'bias' : false;
    const report = await train(
      {
        model: this.model,
        shape: this.bank,
        bank: this.bank,
        task: this.task,
        head: start,
        trainHead,
        ...(this.siteStates ? { siteStates: this.siteStates.get } : {}),
      },
      examples,
      options,
    );
    const head = trainHead ? report.values.head! : start;
    if (method === 'xpeft') {
      const profile = Profile.fromTrained({
        mask: report.mask,
        bank: this.bank,
        modelFingerprint: this.model.fingerprint,
        scoresA: report.values.scoresA!,
        scoresB: report.values.scoresB!,
        ...(trainHead === true ? { head } : {}),
        ...(trainHead === 'bias' ? { offset: head.bias.map((b, i) => b - start.bias[i]!) } : {}),
      });
      return { profile, report };
    }
    const adapterBytes = (report.values.adapter ?? []).reduce((a, v) => a + 4 * v.length, 0);
    const headBytes = !trainHead ? 0 : 4 * ((trainHead === true ? head.weight.length : 0) + head.bias.length);
    const profile: BaselineProfile = {
      method,
      head,
      bytes: { adapter: adapterBytes, head: headBytes, total: adapterBytes + headBytes },
      ...(report.values.adapter ? { adapter: report.values.adapter } : {}),
    };
    return { profile, report };
  }

  /** Reads a saved profile (bytes or its string form) and checks it belongs to this model, bank and task. */
  importProfile(saved: Uint8Array | string): Profile {
    const profile = Profile.from(saved);
    this.assertCompatible(profile);
    return profile;
  }

  assertCompatible(profile: Profile): void {
    profile.assertCompatible(this.model.fingerprint, this.bank, taskOutputs(this.task));
  }

  get fingerprints(): { model: string; bank: string } {
    return { model: this.model.fingerprint, bank: this.bank.fingerprint };
  }

  /** Head outputs for texts under a profile: [texts, C] logits or [texts, 1] values (caller disposes). */
  outputs(profile: AnyProfile, texts: readonly TextInput[], maxLength = 128): tf.Tensor2D {
    const tokens = Math.min(maxLength, this.model.config.maxPositions);
    if (texts.length === 0) throw new EngineError('Cannot predict for an empty list of texts.');
    const head = headTensors(profile instanceof Profile ? this.headOf(profile) : profile.head);
    let owned: AdapterSet | undefined;
    try {
      let adapters: AdapterSet | undefined;
      if (profile instanceof Profile) adapters = this.adaptersFor(profile);
      else if (profile.adapter) adapters = owned = adapterSetFromValues(this.bank, profile.adapter);
      if (!this.siteStates) return predictOutputs(this.model, () => adapters, head, texts, tokens);
      // Every profile, with adapters or without, starts from the states at the bank's first site. The
      // texts run shortest first, so each batch pads little, and come back in their own order.
      const cache = this.siteStates.get(firstSite(this.bank.placement, this.bank.firstLayer ?? 0), tokens);
      cache.add(texts);
      const order = texts
        .map((_, i) => i)
        .sort((a, b) => textKey(texts[a]!).length - textKey(texts[b]!).length);
      return tf.tidy(() => {
        // About 4,096 tokens a batch (32 texts of 128, 16 jokes of 256): a profile without adapters runs
        // every layer from the first site, and 32 jokes at once outgrow WebAssembly's memory.
        // Without adapters a text's pooled vector never changes: the cache keeps it.
        const sorted = outputsWith(
          adapters ? cache.pooled.bind(cache) : (t) => cache.plainPooled(t),
          () => adapters,
          head,
          order.map((i) => texts[i]!),
          Math.min(32, textsPerPass(tokens, 4096)),
        );
        const back = new Int32Array(order.length);
        for (const [j, i] of order.entries()) back[i] = j;
        return tf.gather(sorted, back);
      });
    } finally {
      tf.dispose([head.weight, head.bias]);
      if (owned) disposeAdapterSet(owned);
    }
  }

  async predict(
    profile: AnyProfile,
    texts: readonly TextInput[],
    options: PredictOptions = {},
  ): Promise<Prediction[]> {
    options.signal?.throwIfAborted();
    const answers = await this.toPredictions(this.outputs(profile, texts));
    options.signal?.throwIfAborted();
    return answers;
  }

  /**
   * Predictions for many (profile, text) pairs at once: each example runs with its own profile's
   * adapters and head, in shared batches (one batched product per adapter projection), instead of one
   * call per profile. Results are in the order of `items`.
   */
  async predictMany(
    items: readonly { profile: Profile; text: TextInput }[],
    options: { maxLength?: number; batchSize?: number } = {},
  ): Promise<Prediction[]> {
    if (items.length === 0) throw new EngineError('Cannot predict for an empty list of items.');
    const tokens = Math.min(options.maxLength ?? 128, this.model.config.maxPositions);
    const batchSize = options.batchSize ?? 32;
    const unique = [...new Set(items.map((i) => i.profile))];
    for (const p of unique) this.assertCompatible(p);
    const heads = new Map(unique.map((p) => [p, this.headOf(p)]));
    // Up to the cache's size, adapters come from (and stay in) the cache; beyond it they are composed
    // for this call only, so no set is evicted while the call still needs it.
    const owned = unique.length > CACHE_SIZE ? unique.map((p) => composeMask(p.data, this.bank)) : [];
    const sets = new Map(unique.map((p, i) => [p, owned[i] ?? this.adaptersFor(p)]));
    try {
      const out = tf.tidy(() => {
        const parts: tf.Tensor2D[] = [];
        for (let i = 0; i < items.length; i += batchSize) {
          const chunk = items.slice(i, i + batchSize);
          parts.push(
            tf.tidy(() => {
              const adapters = stackAdapterSets(chunk.map((it) => sets.get(it.profile)!));
              const batch = this.model.tokenize(
                chunk.map((it) => it.text),
                { maxLength: tokens, padding: 'buckets' },
              );
              const pooled = this.model.poolTokens(batch, adapters); // [B, d]
              return applyHeads(
                pooled,
                chunk.map((it) => heads.get(it.profile)!),
              ); // [B, C]
            }),
          );
        }
        return tf.concat(parts, 0);
      });
      return await this.toPredictions(out);
    } finally {
      for (const set of owned) disposeAdapterSet(set);
    }
  }

  /**
   * Softmax probabilities or values (clamped to the task's scale) from head outputs [n, C], which it
   * disposes. A non-finite output is an error, never an answer.
   */
  private async toPredictions(out: tf.Tensor2D): Promise<Prediction[]> {
    const raw = (await out.data()) as Float32Array;
    const bad = raw.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      out.dispose();
      throw new EngineError(
        `The answer for text ${Math.floor(bad / out.shape[1])} is ${raw[bad]}, not a number: the bank, head or profile holds values too large to compute with.`,
      );
    }
    const scores = this.task.kind === 'classification' ? tf.softmax(out) : out;
    const data = (await scores.data()) as Float32Array;
    tf.dispose([out, scores]);
    if (this.task.kind === 'regression') {
      const { min, max } = this.task.scale ?? { min: -Infinity, max: Infinity };
      return Array.from(data, (v) => ({ kind: 'value' as const, value: Math.min(max, Math.max(min, v)) }));
    }
    const labels = this.task.labels;
    return Array.from({ length: data.length / labels.length }, (_, i) => {
      const probabilities = Array.from(data.subarray(i * labels.length, (i + 1) * labels.length));
      return { kind: 'label' as const, label: labels[argmax(probabilities)]!, probabilities };
    });
  }

  private headOf(profile: Profile): HeadWeights {
    if (profile.head) return profile.head;
    if (!this.sharedHead)
      throw new EngineError('This profile has no head of its own and the engine has no shared head.');
    return profile.headOver(this.sharedHead);
  }

  /** The profile's composed adapters, from the cache or composed now (least recently used evicted). */
  private adaptersFor(profile: Profile): AdapterSet {
    this.assertCompatible(profile);
    const cached = this.composed.get(profile);
    if (cached) {
      this.composed.delete(profile);
      this.composed.set(profile, cached);
      return cached;
    }
    const set = composeMask(profile.data, this.bank);
    this.composed.set(profile, set);
    if (this.composed.size > CACHE_SIZE) {
      const [oldest, old] = this.composed.entries().next().value as [Profile, AdapterSet];
      this.composed.delete(oldest);
      disposeAdapterSet(old);
    }
    return set;
  }
}
