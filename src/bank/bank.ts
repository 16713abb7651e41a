// A bank of N bottleneck adapters for every adapter site of one model, stacked so that composing a
// profile's adapters is one batched (1×N)·(N×(d·r)) product per projection for all sites at once.

import * as tf from '@tensorflow/tfjs';
import { type AdapterActivation, type Placement, siteMismatch } from '../encoder/placement';
import { BankError } from '../errors';
import { concatArrays } from '../util/concat';
import { sha256Hex } from '../util/sha256';

export interface BankShape {
  placement: Placement;
  activation: AdapterActivation;
  sites: number; // siteCount(placement, layers from firstLayer up)
  /**
   * The model layer the adapter sites start at (default 0, every layer). Sites only in the upper layers
   * let training compute the layers below once per text instead of at every step.
   */
  firstLayer?: number;
  n: number; // adapters per site
  d: number; // model width
  r: number; // bottleneck width
}

/** Bank weights as flat fp32 arrays, site-major then adapter-major (the layout of the tensors below). */
export interface BankArrays {
  down: Float32Array; // [sites, n, d·r]
  downBias: Float32Array; // [sites, n, r]
  up: Float32Array; // [sites, n, r·d]
  upBias: Float32Array; // [sites, n, d]
}

export interface AdapterBank extends BankShape {
  kind: 'random' | 'trained';
  /** sha256 over the shape and every weight: identical weights ⇔ identical fingerprint. */
  fingerprint: string;
  /** What the bank was built from (random recipe or training provenance), for display and files. */
  metadata: Record<string, string>;
  /**
   * The weights as uploaded, kept on the CPU: a hard profile composes from them in plain JavaScript
   * (k rows per site), which is far cheaper than tensor ops over the whole bank. Costs the bank's size
   * once more in CPU memory (22 MB for the default model at N=100).
   */
  arrays: Readonly<BankArrays>;
  down: tf.Tensor3D; // [sites, n, d·r]
  downBias: tf.Tensor3D; // [sites, n, r]
  up: tf.Tensor3D; // [sites, n, r·d]
  upBias: tf.Tensor3D; // [sites, n, d]
}

export const ARRAY_NAMES = ['down', 'downBias', 'up', 'upBias'] as const;

export function arrayShapes(s: BankShape): Record<(typeof ARRAY_NAMES)[number], [number, number, number]> {
  return {
    down: [s.sites, s.n, s.d * s.r],
    downBias: [s.sites, s.n, s.r],
    up: [s.sites, s.n, s.r * s.d],
    upBias: [s.sites, s.n, s.d],
  };
}

export function validateBankShape(s: BankShape, numLayers?: number): void {
  const positive = (name: string, v: number, max = 1 << 20) => {
    if (!Number.isInteger(v) || v < 1 || v > max)
      throw new BankError(`Bank ${name} must be an integer in [1, ${max}]; got ${v}.`);
  };
  positive('n', s.n, 65535);
  positive('r', s.r);
  positive('d', s.d);
  positive('sites', s.sites, 65535);
  const first = s.firstLayer ?? 0;
  if (!Number.isInteger(first) || first < 0)
    throw new BankError(`Bank firstLayer must be a non-negative integer; got ${s.firstLayer}.`);
  if (numLayers === undefined) return;
  const mismatch = siteMismatch('Bank', s.placement, numLayers, first, s.sites);
  if (mismatch) throw new BankError(mismatch);
}

export async function bankFingerprint(shape: BankShape, arrays: BankArrays): Promise<string> {
  const dims = [shape.placement, shape.activation, shape.sites, shape.n, shape.d, shape.r];
  // Banks over every layer keep the digest they had before firstLayer existed, and with it their profiles.
  const first = shape.firstLayer ?? 0;
  const head = new TextEncoder().encode(JSON.stringify(first === 0 ? dims : [...dims, first]));
  const parts = [
    head,
    ...ARRAY_NAMES.map((k) => new Uint8Array(arrays[k].buffer, arrays[k].byteOffset, arrays[k].byteLength)),
  ];
  return sha256Hex(concatArrays(parts, (n) => new Uint8Array(n)));
}

/** A shared head's values (the shape of xpeft's HeadWeights, named here to keep banks below xpeft). */
export interface SharedHead {
  inputs: number;
  outputs: number;
  weight: Float32Array;
  bias: Float32Array;
}

/**
 * A bank's identity, which profiles record: the digest of its weights, or for a bank that brings its
 * shared head (a trained bank file), the digest of both. A profile's bias offset is relative to that
 * head, so the same adapters with another head are another bank.
 */
export async function bankIdentity(weightsDigest: string, head?: SharedHead): Promise<string> {
  if (!head) return weightsDigest;
  const bytes = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const dims = new TextEncoder().encode(JSON.stringify([weightsDigest, head.inputs, head.outputs]));
  return sha256Hex(concatArrays([dims, bytes(head.weight), bytes(head.bias)], (n) => new Uint8Array(n)));
}

/** Uploads checked arrays to the active backend as a bank (identified with its shared head, if any). */
export async function createBank(
  kind: AdapterBank['kind'],
  shape: BankShape,
  arrays: BankArrays,
  metadata: Record<string, string>,
  head?: SharedHead,
): Promise<AdapterBank> {
  validateBankShape(shape);
  const shapes = arrayShapes(shape);
  for (const name of ARRAY_NAMES) {
    const want = shapes[name].reduce((a, b) => a * b, 1);
    if (arrays[name].length !== want) {
      throw new BankError(
        `Bank array "${name}" has ${arrays[name].length} values; shape [${shapes[name]}] needs ${want}.`,
      );
    }
  }
  return {
    kind,
    ...shape,
    firstLayer: shape.firstLayer ?? 0,
    fingerprint: await bankIdentity(await bankFingerprint(shape, arrays), head),
    metadata,
    arrays,
    down: tf.tensor3d(arrays.down, shapes.down),
    downBias: tf.tensor3d(arrays.downBias, shapes.downBias),
    up: tf.tensor3d(arrays.up, shapes.up),
    upBias: tf.tensor3d(arrays.upBias, shapes.upBias),
  };
}

export function disposeBank(bank: AdapterBank): void {
  tf.dispose([bank.down, bank.downBias, bank.up, bank.upBias]);
}

/** Reads the bank back from the backend (for saving, or to check bit-identity across backends). */
export async function readBankArrays(bank: AdapterBank): Promise<BankArrays> {
  const [down, downBias, up, upBias] = (await Promise.all(
    ARRAY_NAMES.map((k) => bank[k].data()),
  )) as Float32Array[];
  return { down: down!, downBias: downBias!, up: up!, upBias: upBias! };
}
