// Bottleneck adapters and where they sit in the encoder. A site's adapter is supplied by the caller
// (a bank composition, a per-profile adapter, a fixed test adapter); none means the plain model.

import * as tf from '@tensorflow/tfjs';
import { InputError } from '../errors';

/** Pfeiffer: one site per layer, after the feed-forward output projection. Houlsby: also after attention. */
export type Placement = 'pfeiffer' | 'houlsby';
export const PLACEMENTS: readonly Placement[] = ['pfeiffer', 'houlsby'];

export type AdapterActivation = 'relu' | 'gelu';
export const ADAPTER_ACTIVATIONS: readonly AdapterActivation[] = ['relu', 'gelu'];

/** h ← h + act(h·down + downBias)·up + upBias */
export interface SiteAdapter {
  down: tf.Tensor2D; // [d, r]
  downBias: tf.Tensor1D; // [r]
  up: tf.Tensor2D; // [r, d]
  upBias: tf.Tensor1D; // [d]
  activation: AdapterActivation;
}

export interface AdapterSet {
  placement: Placement;
  /** One entry per site, in order (see siteIndex); null leaves a site empty. */
  sites: readonly (SiteAdapter | null)[];
}

/** Adapter sites in a model of `numLayers` layers. */
export function siteCount(placement: Placement, numLayers: number): number {
  return placement === 'pfeiffer' ? numLayers : 2 * numLayers;
}

/** Trainable parameters of one conventional bottleneck adapter per site (down, its bias, up, its bias). */
export function adapterParameterCount(shape: { sites: number; d: number; r: number }): number {
  return shape.sites * (2 * shape.d * shape.r + shape.r + shape.d);
}

/** Site of a layer's attention output (Houlsby only) or feed-forward output. */
export function siteIndex(
  placement: Placement,
  layer: number,
  where: 'attention' | 'ffn',
): number | undefined {
  if (placement === 'pfeiffer') return where === 'ffn' ? layer : undefined;
  return 2 * layer + (where === 'attention' ? 0 : 1);
}

/** Exact GELU, as BERT uses it: 0.5·x·(1 + erf(x/√2)). */
export function gelu<T extends tf.Tensor>(x: T): T {
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))) as T;
}

export function applyAdapter(h: tf.Tensor2D, a: SiteAdapter): tf.Tensor2D {
  const pre = tf.add(tf.matMul(h, a.down), a.downBias) as tf.Tensor2D; // [M, r]
  const hidden = a.activation === 'relu' ? tf.relu(pre) : gelu(pre); // [M, r]
  return tf.add(h, tf.add(tf.matMul(hidden, a.up), a.upBias)) as tf.Tensor2D; // [M, d]
}

function sameShape(t: tf.Tensor, shape: number[]): boolean {
  return t.shape.length === shape.length && t.shape.every((v, i) => v === shape[i]);
}

/** Checks site count and every adapter's shapes against the model; errors name the site. */
export function validateAdapterSet(set: AdapterSet, numLayers: number, hiddenSize: number): void {
  if (!PLACEMENTS.includes(set.placement)) {
    throw new InputError(
      `Unknown adapter placement "${set.placement}"; expected one of ${PLACEMENTS.join(', ')}.`,
    );
  }
  const expected = siteCount(set.placement, numLayers);
  if (set.sites.length !== expected) {
    throw new InputError(
      `A ${set.placement} adapter set for ${numLayers} layers needs ${expected} sites; got ${set.sites.length}.`,
    );
  }
  set.sites.forEach((a, i) => {
    if (!a) return;
    const r = a.down.shape[1] ?? 0;
    const want: [string, tf.Tensor, number[]][] = [
      ['down', a.down, [hiddenSize, r]],
      ['downBias', a.downBias, [r]],
      ['up', a.up, [r, hiddenSize]],
      ['upBias', a.upBias, [hiddenSize]],
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
