// Composition of a profile's adapters from the bank: A_l = Σ_i m[l,i]·A[l,i] (and B, and both biases),
// as one batched product per projection for all sites; or the mean of the selected adapters' outputs.

import * as tf from '@tensorflow/tfjs';
import type { AdapterBank } from '../bank/bank';
import { type AdapterSet, adapterLayout, type SiteAdapter } from '../encoder/adapter';
import type { MaskMix, MaskMode } from './mask';

/**
 * maskA, maskB: [sites, N] weights → one adapter per site (see MaskMix). Call inside tf.tidy (training
 * does, under the gradient tape); for inference use composeCached, which keeps only the composed tensors.
 */
export function composeAdapters(
  bank: AdapterBank,
  maskA: tf.Tensor2D,
  maskB: tf.Tensor2D,
  mix: MaskMix = 'weights',
): AdapterSet {
  const { sites, n, d, r } = bank;
  const mixed = (m: tf.Tensor2D, stacked: tf.Tensor3D) =>
    tf.matMul(m.expandDims(1) as tf.Tensor3D, stacked).squeeze([1]); // [sites, 1, N]·[sites, N, X] → [sites, X]
  // tfjs 4.22's gradient of unstack fails when it has a single output (it hands stack one tensor where
  // it wants a list), so a one-site bank (sites in the last layer only) squeezes instead.
  const perSite = (x: tf.Tensor) => (sites === 1 ? [x.squeeze([0])] : tf.unstack(x));
  let parts: { down: tf.Tensor; downBias: tf.Tensor; up: tf.Tensor; upBias: tf.Tensor };
  if (mix === 'outputs') {
    // Every bank adapter side by side as one adapter N·r wide, each block's up rows scaled by its weight:
    // act(h·[A_1 … A_N] + [a_1 … a_N])·[w_1·B_1; …; w_N·B_N] + Σ w_i·b_i = Σ_i w_i·f_i(h).
    const w = tf.div(tf.add(maskA, maskB), 2) as tf.Tensor2D; // [sites, N]
    parts = {
      down: bank.down
        .reshape([sites, n, d, r])
        .transpose([0, 2, 1, 3])
        .reshape([sites, d, n * r]),
      downBias: bank.downBias.reshape([sites, n * r]),
      up: tf.mul(bank.up, w.expandDims(2)).reshape([sites, n * r, d]),
      upBias: mixed(w, bank.upBias),
    };
  } else {
    parts = {
      down: mixed(maskA, bank.down).reshape([sites, d, r]),
      downBias: mixed(maskA, bank.downBias),
      up: mixed(maskB, bank.up).reshape([sites, r, d]),
      upBias: mixed(maskB, bank.upBias),
    };
  }
  const downs = perSite(parts.down) as tf.Tensor2D[]; // sites × [d, width]
  const downBiases = perSite(parts.downBias) as tf.Tensor1D[]; // sites × [width]
  const ups = perSite(parts.up) as tf.Tensor2D[]; // sites × [width, d]
  const upBiases = perSite(parts.upBias) as tf.Tensor1D[]; // sites × [d]
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
export function composeCached(
  bank: AdapterBank,
  maskA: tf.Tensor2D,
  maskB: tf.Tensor2D,
  mix: MaskMix = 'weights',
): AdapterSet {
  const sites = tf.tidy(
    () => composeAdapters(bank, maskA, maskB, mix).sites as unknown as tf.TensorContainer,
  );
  return { ...adapterLayout(bank), sites: sites as unknown as SiteAdapter[] };
}

/**
 * A hard mask's adapters from its selected indices, equal to composeCached with k-hot/k weights: with
 * 'weights' each site's mean of its k selected bank adapters; with 'outputs' the selected adapters side
 * by side (at most 2k of them, weighted by how many of the two masks chose each). Summed on the CPU from
 * the bank's kept arrays, then uploaded: a few milliseconds, where tensor ops touching the whole bank
 * cost tens. selectedA, selectedB: [sites, k] adapter indices, row-major.
 */
export function composeSelected(
  bank: AdapterBank,
  selectedA: Int32Array,
  selectedB: Int32Array,
  k: number,
  mix: MaskMix = 'weights',
): AdapterSet {
  const { sites, n, d, r, arrays } = bank;
  const row = (src: Float32Array, width: number, site: number, i: number) =>
    src.subarray((site * n + i) * width, (site * n + i + 1) * width);
  /** Σ_i weight_i · row_i over (adapter, weight) pairs. */
  const weighted = (src: Float32Array, width: number, site: number, picks: [number, number][]) => {
    const out = new Float32Array(width);
    for (const [i, weight] of picks) {
      const x = row(src, width, site, i);
      for (let j = 0; j < width; j++) out[j]! += weight * x[j]!;
    }
    return out;
  };
  const picks = (selected: Int32Array, site: number, weight: number) =>
    [...selected.subarray(site * k, (site + 1) * k)].map((i): [number, number] => [i, weight]);
  const adapters = Array.from({ length: sites }, (_, s): SiteAdapter => {
    if (mix === 'weights')
      return {
        down: tf.tensor2d(weighted(arrays.down, d * r, s, picks(selectedA, s, 1 / k)), [d, r]),
        downBias: tf.tensor1d(weighted(arrays.downBias, r, s, picks(selectedA, s, 1 / k))),
        up: tf.tensor2d(weighted(arrays.up, r * d, s, picks(selectedB, s, 1 / k)), [r, d]),
        upBias: tf.tensor1d(weighted(arrays.upBias, d, s, picks(selectedB, s, 1 / k))),
        activation: bank.activation,
      };
    const weights = new Map<number, number>();
    for (const [i, w] of [...picks(selectedA, s, 1 / (2 * k)), ...picks(selectedB, s, 1 / (2 * k))])
      weights.set(i, (weights.get(i) ?? 0) + w);
    const chosen = [...weights].sort((a, b) => a[0] - b[0]);
    const m = chosen.length;
    const down = new Float32Array(d * m * r);
    const downBias = new Float32Array(m * r);
    const up = new Float32Array(m * r * d);
    for (const [j, [i, w]] of chosen.entries()) {
      const A = row(arrays.down, d * r, s, i);
      for (let a = 0; a < d; a++) down.set(A.subarray(a * r, (a + 1) * r), a * m * r + j * r);
      downBias.set(row(arrays.downBias, r, s, i), j * r);
      const B = row(arrays.up, r * d, s, i);
      for (let x = 0; x < r * d; x++) up[j * r * d + x] = w * B[x]!;
    }
    return {
      down: tf.tensor2d(down, [d, m * r]),
      downBias: tf.tensor1d(downBias),
      up: tf.tensor2d(up, [m * r, d]),
      upBias: tf.tensor1d(weighted(arrays.upBias, d, s, chosen)),
      activation: bank.activation,
    };
  });
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
  mask: { mode: MaskMode; mix?: MaskMix; sites: number; n: number; k: number; scores: Float32Array },
  bank: AdapterBank,
): AdapterSet {
  const { sites, n, k, mode, scores, mix } = mask;
  if (mode === 'hard') {
    // The selected indices, row by row: rows 0..sites-1 are the A masks, then the B masks.
    const picked = new Int32Array(2 * sites * k);
    let at = 0;
    for (let i = 0; i < scores.length; i++) if (scores[i] === 1) picked[at++] = i % n;
    return composeSelected(bank, picked.subarray(0, sites * k), picked.subarray(sites * k), k, mix);
  }
  const [maskA, maskB] = tf.tidy(() => {
    const weights = tf.softmax(tf.tensor2d(scores, [2 * sites, n]));
    return tf.split(weights, 2, 0) as [tf.Tensor2D, tf.Tensor2D];
  });
  const set = composeCached(bank, maskA!, maskB!, mix);
  tf.dispose([maskA!, maskB!]);
  return set;
}
