// Bottleneck adapters and where they sit in the encoder. A site's adapter is supplied by the caller
// (a bank composition, a per-profile adapter, a fixed test adapter); none means the plain model.

import * as tf from '@tensorflow/tfjs';
import { InputError } from '../errors';
import {
  ADAPTER_ACTIVATIONS,
  type AdapterActivation,
  PLACEMENTS,
  type Placement,
  siteMismatch,
} from './placement';

/** f(h) = act(h·down + downBias)·up + upBias; the placement says what h is and where f(h) is added. */
export interface SiteAdapter {
  down: tf.Tensor2D; // [d, r]
  downBias: tf.Tensor1D; // [r]
  up: tf.Tensor2D; // [r, d]
  upBias: tf.Tensor1D; // [d]
  activation: AdapterActivation;
}

/**
 * An adapter given by its function alone, f(h) for h [M, d] → [M, d]: a mixture of a bank's adapters in
 * training (src/xpeft/output-mix.ts), whose products run over only the adapters that have weight.
 */
export interface FunctionSiteAdapter {
  output(h: tf.Tensor2D): tf.Tensor2D;
}

export const isFunctionAdapter = (
  a: SiteAdapter | BatchedSiteAdapter | FunctionSiteAdapter,
): a is FunctionSiteAdapter => 'output' in a;

export interface AdapterSet {
  placement: Placement;
  /**
   * The layer the sites start at (default 0): site 0 is in this layer, and the layers below run
   * unadapted, so their output can be computed once per text (see BertEncoder.siteState).
   */
  firstLayer?: number;
  /** One entry per site from firstLayer up, in order (see siteIndex); null leaves a site empty. */
  sites: readonly (SiteAdapter | null)[];
}

/** What a forward pass takes: an adapter set whose sites may also be function adapters (training). */
export interface ForwardAdapterSet extends Omit<AdapterSet, 'sites'> {
  sites: readonly (SiteAdapter | FunctionSiteAdapter | null)[];
}

/** Where a set's sites sit, from a bank's or a shape's placement and first layer (0 if not given). */
export function adapterLayout(shape: { placement: Placement; firstLayer?: number }): {
  placement: Placement;
  firstLayer: number;
} {
  return { placement: shape.placement, firstLayer: shape.firstLayer ?? 0 };
}

/** One adapter per example of a batch (many profiles in one call): the same tensors with a leading B. */
export interface BatchedSiteAdapter {
  down: tf.Tensor3D; // [B, d, r]
  downBias: tf.Tensor2D; // [B, r]
  up: tf.Tensor3D; // [B, r, d]
  upBias: tf.Tensor2D; // [B, d]
  activation: AdapterActivation;
}

export interface BatchedAdapterSet {
  placement: Placement;
  firstLayer?: number;
  /** Examples in the batch: every tensor's leading dimension. */
  batch: number;
  sites: readonly (BatchedSiteAdapter | null)[];
}

/** Exact GELU, as BERT uses it: 0.5·x·(1 + erf(x/√2)). */
export function gelu<T extends tf.Tensor>(x: T): T {
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))) as T;
}

export function activate<T extends tf.Tensor>(x: T, activation: AdapterActivation): T {
  if (activation === 'relu') return tf.relu(x);
  if (activation === 'gelu') return gelu(x);
  return tf.mul(x, tf.sigmoid(x)) as T; // swish
}

/**
 * x·w, with its gradients as plain products of explicit transposes: autodiff of x·w multiplies by a
 * transposed operand, which tfjs's wasm matMul runs about 13× slower ([3200, 720]ᵀ·[3200, 384]: 1.5 s
 * against 0.12 s for a transpose and a plain product).
 */
const product = tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor2D, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: tf.matMul(x, w),
    gradFunc: (dy: tf.Tensor2D, [xs, ws]: tf.Tensor2D[]) => [
      tf.matMul(dy, tf.transpose(ws!)),
      tf.matMul(tf.transpose(xs!), dy),
    ],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;

/** f(h) = act(h·down + downBias)·up + upBias: [M, d] → [M, d]. */
export function adapterOutput(h: tf.Tensor2D, a: SiteAdapter): tf.Tensor2D {
  const pre = tf.add(product(h, a.down), a.downBias) as tf.Tensor2D; // [M, r]
  return tf.add(product(activate(pre, a.activation), a.up), a.upBias) as tf.Tensor2D; // [M, d]
}

