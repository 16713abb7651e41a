// What each evaluated method trains and what it costs a person to keep: its training options, its stored
// bytes and its trainable parameters, shared by the GLUE and the multi-profile protocols.

import { type AnyProfile, type BankSpec, type Engine, Profile, type TrainOptions } from '../src/advanced';
import type { Budget, CellResult, CellSpec } from './cell';

/** The random bank of a cell; baselines (n = 0) use only its shape, so one adapter stands in. */
export function randomBank(spec: CellSpec): BankSpec {
  return {
    kind: 'random',
    seed: spec.seed,
    n: Math.max(1, spec.n),
    ...(spec.scale === undefined ? {} : { scale: spec.scale }),
    ...(spec.firstLayer ? { firstLayer: spec.firstLayer } : {}),
  };
}

/** The engine's training options for a cell's method (methods without training have none). */
export function trainOptions(
  spec: CellSpec,
  budget: Budget,
  onStep: (fraction: number) => void,
): TrainOptions {
  const base: TrainOptions = {
    epochs: budget.epochs,
    batchSize: budget.batchSize,
    maxLength: budget.maxLength,
    seed: spec.seed,
    onProgress: (p) => onStep(p.step / p.totalSteps),
    ...(spec.maskLr === undefined ? {} : { learningRates: { mask: spec.maskLr } }),
    ...(spec.minSteps ? { minSteps: spec.minSteps } : {}),
  };
  const mix = spec.mix ? { mix: spec.mix } : {};
  if (spec.method === 'xpeft-hard')
    return { ...base, method: 'xpeft', mask: { mode: 'hard', k: spec.k, ...mix } };
  if (spec.method === 'xpeft-hard-offset')
    return { ...base, method: 'xpeft', mask: { mode: 'hard', k: spec.k, ...mix }, head: 'offset' };
  if (spec.method === 'xpeft-soft')
    return { ...base, method: 'xpeft', mask: { mode: 'soft', k: spec.k, ...mix } };
  if (spec.method === 'adapter' || spec.method === 'head-only') return { ...base, method: spec.method };
  throw new Error(`${spec.method} trains nothing through the engine.`);
}

/** Stored bytes: mask, head (or bias offset) and file total for X-PEFT; fp32 parameters for baselines. */
export function bytesOf(profile: AnyProfile): CellResult['bytesPerProfile'] {
  if (profile instanceof Profile) {
    const s = profile.sizes();
    return { masks: s.masks, head: s.head, total: s.total };
  }
  return { masks: profile.bytes.adapter, head: profile.bytes.head, total: profile.bytes.total };
}

/** Parameters trained per person (a hard mask counts its 2·sites·N scores). */
export function trainableParams(engine: Engine, spec: CellSpec, ownHead: boolean): number {
  const { sites, n, d, r } = engine.bank;
  const outputs = engine.task.kind === 'classification' ? engine.task.labels.length : 1;
  const head = ownHead ? d * outputs + outputs : 0;
  if (spec.method === 'xpeft-hard-offset') return 2 * sites * n + outputs;
  if (spec.method.startsWith('xpeft')) return 2 * sites * n + head;
  if (spec.method === 'user-mean' || spec.method === 'user-offset') return outputs;
  if (spec.method === 'adapter') return sites * (2 * d * r + r + d) + head;
  return head;
}
