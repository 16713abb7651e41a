// The engine: one frozen model, one adapter bank and one task; trains profiles from a user's history,
// predicts with them (composing their adapters once and caching them), and refuses foreign profiles.
// Its types are in types.ts. Over 300 lines because it is one class: loading, training, the
// composed-adapter cache and the prediction paths share that cache and the bank, and splitting them
// would pass both around.

import * as tf from '@tensorflow/tfjs';
import { type BackendReport, selectBackend } from '../backend/select';
import type { AdapterBank } from '../bank/bank';
import { disposeBank, validateBankShape } from '../bank/bank';
import { loadBankFile } from '../bank/file';
import { createRandomBank } from '../bank/random';
import { type AdapterSet, stackAdapterSets } from '../encoder/adapter';
import { SiteStateCaches } from '../encoder/hidden-cache';
import { LanguageModel } from '../encoder/language-model';
import { firstSite } from '../encoder/placement';
import { EngineError, ProfileMismatchError } from '../errors';
import { checkSafetensors } from '../model/safetensors';
import { type FileProgress, readModelFile } from '../model/source';
import { type TextInput, textKey, textsPerPass } from '../model/tokenizer';
import { Profile } from '../profile/profile';
import type { TrainOptions } from '../training/options';
import { adapterSetFromValues, type Method } from '../training/params';
import { train } from '../training/trainer';
import { composeMask, disposeAdapterSet } from '../xpeft/compose';
import { applyHeads, type HeadWeights, headTensors, initHeadWeights } from '../xpeft/head';
import { outputsWith, predictOutputs } from '../xpeft/predict';
import { type Example, encodeHistory, type Task, taskOutputs, validateTask } from '../xpeft/task';
import { toPredictions } from './predictions';
import type {
  AnyProfile,
  BaselineProfile,
  EngineOptions,
  PersonalizationEngine,
  Prediction,
  PredictOptions,
  TrainedProfile,
} from './types';

// Composed adapters kept per engine: 452 KB each on the default model, so 32 profiles cost ~14 MB.
const CACHE_SIZE = 32;

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
    const answers = await toPredictions(this.outputs(profile, texts), this.task);
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
      return await toPredictions(out, this.task);
    } finally {
      for (const set of owned) disposeAdapterSet(set);
    }
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
