// Weights must be numbers: a NaN or an infinity in a bank or a head would turn every answer into NaN.

import { NonFiniteTensorError } from '../errors';

/** Throws NonFiniteTensorError, naming `tensor` and the first bad element, unless every value is finite. */
export function assertFinite(tensor: string, data: ArrayLike<number>): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v)) throw new NonFiniteTensorError(tensor, i, v);
  }
}
