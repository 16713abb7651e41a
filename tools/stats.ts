// Small statistics for the benchmarks, free of Node APIs so the browser harness can use them too.

/** The middle value (the upper one of an even count). */
export function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}
