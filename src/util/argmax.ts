/** Index of the largest value (the first of equal ones); -1 for an empty row. */
export function argmax(row: ArrayLike<number>): number {
  let best = -1;
  for (let i = 0; i < row.length; i++) if (best < 0 || row[i]! > row[best]!) best = i;
  return best;
}
