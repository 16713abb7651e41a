// Composition of a profile's adapters from the bank: A_l = Σ_i m[l,i]·A[l,i] (and B, and both biases),
// as one batched product per projection for all sites.

import * as tf from '@tensorflow/tfjs';
import type { AdapterBank } from '../bank/bank';
import { type AdapterSet, adapterLayout, type SiteAdapter } from '../encoder/adapter';
import type { MaskMode } from './mask';

/**
 * maskA, maskB: [sites, N] weights → one adapter per site. Call inside tf.tidy (training does, under the
 * gradient tape); for inference use composeCached, which keeps only the composed tensors.
 */
export function composeAdapters(bank: AdapterBank, maskA: tf.Tensor2D, maskB: tf.Tensor2D): AdapterSet {
  const { sites, d, r } = bank;
  const mix = (m: tf.Tensor2D, stacked: tf.Tensor3D) =>
    tf.matMul(m.expandDims(1) as tf.Tensor3D, stacked).squeeze([1]); // [sites, 1, N]·[sites, N, X] → [sites, X]
  // tfjs 4.22's gradient of unstack fails when it has a single output (it hands stack one tensor where
  // it wants a list), so a one-site bank (sites in the last layer only) squeezes instead.
  const perSite = (x: tf.Tensor) => (sites === 1 ? [x.squeeze([0])] : tf.unstack(x));
  const downs = perSite(mix(maskA, bank.down).reshape([sites, d, r])) as tf.Tensor2D[]; // sites × [d, r]
  const downBiases = perSite(mix(maskA, bank.downBias)) as tf.Tensor1D[]; // sites × [r]
  const ups = perSite(mix(maskB, bank.up).reshape([sites, r, d])) as tf.Tensor2D[]; // sites × [r, d]
  const upBiases = perSite(mix(maskB, bank.upBias)) as tf.Tensor1D[]; // sites × [d]
  const adapters: SiteAdapter[] = downs.map((down, s) => ({
    down,
    downBias: downBiases[s]!,
    up: ups[s]!,
    upBias: upBiases[s]!,
    activation: bank.activation,
  }));
  return { ...adapterLayout(bank), sites: adapters };
}

/** The composed adapters as long-lived tensors (intermediates freed); dispose with disposeAdapterSet. */
export function composeCached(bank: AdapterBank, maskA: tf.Tensor2D, maskB: tf.Tensor2D): AdapterSet {
  const sites = tf.tidy(() => composeAdapters(bank, maskA, maskB).sites as unknown as tf.TensorContainer);
  return { ...adapterLayout(bank), sites: sites as unknown as SiteAdapter[] };
}

/**
 * A hard mask's adapters from its selected indices: each site's mean of its k selected bank adapters,
 * equal to composeCached with k-hot/k weights. Summed on the CPU from the bank's kept arrays (k rows of
 * N per site), then uploaded: a few milliseconds, where tensor ops touching the whole bank cost tens.
 * selectedA, selectedB: [sites, k] adapter indices, row-major.
 */
export function composeSelected(
  bank: AdapterBank,
  selectedA: Int32Array,
  selectedB: Int32Array,
  k: number,
): AdapterSet {
  const { sites, n, d, r, arrays } = bank;
  const mean = (src: Float32Array, width: number, site: number, selected: Int32Array) => {
    const out = new Float32Array(width);
    for (const i of selected.subarray(site * k, (site + 1) * k)) {
      const row = src.subarray((site * n + i) * width, (site * n + i + 1) * width);
      for (let j = 0; j < width; j++) out[j]! += row[j]!;
    }
    for (let j = 0; j < width; j++) out[j]! /= k;
    return out;
  };
  const adapters = Array.from({ length: sites }, (_, s) => ({
    down: tf.tensor2d(mean(arrays.down, d * r, s, selectedA), [d, r]),
    downBias: tf.tensor1d(mean(arrays.downBias, r, s, selectedA)),
    up: tf.tensor2d(mean(arrays.up, r * d, s, selectedB), [r, d]),
    upBias: tf.tensor1d(mean(arrays.upBias, d, s, selectedB)),
    activation: bank.activation,
  }));
  return { ...adapterLayout(bank), sites: adapters };
}

export function disposeAdapterSet(set: AdapterSet): void {
  for (const a of set.sites) if (a) tf.dispose([a.down, a.downBias, a.up, a.upBias]);
}

/**
 * A profile's mask composed for inference (long-lived tensors; the engine caches and disposes them).
 * Hard masks gather their k selected adapters per row; soft masks mix all N by their softmax weights.
 */
export function composeMask(
  mask: { mode: MaskMode; sites: number; n: number; k: number; scores: Float32Array },
  bank: AdapterBank,
): AdapterSet {
  const { sites, n, k, mode, scores } = mask;
  if (mode === 'hard') {
    // The selected indices, row by row: rows 0..sites-1 are the A masks, then the B masks.
    const picked = new Int32Array(2 * sites * k);
    let at = 0;
    for (let i = 0; i < scores.length; i++) if (scores[i] === 1) picked[at++] = i % n;
    return composeSelected(bank, picked.subarray(0, sites * k), picked.subarray(sites * k), k);
  }
  const [maskA, maskB] = tf.tidy(() => {
    const weights = tf.softmax(tf.tensor2d(scores, [2 * sites, n]));
    return tf.split(weights, 2, 0) as [tf.Tensor2D, tf.Tensor2D];
  });
  const set = composeCached(bank, maskA!, maskB!);
  tf.dispose([maskA!, maskB!]);
  return set;
}
