// Where bottleneck adapters sit in the encoder and how big they are: plain numbers, no tensors, so the
// page, the profile format and the bank files can use them without loading tfjs.

/** Pfeiffer: one site per layer, after the feed-forward output projection. Houlsby: also after attention. */
export type Placement = 'pfeiffer' | 'houlsby';
export const PLACEMENTS: readonly Placement[] = ['pfeiffer', 'houlsby'];

export type AdapterActivation = 'relu' | 'gelu';
export const ADAPTER_ACTIVATIONS: readonly AdapterActivation[] = ['relu', 'gelu'];

/** Adapter sites in `numLayers` layers (a model's, or those from a bank's first adapted layer up). */
export function siteCount(placement: Placement, numLayers: number): number {
  return placement === 'pfeiffer' ? numLayers : 2 * numLayers;
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
  if (placement === 'pfeiffer') return where === 'ffn' ? layer : undefined;
  return 2 * layer + (where === 'attention' ? 0 : 1);
}
