// The default model, the files every checkpoint has, and checkpoints known by digest (the default
// model's weights, which the model fetcher checks). No imports: the page's first script may take these.

export const DEFAULT_MODEL = 'sentence-transformers/all-MiniLM-L6-v2';
/** Its folder name, under models/ in the repository and /models/ on the page. */
export const DEFAULT_MODEL_FOLDER = DEFAULT_MODEL.split('/').pop()!;

/** sha256 of model.safetensors as published on the hub, by hub id. */
export const KNOWN_WEIGHTS: Readonly<Record<string, string>> = {
  [DEFAULT_MODEL]: '53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db',
};

/** The files of a checkpoint in Hugging Face layout, in the order they are read. */
export const CHECKPOINT_FILES = [
  'config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'model.safetensors',
] as const;
