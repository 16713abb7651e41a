// What research and tests ask of an engine beyond serving profiles: fitting the task's shared head on the
// untouched model, and scoring a profile on labelled data. Both use only the engine's public surface.

import type { TrainOptions, TrainResult } from '../training/options';
import { heldOutMetric } from '../xpeft/metrics';
import { type Example, encodeHistory } from '../xpeft/task';
import type { Engine } from './engine';
import type { AnyProfile } from './types';

/** Trains the task's shared head on pooled vectors of the untouched model (head-only tuning) and sets it on the engine. */
export async function fitSharedHead(
  engine: Engine,
  history: readonly Example[],
  options: TrainOptions = {},
): Promise<TrainResult> {
  const { profile, report } = await engine.train(history, {
    ...options,
    method: 'head-only',
    head: 'profile',
  });
  engine.sharedHead = profile.head;
  return report;
}

/** Accuracy (classification) or mean squared error (regression) of a profile on labelled data. */
export async function evaluateProfile(
  engine: Engine,
  profile: AnyProfile,
  data: readonly Example[],
): Promise<{ metric: 'accuracy' | 'mse'; value: number; n: number }> {
  const { task } = engine;
  const examples = encodeHistory(task, data, 1);
  const out = engine.outputs(
    profile,
    examples.map((e) => e.text),
  ); // [n, C]
  const value = heldOutMetric(task, (await out.data()) as Float32Array, examples);
  out.dispose();
  return { metric: task.kind === 'regression' ? 'mse' : 'accuracy', value, n: examples.length };
}
