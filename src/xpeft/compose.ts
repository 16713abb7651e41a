// Composition of a profile's adapters from the bank: A_l = Σ_i m[l,i]·A[l,i] (and B, and both biases),
// as one batched product per projection for all sites.

import * as tf from '@tensorflow/tfjs';
import type { AdapterBank } from '../bank/bank';
import type { AdapterSet, SiteAdapter } from '../encoder/adapter';

/**
 * maskA, maskB: [sites, N] weights → one adapter per site. Call inside tf.tidy (training does, under the
 * gradient tape); for inference use composeCached, which keeps only the composed tensors.
 */
export function composeAdapters(bank: AdapterBank, maskA: tf.Tensor2D, maskB: tf.Tensor2D): AdapterSet {
  const { sites, d, r } = bank;
  const mix = (m: tf.Tensor2D, stacked: tf.Tensor3D) =>
    tf.matMul(m.expandDims(1) as tf.Tensor3D, stacked).squeeze([1]); // [sites, 1, N]·[sites, N, X] → [sites, X]
  const downs = tf.unstack(mix(maskA, bank.down).reshape([sites, d, r])) as tf.Tensor2D[]; // sites × [d, r]
  const downBiases = tf.unstack(mix(maskA, bank.downBias)) as tf.Tensor1D[]; // sites × [r]
  const ups = tf.unstack(mix(maskB, bank.up).reshape([sites, r, d])) as tf.Tensor2D[]; // sites × [r, d]
  const upBiases = tf.unstack(mix(maskB, bank.upBias)) as tf.Tensor1D[]; // sites × [d]
  const adapters: SiteAdapter[] = downs.map((down, s) => ({
    down,
    downBias: downBiases[s]!,
    up: ups[s]!,
    upBias: upBiases[s]!,
    activation: bank.activation,
  }));
  return { placement: bank.placement, sites: adapters };
}

/** The composed adapters as long-lived tensors (intermediates freed); dispose with disposeAdapterSet. */
export function composeCached(bank: AdapterBank, maskA: tf.Tensor2D, maskB: tf.Tensor2D): AdapterSet {
  const sites = tf.tidy(() => composeAdapters(bank, maskA, maskB).sites as unknown as tf.TensorContainer);
  return { placement: bank.placement, sites: sites as unknown as SiteAdapter[] };
}

/**
 * A hard mask's adapters from its selected indices: each site's mean of k gathered bank adapters, which
 * equals composeCached with the k-hot/k weights at a tenth of the work (k of N rows read, no product).
 * selectedA, selectedB: [sites, k] adapter indices, row-major.
 */
export function composeSelected(
  bank: AdapterBank,
  selectedA: Int32Array,
  selectedB: Int32Array,
  k: number,
): AdapterSet {
  const { sites, n, d, r } = bank;
  // Row s·N + i of the bank flattened to [sites·N, X] is site s's adapter i. (Flat indices, because tfjs
  // 4.22's wasm gather with batchDims reads out of bounds.)
  const flat = (selected: Int32Array) => selected.map((i, j) => Math.floor(j / k) * n + i);
  const sets = tf.tidy(() => {
    const [a, b] = [tf.tensor1d(flat(selectedA), 'int32'), tf.tensor1d(flat(selectedB), 'int32')];
    // [sites·N, X] gathered at [sites·k] → [sites, k, X] → mean over k → [sites, X]
    const mix = (idx: tf.Tensor1D, stacked: tf.Tensor3D) => {
      const x = stacked.shape[2];
      return tf.mean(tf.gather(stacked.reshape([sites * n, x]), idx).reshape([sites, k, x]), 1);
    };
    const downs = tf.unstack(mix(a, bank.down).reshape([sites, d, r]));
    const downBiases = tf.unstack(mix(a, bank.downBias));
    const ups = tf.unstack(mix(b, bank.up).reshape([sites, r, d]));
    const upBiases = tf.unstack(mix(b, bank.upBias));
    return downs.map((down, s) => ({
      down: down as tf.Tensor2D,
      downBias: downBiases[s] as tf.Tensor1D,
      up: ups[s] as tf.Tensor2D,
      upBias: upBiases[s] as tf.Tensor1D,
      activation: bank.activation,
    }));
  });
  return { placement: bank.placement, sites: sets };
}

export function disposeAdapterSet(set: AdapterSet): void {
  for (const a of set.sites) if (a) tf.dispose([a.down, a.downBias, a.up, a.upBias]);
}
