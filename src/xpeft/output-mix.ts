// Training a mask that mixes its adapters' outputs (MaskMix 'outputs'): at each site Σ_i w_i·f_i(h) over
// the bank's N adapters, where a hard mask gives weight to at most 2k of them (k chosen by each of its
// two rows). Autodiff of the side-by-side composition (compose.ts) runs every product over all N
// adapters forward and backward, and also differentiates the frozen bank. Here the forward pass and h's
// gradient run over the adapters with weight only; the weights' gradient, over all N, takes one product:
// ∂L/∂w_i = Σ_t f_i(h_t)·dy_t = Σ_t act_i(h_t)·(dy_t·B_iᵀ) + b_i·Σ_t dy_t.

import * as tf from '@tensorflow/tfjs';
import type { AdapterBank } from '../bank/bank';
import {
  activate,
  adapterLayout,
  type ForwardAdapterSet,
  type FunctionSiteAdapter,
} from '../encoder/adapter';
import type { AdapterActivation, Placement } from '../encoder/placement';

/** One site's adapters laid out once per training run, so that no step transposes the bank. */
interface MixSite {
  down: tf.Tensor2D; // [d, N·r]: the adapters' down projections side by side
  downBias: tf.Tensor1D; // [N·r]
  upT: tf.Tensor2D; // [d, N·r]: the up projections, transposed and side by side
  up: tf.Tensor3D; // [N, r, d]
  downT: tf.Tensor3D; // [N, r, d]: each down projection transposed
  upBias: tf.Tensor2D; // [N, d]
}

/** A bank laid out for output mixing; dispose when training ends. */
export interface OutputMixBank {
  placement: Placement;
  firstLayer?: number;
  activation: AdapterActivation;
  n: number;
  r: number;
  d: number;
  sites: MixSite[];
  dispose(): void;
}

export function prepareOutputMix(bank: AdapterBank): OutputMixBank {
  const { sites, n, d, r } = bank;
  const laid = tf.tidy(() => {
    const down = bank.down.reshape([sites, n, d, r]);
    const up = bank.up.reshape([sites, n, r, d]);
    const downBias = bank.downBias.reshape([sites, n * r]);
    return Array.from({ length: sites }, (_, s) => {
      const at = <T extends tf.Tensor>(x: T) => x.slice(s, 1).squeeze([0]);
      const downS = at(down) as tf.Tensor3D; // [N, d, r]
      const upS = at(up) as tf.Tensor3D; // [N, r, d]
      return {
        down: downS.transpose([1, 0, 2]).reshape([d, n * r]) as tf.Tensor2D,
        downBias: at(downBias) as tf.Tensor1D,
        upT: upS.transpose([2, 0, 1]).reshape([d, n * r]) as tf.Tensor2D,
        up: upS,
        downT: downS.transpose([0, 2, 1]) as tf.Tensor3D,
        upBias: at(bank.upBias) as tf.Tensor2D,
      };
    }) as unknown as tf.TensorContainer;
  }) as unknown as MixSite[];
  return {
    ...adapterLayout(bank),
    activation: bank.activation,
    n,
    r,
    d,
    sites: laid,
    dispose: () => {
      for (const site of laid) tf.dispose(Object.values(site));
    },
  };
}

