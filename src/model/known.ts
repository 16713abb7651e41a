// Checkpoints known by digest: the default model's weights, which the model fetcher checks.

export const DEFAULT_MODEL = 'sentence-transformers/all-MiniLM-L6-v2';
/** Its folder name, under models/ in the repository and /models/ on the page. */
export const DEFAULT_MODEL_FOLDER = DEFAULT_MODEL.split('/').pop()!;

/** sha256 of model.safetensors as published on the hub, by hub id. */
export const KNOWN_WEIGHTS: Readonly<Record<string, string>> = {
  [DEFAULT_MODEL]: '53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db',
};
