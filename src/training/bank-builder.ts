// Builds a trained bank by conventional adapter tuning: first a head shared by the task, fitted on all
// source profiles' data with the model untouched (or given, such as a population head fitted on many
// more people); then one adapter per source profile, trained against that fixed head. Adapter i of every
// site comes from source profile i.

import {
  type AdapterBank,
  ARRAY_NAMES,
  type BankArrays,
  type BankShape,
  createBank,
  validateBankShape,
} from '../bank/bank';
import type { TrainedBankInfo } from '../bank/file';
import { SiteStateCaches } from '../encoder/hidden-cache';
import type { LanguageModel } from '../encoder/language-model';
import type { AdapterActivation, Placement } from '../encoder/placement';
import { siteCount } from '../encoder/placement';
import { BankError } from '../errors';
import { type HeadTraining, type HeadWeights, initHeadWeights } from '../xpeft/head';
import { type EncodedExample, type Example, encodeHistory, type Task } from '../xpeft/task';
import type { TrainOptions } from './options';
import { splitAdapter } from './params';
import { train } from './trainer';

export interface SourceProfile {
  id: string;
  history: readonly Example[];
}

export interface BuildBankOptions {
  placement?: Placement; // default 'pfeiffer'
  firstLayer?: number; // default 0: sites in every layer (see BankShape.firstLayer)
  activation?: AdapterActivation; // default 'relu'
  r?: number; // default d/16
  /**
   * Each source adapter trains beside its own bias offset on the shared head, which is then dropped:
   * the adapter keeps what sets the person apart beyond their mean answer, and a profile's own offset
   * carries the mean. Default false: the adapter alone moves the head's output.
   */
  sourceBias?: boolean;
  /** Settings for each source adapter (method, head and callbacks are set here). */
  adapterTraining?: Omit<TrainOptions, 'method' | 'head' | 'onProgress' | 'signal'>;
  headTraining?: Omit<TrainOptions, 'method' | 'head' | 'onProgress' | 'signal'>;
  /** A shared head fitted elsewhere (headTraining is then unused), and what it was fitted on. */
  head?: { weights: HeadWeights; fittedOn: string };
  onProgress?: (p: { done: number; total: number; source: string; elapsedMs: number }) => void;
  signal?: AbortSignal;
}

export interface BuiltBank {
  bank: AdapterBank;
  head: HeadWeights;
  info: TrainedBankInfo;
}

/** Head-only tuning on all the sources' data, with the model untouched. */
async function fitSourcesHead(
  model: LanguageModel,
  shape: BankShape,
  task: Task,
  examples: EncodedExample[],
  options: BuildBankOptions,
): Promise<HeadWeights> {
  const start = initHeadWeights(task, shape.d, examples, 0);
  const run = await train({ model, shape, task, head: start, trainHead: true }, examples, {
    ...options.headTraining,
    ...(options.signal ? { signal: options.signal } : {}),
    method: 'head-only',
  });
  return run.values.head!;
}

/**
 * Bank arrays from trained adapters: adapters[i] holds adapter i's flat weights per site (see
 * splitAdapter), and becomes row i of every site.
 */
export function stackAdapters(shape: BankShape, adapters: readonly (readonly Float32Array[])[]): BankArrays {
  if (adapters.length !== shape.n)
    throw new BankError(`A bank of ${shape.n} adapters was given ${adapters.length} trained adapters.`);
  const { d, r, sites, n } = shape;
  const per = { down: d * r, downBias: r, up: r * d, upBias: d };
  const arrays: BankArrays = {
    down: new Float32Array(sites * n * per.down),
    downBias: new Float32Array(sites * n * per.downBias),
    up: new Float32Array(sites * n * per.up),
    upBias: new Float32Array(sites * n * per.upBias),
  };
  adapters.forEach((flats, i) => {
    if (flats.length !== sites)
      throw new BankError(`Adapter ${i} has weights for ${flats.length} sites; the bank has ${sites}.`);
    flats.forEach((flat, site) => {
      const parts = splitAdapter(flat, shape);
      for (const key of ARRAY_NAMES) arrays[key].set(parts[key], (site * n + i) * per[key]);
    });
  });
  return arrays;
}

export async function buildTrainedBank(
  model: LanguageModel,
  task: Task,
  sources: readonly SourceProfile[],
  options: BuildBankOptions = {},
): Promise<BuiltBank> {
  if (sources.length === 0) throw new BankError('Building a trained bank needs at least one source profile.');
  const { hiddenSize: d, numLayers } = model.config;
  const placement = options.placement ?? 'pfeiffer';
  const firstLayer = options.firstLayer ?? 0;
  const shape: BankShape = {
    placement,
    firstLayer,
    activation: options.activation ?? 'relu',
    sites: siteCount(placement, numLayers - firstLayer),
    n: sources.length,
    d,
    r: options.r ?? Math.max(1, Math.round(d / 16)),
  };
  validateBankShape(shape, numLayers); // fail before hours of training, not after
  const started = performance.now();
  const signal = options.signal ? { signal: options.signal } : {};
  const encoded = sources.map((s) => encodeHistory(task, s.history, 1)); // bad data fails before any training
  const head = options.head?.weights ?? (await fitSourcesHead(model, shape, task, encoded.flat(), options));

  const trainHead: HeadTraining = options.sourceBias ? 'bias' : false;
  const adapters: Float32Array[][] = [];
  // Sources often rate the same texts: with sites above layer 0, each text passes the layers below them
  // once for the whole build rather than once per source.
  const siteStates = firstLayer > 0 ? new SiteStateCaches(model) : undefined;
  try {
    for (const [i, source] of sources.entries()) {
      const context = {
        model,
        shape,
        task,
        head,
        trainHead,
        ...(siteStates ? { siteStates: siteStates.get } : {}),
      };
      const run = await train(context, encoded[i]!, {
        ...options.adapterTraining,
        ...signal,
        method: 'adapter',
      });
      adapters.push(run.values.adapter!);
      options.onProgress?.({
        done: i + 1,
        total: sources.length,
        source: source.id,
        elapsedMs: performance.now() - started,
      });
    }
  } finally {
    siteStates?.dispose();
  }
  const info: TrainedBankInfo = {
    modelFingerprint: model.fingerprint,
    trainedOn: JSON.stringify({
      sources: sources.map((s) => s.id),
      task: task.kind === 'classification' ? { kind: task.kind, labels: task.labels } : task,
      adapterTraining: options.adapterTraining ?? {},
      ...(options.sourceBias ? { sourceBias: true } : {}),
      ...(options.head ? { head: options.head.fittedOn } : { headTraining: options.headTraining ?? {} }),
    }),
  };
  const bank = await createBank(
    'trained',
    shape,
    stackAdapters(shape, adapters),
    { kind: 'trained', ...info },
    head,
  );
  return { bank, head, info };
}