/** f_b(h_b) for each example b of h [B·T, d] (example-major), each under its own adapter. */
export function batchedAdapterOutput(h: tf.Tensor2D, a: BatchedSiteAdapter): tf.Tensor2D {
  const [B, d] = [a.down.shape[0], a.down.shape[1]];
  const h3 = h.reshape([B, -1, d]) as tf.Tensor3D; // [B, T, d]
  const pre = tf.add(tf.matMul(h3, a.down), a.downBias.expandDims(1)) as tf.Tensor3D; // [B, T, r]
  const out = tf.add(tf.matMul(activate(pre, a.activation), a.up), a.upBias.expandDims(1)); // [B, T, d]
  return out.reshape(h.shape) as tf.Tensor2D;
}

/** Stacks one adapter set per example into a batched set (all sets from one bank: same shapes). */
export function stackAdapterSets(sets: readonly AdapterSet[]): BatchedAdapterSet {
  const first = sets[0];
  if (!first) throw new InputError('Cannot stack an empty list of adapter sets.');
  const sites = first.sites.map((site, i) => {
    const all = sets.map((s) => s.sites[i] ?? null);
    if (all.every((a) => a === null)) return null;
    const layout = (s: AdapterSet) => JSON.stringify(adapterLayout(s));
    if (all.some((a) => a === null) || sets.some((s) => layout(s) !== layout(first)))
      throw new InputError(`Adapter sets differ at site ${i}: they cannot share one batch.`);
    // Bottlenecks of different widths (an output mix of more or fewer adapters) are padded to the widest
    // with zeros: act(0) = 0 for every activation here, so a padded unit adds nothing.
    const list = all as SiteAdapter[];
    const width = Math.max(...list.map((a) => a.down.shape[1]));
    const pad = (a: SiteAdapter) => width - a.down.shape[1];
    return {
      down: tf.stack(
        list.map((a) =>
          tf.pad(a.down, [
            [0, 0],
            [0, pad(a)],
          ]),
        ),
      ) as tf.Tensor3D,
      downBias: tf.stack(list.map((a) => tf.pad(a.downBias, [[0, pad(a)]]))) as tf.Tensor2D,
      up: tf.stack(
        list.map((a) =>
          tf.pad(a.up, [
            [0, pad(a)],
            [0, 0],
          ]),
        ),
      ) as tf.Tensor3D,
      upBias: tf.stack(list.map((a) => a.upBias)) as tf.Tensor2D,
      activation: site!.activation,
    };
  });
  return { ...adapterLayout(first), batch: sets.length, sites };
}

function sameShape(t: tf.Tensor, shape: number[]): boolean {
  return t.shape.length === shape.length && t.shape.every((v, i) => v === shape[i]);
}

/**
 * Checks site count and every adapter's shapes against the model (and, for a batched set, against the
 * input batch `batch`); errors name the site.
 */
export function validateAdapterSet(
  set: ForwardAdapterSet | BatchedAdapterSet,
  numLayers: number,
  hiddenSize: number,
  batch?: number,
): void {
  const batched = 'batch' in set;
  if (batched && set.batch !== batch)
    throw new InputError(`The batched adapters are for ${set.batch} examples; the input has ${batch}.`);
  const lead = batched ? [set.batch] : [];
  if (!PLACEMENTS.includes(set.placement)) {
    throw new InputError(
      `Unknown adapter placement "${set.placement}"; expected one of ${PLACEMENTS.join(', ')}.`,
    );
  }
  const mismatch = siteMismatch(
    'Adapter set',
    set.placement,
    numLayers,
    set.firstLayer ?? 0,
    set.sites.length,
  );
  if (mismatch) throw new InputError(mismatch);
  set.sites.forEach((a, i) => {
    if (!a || isFunctionAdapter(a)) return; // a function adapter's shapes are its own to check
    const r = a.down.shape[lead.length + 1] ?? 0;
    const want: [string, tf.Tensor, number[]][] = [
      ['down', a.down, [...lead, hiddenSize, r]],
      ['downBias', a.downBias, [...lead, r]],
      ['up', a.up, [...lead, r, hiddenSize]],
      ['upBias', a.upBias, [...lead, hiddenSize]],
    ];
    for (const [name, t, shape] of want) {
      if (!sameShape(t, shape)) {
        throw new InputError(`Adapter at site ${i}: ${name} has shape [${t.shape}]; expected [${shape}].`);
      }
    }
    if (!ADAPTER_ACTIVATIONS.includes(a.activation)) {
      throw new InputError(
        `Adapter at site ${i}: activation "${a.activation}" is not one of ${ADAPTER_ACTIVATIONS}.`,
      );
    }
  });
}
