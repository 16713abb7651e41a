// Where bottleneck adapters sit in the encoder and how big they are: plain numbers, no tensors, so the
// page, the profile format and the bank files can use them without loading tfjs.

/**
 * Where adapters sit and what they read, with s the sublayer's output projection, x the sublayer's
 * input, LN the sublayer's pretrained LayerNorm and f(v) = up(act(down(v))) an adapter:
 *
 * - 'houlsby': after attention and after the feed-forward block, LN(s + f(s) + x) at both. This is
 *   AdapterHub's DoubleSeqBnConfig arithmetic (whose default activation is swish).
 * - 'pfeiffer': the same arithmetic after the feed-forward block only, one site per layer. AdapterHub's
 *   "Pfeiffer" adapter (SeqBnConfig) computes something else: 'seq-bn'.
 * - 'seq-bn': AdapterHub's SeqBnConfig, after the feed-forward block: v = s + x, then LN(f(LN(v)) + v),
 *   the pretrained LayerNorm applied twice (before the adapter and after its residual).
 *
 * docs/adapterhub.md gives the source lines each reading comes from.
 */
export type Placement = 'pfeiffer' | 'houlsby' | 'seq-bn';
export const PLACEMENTS: readonly Placement[] = ['pfeiffer', 'houlsby', 'seq-bn'];

/** The adapter's non-linearity; swish (x·sigmoid(x)) is AdapterHub's DoubleSeqBnConfig default. */
export type AdapterActivation = 'relu' | 'gelu' | 'swish';
export const ADAPTER_ACTIVATIONS: readonly AdapterActivation[] = ['relu', 'gelu', 'swish'];

/** Adapter sites in `numLayers` layers (a model's, or those from a bank's first adapted layer up). */
export function siteCount(placement: Placement, numLayers: number): number {
  return placement === 'houlsby' ? 2 * numLayers : numLayers;
}

/**
 * Why adapter sites for `placement` that start at layer `first` cannot be `sites` in a `numLayers`-layer
 * model (`what` names the holder: "bank", "adapter set"), or undefined if they fit.
 */
export function siteMismatch(
  what: string,
  placement: Placement,
  numLayers: number,
  first: number,
  sites: number,
): string | undefined {
  if (!Number.isInteger(first) || first < 0 || first >= numLayers)
    return `${what} sites start at layer ${first}; a ${numLayers}-layer model has none there (layers 0–${numLayers - 1}).`;
  const want = siteCount(placement, numLayers - first);
  if (sites === want) return undefined;
  const layers = first === 0 ? `a ${numLayers}-layer model` : `layers ${first}–${numLayers - 1}`;
  return `A ${placement} ${what.toLowerCase()} for ${layers} needs ${want} sites; got ${sites}.`;
}

/** Trainable parameters of one conventional bottleneck adapter per site (down, its bias, up, its bias). */
export function adapterParameterCount(shape: { sites: number; d: number; r: number }): number {
  return shape.sites * (2 * shape.d * shape.r + shape.r + shape.d);
}

/** Site of a layer's attention output (Houlsby only) or feed-forward output; `layer` counts from the first adapted one. */
export function siteIndex(
  placement: Placement,
  layer: number,
  where: 'attention' | 'ffn',
): number | undefined {
  if (placement !== 'houlsby') return where === 'ffn' ? layer : undefined;
  return 2 * layer + (where === 'attention' ? 0 : 1);
}

/**
 * A point inside the encoder just before a site closes: layer `layer`'s attention or feed-forward
 * output, not yet passed through the site's adapter, residual and LayerNorm. Everything before it is
 * the same whatever adapters sit at or after it, so its state can be computed once per text.
 */
export interface SitePoint {
  layer: number;
  where: 'attention' | 'ffn';
}

/** The first site of adapters for `placement` from layer `firstLayer` up. */
export function firstSite(placement: Placement, firstLayer: number): SitePoint {
  return { layer: firstLayer, where: placement === 'houlsby' ? 'attention' : 'ffn' };
}

/** Sites in the order a forward pass meets them: negative if `a` comes before `b`, 0 if they are one. */
export function compareSites(a: SitePoint, b: SitePoint): number {
  const order = (p: SitePoint) => 2 * p.layer + (p.where === 'attention' ? 0 : 1);
  return order(a) - order(b);
}
