// X-PEFT Web: the public surface. Everything a user imports comes from here.

export type { AdapterActivation, AdapterSet, Placement, SiteAdapter } from './encoder/adapter';
export { ADAPTER_ACTIVATIONS, PLACEMENTS, siteCount, siteIndex } from './encoder/adapter';
export type { EncoderInputs, Pooling } from './encoder/bert';
export { BertEncoder, POOLINGS, pool, toEncoderInputs } from './encoder/bert';
export type { EmbedOptions } from './encoder/language-model';
export { cosineSimilarity, LanguageModel } from './encoder/language-model';
export {
  InputError,
  InputTooLongError,
  MissingTensorError,
  ModelConfigError,
  ModelFileError,
  SafetensorsFormatError,
  TensorShapeError,
  UnsupportedArchitectureError,
  UnsupportedDtypeError,
  XpeftError,
} from './errors';
export type { Checkpoint, LoadOptions, LoadProgress } from './model/checkpoint';
export { CHECKPOINT_FILES, loadCheckpoint, sha256Hex } from './model/checkpoint';
export type { BertConfig, HiddenAct } from './model/config';
export { parseBertConfig, toConfigJson } from './model/config';
export type { SafetensorsFile, StoredDtype, Tensor32, TensorToWrite } from './model/safetensors';
export { readSafetensors, writeSafetensors } from './model/safetensors';
export type { FileProgress, ModelSource } from './model/source';
export { describeSource, parseModelSource, readModelFile } from './model/source';
export type { TextInput, TokenBatch, TokenizeOptions, Truncation } from './model/tokenizer';
export { createTokenizer, tokenizeBatch } from './model/tokenizer';
export type { BackendName } from './runtime/backend';
export { BACKENDS, BackendUnavailableError, useBackend } from './runtime/backend';
