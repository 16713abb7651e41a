// Head outputs turned into answers: probabilities and the likeliest label, or a value on the task's
// scale; a non-finite output is an error, never an answer.

import * as tf from '@tensorflow/tfjs';
import { EngineError } from '../errors';
import { argmax } from '../util/argmax';
import type { Task } from '../xpeft/task';
import type { Prediction } from './types';

/**
 * Softmax probabilities or values (clamped to the task's scale) from head outputs [n, C], which it
 * disposes. A non-finite output is an error, never an answer.
 */
export async function toPredictions(out: tf.Tensor2D, task: Task): Promise<Prediction[]> {
  const raw = (await out.data()) as Float32Array;
  const bad = raw.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    out.dispose();
    throw new EngineError(
      `The answer for text ${Math.floor(bad / out.shape[1])} is ${raw[bad]}, not a number: the bank, head or profile holds values too large to compute with.`,
    );
  }
  const scores = task.kind === 'classification' ? tf.softmax(out) : out;
  const data = (await scores.data()) as Float32Array;
  tf.dispose([out, scores]);
  if (task.kind === 'regression') {
    const { min, max } = task.scale ?? { min: -Infinity, max: Infinity };
    return Array.from(data, (v) => ({ kind: 'value' as const, value: Math.min(max, Math.max(min, v)) }));
  }
  const labels = task.labels;
  return Array.from({ length: data.length / labels.length }, (_, i) => {
    const probabilities = Array.from(data.subarray(i * labels.length, (i + 1) * labels.length));
    return { kind: 'label' as const, label: labels[argmax(probabilities)]!, probabilities };
  });
}
