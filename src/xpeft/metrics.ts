// How well head outputs match a task's targets: the numbers training reports and early-stops on.

import { argmax } from '../util/argmax';
import type { EncodedExample, Task } from './task';

/** Accuracy (classification) or mean squared error (regression) of outputs against targets. */
export function heldOutMetric(
  task: Task,
  outputs: Float32Array,
  examples: readonly EncodedExample[],
): number {
  if (task.kind === 'regression')
    return examples.reduce((s, e, i) => s + (outputs[i]! - e.target) ** 2, 0) / examples.length;
  const C = task.labels.length;
  let correct = 0;
  examples.forEach((e, i) => {
    const row = outputs.subarray(i * C, (i + 1) * C);
    if (argmax(row) === e.target) correct++;
  });
  return correct / examples.length;
}

/** Mean cross-entropy (classification) or squared error (regression) of outputs against targets. */
export function heldOutLoss(task: Task, outputs: Float32Array, examples: readonly EncodedExample[]): number {
  if (task.kind === 'regression') return heldOutMetric(task, outputs, examples);
  const C = task.labels.length;
  let sum = 0;
  examples.forEach((e, i) => {
    const row = Array.from(outputs.subarray(i * C, (i + 1) * C));
    const max = Math.max(...row);
    sum += max + Math.log(row.reduce((a, v) => a + Math.exp(v - max), 0)) - row[e.target]!;
  });
  return sum / examples.length;
}
