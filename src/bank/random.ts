// Random banks: fully described by a recipe, regenerated bit-identically anywhere from the seed, so a
// random bank costs nothing to ship. Generation is plain JavaScript (our own seeded generator), never a
// backend's random op, which is why every backend gets the same bytes.

import { type AdapterActivation, type Placement, siteCount } from '../encoder/placement';
import { BankError } from '../errors';
import { seededRandom } from '../util/random';
import { type AdapterBank, type BankShape, createBank, validateBankShape } from './bank';

export interface RandomBankRecipe {
  seed: number; // any uint32
  n: number; // adapters per site, default 100
  r?: number; // bottleneck, default d/16
  placement?: Placement; // default 'pfeiffer'
  firstLayer?: number; // default 0: sites in every layer (see BankShape.firstLayer)
  activation?: AdapterActivation; // default 'relu'
  /**
   * Expected ratio ‖adapter(h) − h‖ / ‖h‖ for a top-`referenceK` hard composition (default 0.1 at k=10):
   * large enough that selecting adapters changes the model, small enough not to swamp the residual.
   */
  scale?: number;
  referenceK?: number;
}

export const DEFAULT_RANDOM_BANK: Required<Omit<RandomBankRecipe, 'r'>> = {
  seed: 0,
  n: 100,
  placement: 'pfeiffer',
  firstLayer: 0,
  activation: 'relu',
  scale: 0.1,
  referenceK: 10,
};

/**
 * Why these standard deviations: with down ~ N(0, 1/d) and up ~ N(0, σ²), a mean of k independent
 * adapters has entries with variance 1/(d·k) and σ²/k. For input h, each of the r ReLU units then has
 * second moment ‖h‖²/(2dk), and each of the d outputs variance r·‖h‖²/(2dk)·σ²/k, so
 * ‖out‖/‖h‖ = σ·√(r/2)/k. Solving for the target ratio gives σ = scale·k·√(2/r).
 */
export function randomBankStds(d: number, r: number, scale: number, k: number): { down: number; up: number } {
  return { down: 1 / Math.sqrt(d), up: scale * k * Math.sqrt(2 / r) };
}

export function randomBankShape(recipe: RandomBankRecipe, d: number, numLayers: number): BankShape {
  const placement = recipe.placement ?? DEFAULT_RANDOM_BANK.placement;
  const firstLayer = recipe.firstLayer ?? DEFAULT_RANDOM_BANK.firstLayer;
  return {
    placement,
    firstLayer,
    activation: recipe.activation ?? DEFAULT_RANDOM_BANK.activation,
    sites: siteCount(placement, numLayers - firstLayer),
    n: recipe.n,
    d,
    r: recipe.r ?? Math.max(1, Math.round(d / 16)),
  };
}

/** Generates the bank for a model of width d and `numLayers` layers; biases are zero. */
export async function createRandomBank(
  recipe: RandomBankRecipe,
  d: number,
  numLayers: number,
): Promise<AdapterBank> {
  if (!Number.isInteger(recipe.seed) || recipe.seed < 0 || recipe.seed > 0xffffffff) {
    throw new BankError(`Random bank seed must be an integer in [0, 4294967295]; got ${recipe.seed}.`);
  }
  const shape = randomBankShape(recipe, d, numLayers);
  validateBankShape(shape, numLayers);
  const scale = recipe.scale ?? DEFAULT_RANDOM_BANK.scale;
  const k = recipe.referenceK ?? DEFAULT_RANDOM_BANK.referenceK;
  if (!(scale > 0) || !(k >= 1))
    throw new BankError(`Random bank scale and referenceK must be positive; got ${scale}, ${k}.`);
  const std = randomBankStds(d, shape.r, scale, k);
  const rng = seededRandom(recipe.seed);
  const per = d * shape.r;
  const total = shape.sites * shape.n;
  const down = new Float32Array(total * per);
  const up = new Float32Array(total * per);
  for (let a = 0; a < total; a++) {
    down.set(rng.normals(per, std.down), a * per);
    up.set(rng.normals(per, std.up), a * per);
  }
  const metadata = {
    kind: 'random',
    recipe: JSON.stringify({ ...DEFAULT_RANDOM_BANK, ...recipe, r: shape.r, placement: shape.placement }),
  };
  return createBank(
    'random',
    shape,
    { down, downBias: new Float32Array(total * shape.r), up, upBias: new Float32Array(total * d) },
    metadata,
  );
}
