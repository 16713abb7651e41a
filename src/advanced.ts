// X-PEFT Web, advanced surface (`xpeft-web/advanced`): the encoder, banks and their builders, the engines,
// the profile codec and storage primitives, backends. Most pages need only the small API in index.ts.
// It includes the small API (index.ts), so one import serves code that uses both.

export type { GpuAdapterInfo } from './backend/backends';
export { BACKENDS, useBackend } from './backend/backends';
export type { ProbeLimits, ProbeTiming } from './backend/probe';
export type {
  BackendReport,
  BackendTiming,
  ChoiceStore,
  SelectOptions,
  StoredChoice,
} from './backend/select';
export { selectBackend } from './backend/select';
export type { AdapterBank, BankArrays, BankShape, SharedHead } from './bank/bank';
export { bankFingerprint, disposeBank, readBankArrays } from './bank/bank';
export type { LoadedBank, TrainedBankInfo } from './bank/file';
export { BANK_FORMAT, loadBankFile, saveBankFile } from './bank/file';
export type { RandomBankRecipe } from './bank/random';
export { createRandomBank, DEFAULT_RANDOM_BANK } from './bank/random';
export type {
  AdapterSet,
  BatchedAdapterSet,
  BatchedSiteAdapter,
  ForwardAdapterSet,
  FunctionSiteAdapter,
  SiteAdapter,
} from './encoder/adapter';
export type { EncoderInputs, Pooling, SiteState } from './encoder/bert';
export { BertEncoder, POOLINGS } from './encoder/bert';
export { HiddenCache } from './encoder/hidden-cache';
export type { EmbedOptions } from './encoder/language-model';
export { cosineSimilarity, LanguageModel } from './encoder/language-model';
export type { AdapterActivation, Placement, SitePoint } from './encoder/placement';
export {
  ADAPTER_ACTIVATIONS,
  adapterParameterCount,
  PLACEMENTS,
  siteCount,
  siteIndex,
} from './encoder/placement';
export { Engine } from './engine/engine';
export { evaluateProfile, fitSharedHead } from './engine/research';
export type {
  AnyProfile,
  BankSpec,
  BaselineProfile,
  EngineOptions,
  PersonalizationEngine,
  TrainedProfile,
} from './engine/types';
export {
  CsvError,
  MissingTensorError,
  ModelConfigError,
  SafetensorsFormatError,
  TensorShapeError,
  UnsupportedArchitectureError,
  UnsupportedDtypeError,
} from './errors';
export type { LabelRule } from './history/import';
export { checkLabel, importHistory } from './history/import';
export * from './index';
export type { CacheChecks, CacheOutcome, FileCache } from './model/cache';
export { browserFileCache, memoryFileCache, readThroughCache } from './model/cache';
export type { Checkpoint, CheckpointProgress, LoadOptions } from './model/checkpoint';
export { CHECKPOINT_FILES, loadCheckpoint } from './model/checkpoint';
export type { BertConfig, HiddenAct } from './model/config';
export { parseBertConfig, toConfigJson } from './model/config';
export type { SafetensorsFile, StoredDtype, Tensor32, TensorToWrite } from './model/safetensors';
export { readSafetensors, writeSafetensors } from './model/safetensors';
export type { FileProgress, ReadOptions } from './model/source';
export { describeSource, HUB_HOST, hubBase, parseModelSource, readModelFile } from './model/source';
export type { TextInput, TextTokenizer, TokenBatch, TokenizeOptions, Truncation } from './model/tokenizer';
export { createTokenizer } from './model/tokenizer';
export { profileShelf } from './personalizer/profiles';
export type { ProfileData, ProfileHead, ProfileSizes } from './profile/format';
export {
  decodeProfile,
  encodeProfile,
  PROFILE_MAGIC,
  PROFILE_VERSION,
  profileFromString,
  profileSizes,
  profileToString,
} from './profile/format';
export type { ProfileParts } from './profile/profile';
export type {
  BackendChange,
  EngineVariant,
  WorkerEngineInfo,
  WorkerEngineOptions,
} from './runtime/engine-worker';
export { serviceWorkerClientId } from './runtime/offline';
export { RemoteEngine, type RemoteEngineOptions } from './runtime/remote-engine';
export {
  deleteHistory,
  deleteProfile,
  exportProfile,
  importProfile,
  listProfiles,
  loadHistory,
  loadProfile,
  profileStore,
  renameProfile,
  STORAGE_SCHEMA_VERSION,
  saveProfile,
} from './runtime/storage';
export type { BuildBankOptions, BuiltBank, SourceProfile } from './training/bank-builder';
export { buildTrainedBank } from './training/bank-builder';
export { DEFAULT_LEARNING_RATES, TRAINING_DEFAULTS } from './training/options';
export type { Method, ParamGroup, TrainedValues } from './training/params';
export { METHODS } from './training/params';
export type { PopulationHead, PopulationHeadOptions } from './training/population-head';
export { fitPopulationHead } from './training/population-head';
export type { HeadWeights } from './xpeft/head';
export type { MaskMix, MaskMode, MaskSpec } from './xpeft/mask';
export { MASK_MODES } from './xpeft/mask';
export type { EncodedExample } from './xpeft/task';
export { MAX_HISTORY } from './xpeft/task';
