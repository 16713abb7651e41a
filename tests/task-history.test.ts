// What the engine accepts as a history, before any training: strict label types, regression labels in a
// range where the loss stays finite, and texts with something to read.
import { describe, expect, it } from 'vitest';
import { HistoryError, type Task } from '../src/advanced';
import { encodeHistory } from '../src/xpeft/task';

const REGRESSION: Task = { kind: 'regression' };
const SENTIMENT: Task = { kind: 'classification', labels: ['negative', 'positive'] };
const fails = (task: Task, history: unknown[], message: RegExp) => {
  expect(() => encodeHistory(task, history as never)).toThrowError(HistoryError);
  expect(() => encodeHistory(task, history as never)).toThrowError(message);
};

describe('encodeHistory', () => {
  it('refuses regression labels that are not finite or too large to train on, naming them', () => {
    fails(
      REGRESSION,
      [
        { text: 'a', label: 2 },
        { text: 'b', label: Number.NaN },
      ],
      /Example 1: .* got NaN\./,
    );
    fails(REGRESSION, [{ text: 'a', label: 1e30 }], /Example 0: label 1e\+30 is beyond ±1e\+6/);
    fails(REGRESSION, [{ text: 'a', label: '3' }], /finite number .* got "3"/);
    expect(encodeHistory(REGRESSION, [{ text: 'a', label: -1e6 }])).toEqual([{ text: 'a', target: -1e6 }]);
  });

  it('refuses class labels that are not strings, and texts of spaces or zero-width marks only', () => {
    fails(SENTIMENT, [{ text: 'a', label: true }], /Example 0: label must be a string; got true/);
    fails(SENTIMENT, [{ text: '\u200b\u200d\ufeff ', label: 'positive' }], /Example 0: text is empty/);
    expect(
      encodeHistory(SENTIMENT, [
        { text: '🙂', label: 'positive' },
        { text: '!', label: 'negative' },
      ]),
    ).toHaveLength(2);
  });
});