/** The activation's derivative at x. */
function slope(x: tf.Tensor, activation: AdapterActivation): tf.Tensor {
  if (activation === 'relu') return tf.step(x);
  if (activation === 'swish') {
    const s = tf.sigmoid(x);
    return tf.add(s, tf.mul(tf.mul(x, s), tf.sub(1, s)));
  }
  // GELU: Φ(x) + x·φ(x).
  const cdf = tf.mul(0.5, tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
  const pdf = tf.mul(tf.exp(tf.mul(tf.square(x), -0.5)), 1 / Math.sqrt(2 * Math.PI));
  return tf.add(cdf, tf.mul(x, pdf));
}

/**
 * f(h, w) = Σ_i w_i·f_i(h) at one site, h [M, d], w [N], with at most `active` weights non-zero (all N
 * where active = N). The products over the weighted adapters run on their `active` largest weights.
 */
function mixedOutput(
  site: MixSite,
  bank: OutputMixBank,
  active: number,
): (h: tf.Tensor2D, w: tf.Tensor1D) => tf.Tensor2D {
  const { n, r, d, activation } = bank;
  const m = Math.min(active, n);
  /** x [M, N·r] over the weighted adapters only: [M, m·r], with their indices. */
  const weighted = (x: tf.Tensor2D, picks: tf.Tensor1D | undefined) =>
    picks ? tf.gather(x.reshape([-1, n, r]), picks, 1).reshape([-1, m * r]) : x;
  const pick = (w: tf.Tensor1D) => (m < n ? tf.topk(w, m).indices : undefined);
  const rows = (x: tf.Tensor3D, picks: tf.Tensor1D | undefined) => (picks ? tf.gather(x, picks, 0) : x);
  const weightsOf = (w: tf.Tensor1D, picks: tf.Tensor1D | undefined) =>
    (picks ? tf.gather(w, picks) : w).reshape([m, 1, 1]);
  return tf.customGrad(((h: tf.Tensor2D, w: tf.Tensor1D, save: tf.GradSaveFunc) => {
    const pre = tf.add(tf.matMul(h, site.down), site.downBias) as tf.Tensor2D; // [M, N·r]
    save([w, pre]);
    const picks = pick(w);
    const up = tf.mul(rows(site.up, picks), weightsOf(w, picks)).reshape([m * r, d]) as tf.Tensor2D;
    const value = tf.add(
      tf.matMul(weighted(activate(pre, activation), picks), up),
      tf.matMul(w.reshape([1, n]), site.upBias),
    ) as tf.Tensor2D;
    return {
      value,
      gradFunc: (dy: tf.Tensor2D, [ws, pres]: tf.Tensor[]) => {
        const [wv, p] = [ws as tf.Tensor1D, pres as tf.Tensor2D];
        const g = tf.matMul(dy, site.upT); // [M, N·r]: dy·B_iᵀ for every adapter
        const dw = tf.add(
          tf.sum(tf.mul(activate(p, activation), g).reshape([-1, n, r]), [0, 2]),
          tf.matMul(site.upBias, tf.sum(dy, 0).reshape([d, 1])).reshape([n]),
        );
        const at = pick(wv);
        const dPre = tf
          .mul(
            tf.mul(weighted(g as tf.Tensor2D, at).reshape([-1, m, r]), weightsOf(wv, at).reshape([1, m, 1])),
            slope(weighted(p, at), activation).reshape([-1, m, r]),
          )
          .reshape([-1, m * r]) as tf.Tensor2D;
        const dh = tf.matMul(dPre, rows(site.downT, at).reshape([m * r, d]));
        return [dh, dw];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as (h: tf.Tensor2D, w: tf.Tensor1D) => tf.Tensor2D;
}

/**
 * The adapters of an output-mixing mask for a forward pass under the gradient tape: weights w = (m_A +
 * m_B)/2 per site from the two mask rows [sites, N], at most `active` of them non-zero per site (2k
 * for a hard mask, N for a soft one). Equal to composeAdapters(bank, maskA, maskB, 'outputs').
 */
export function mixOutputs(
  bank: OutputMixBank,
  maskA: tf.Tensor2D,
  maskB: tf.Tensor2D,
  active: number,
): ForwardAdapterSet {
  const w = tf.div(tf.add(maskA, maskB), 2) as tf.Tensor2D;
  // tfjs 4.22's gradient of a one-output unstack fails (see composeAdapters): one site squeezes.
  const rows = (bank.sites.length === 1 ? [w.squeeze([0])] : tf.unstack(w)) as tf.Tensor1D[];
  const sites = bank.sites.map((site, s): FunctionSiteAdapter => {
    const f = mixedOutput(site, bank, active);
    return { output: (h) => f(h, rows[s]!) };
  });
  return { ...adapterLayout(bank), sites };
}
