// Checkpoints known by digest: their weights are pinned wherever they are read, so a wrong or damaged
// file is refused (and never cached) even where the server answers with status 200.

export const DEFAULT_MODEL = 'sentence-transformers/all-MiniLM-L6-v2';
/** Its folder name, under models/ in the repository and /models/ on the page. */
export const DEFAULT_MODEL_FOLDER = DEFAULT_MODEL.split('/').pop()!;

/** sha256 of model.safetensors as published on the hub, by hub id. */
export const KNOWN_WEIGHTS: Readonly<Record<string, string>> = {
  [DEFAULT_MODEL]: '53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db',
};

/**
 * The pins (file → sha256) for a known checkpoint, named by hub id or by a path or URL base ending in
 * its folder name (`/models/all-MiniLM-L6-v2`); undefined for any other.
 */
export function knownPins(source: string): Record<string, string> | undefined {
  const folder = source.replace(/\/+$/, '').split('/').pop();
  const id = Object.keys(KNOWN_WEIGHTS).find((k) => k === source || k.split('/').pop() === folder);
  return id ? { 'model.safetensors': KNOWN_WEIGHTS[id]! } : undefined;
}
