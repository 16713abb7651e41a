// X-PEFT Web, advanced surface (`xpeft-web/advanced`): the encoder, banks and their builders, the engines,
// the profile codec and storage primitives, backends. Most pages need only the small API in index.ts.

export type { BackendName, GpuAdapterInfo } from './backend/backends';
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
export type { AdapterBank, BankArrays, BankShape } from './bank/bank';
export { bankFingerprint, disposeBank, readBankArrays } from './bank/bank';
export type { BuildBankOptions, BuiltBank, SourceProfile } from './bank/build';
export { buildTrainedBank } from './bank/build';
export type { LoadedBank, TrainedBankInfo } from './bank/file';
export { BANK_FORMAT, loadBankFile, saveBankFile } from './bank/file';
export type { PopulationHead, PopulationHeadOptions } from './bank/population-head';
export { fitPopulationHead } from './bank/population-head';
export type { RandomBankRecipe } from './bank/random';
export { createRandomBank, DEFAULT_RANDOM_BANK } from './bank/random';
export type { AdapterSet, BatchedAdapterSet, BatchedSiteAdapter, SiteAdapter } from './encoder/adapter';
export type { EncoderInputs, Pooling } from './encoder/bert';
export { BertEncoder, POOLINGS } from './encoder/bert';
export type { EmbedOptions } from './encoder/language-model';
export { cosineSimilarity, LanguageModel } from './encoder/language-model';
export type { AdapterActivation, Placement } from './encoder/placement';
export {
  ADAPTER_ACTIVATIONS,
  adapterParameterCount,
  PLACEMENTS,
  siteCount,
  siteIndex,
} from './encoder/placement';
export type {
  AnyProfile,
  BankSpec,
  BaselineProfile,
  EngineOptions,
  PersonalizationEngine,
  Prediction,
  TrainedProfile,
} from './engine/engine';
export { Engine } from './engine/engine';
export {
  BackendUnavailableError,
  BankError,
  DeviceLostError,
  EngineError,
  InputError,
  InputTooLongError,
  MaskConfigError,
  MissingTensorError,
  ModelConfigError,
  ModelFileError,
  ProfileFormatError,
  ProfileMismatchError,
  SafetensorsFormatError,
  TensorShapeError,
  TrainOptionsError,
  UnsupportedArchitectureError,
  UnsupportedDtypeError,
  XpeftError,
} from './errors';
export type { ImportedHistory, LabelRule, RowProblem } from './history/import';
export { checkLabel, historyFromCsv, historyFromJson, importHistory } from './history/import';
export type { CacheChecks, CacheOutcome, FileCache } from './model/cache';
export { browserFileCache, memoryFileCache, readThroughCache } from './model/cache';
export type { Checkpoint, LoadOptions, LoadProgress } from './model/checkpoint';
export { CHECKPOINT_FILES, loadCheckpoint } from './model/checkpoint';
export type { BertConfig, HiddenAct } from './model/config';
export { parseBertConfig, toConfigJson } from './model/config';
export type { SafetensorsFile, StoredDtype, Tensor32, TensorToWrite } from './model/safetensors';
export { readSafetensors, writeSafetensors } from './model/safetensors';
export type { FileProgress, ModelSource, ReadOptions } from './model/source';
export { describeSource, parseModelSource, readModelFile } from './model/source';
export type { TextInput, TokenBatch, TokenizeOptions, Truncation } from './model/tokenizer';
export { createTokenizer } from './model/tokenizer';
export { env, type PersonalizerEnv } from './personalizer/env';
export {
  createPersonalizer,
  type Personalizer,
  type PersonalizerOptions,
} from './personalizer/personalizer';
export { type ProfileShelf, profileShelf } from './personalizer/profiles';
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
export { Profile } from './profile/profile';
export type {
  BackendChange,
  EngineVariant,
  WorkerEngineInfo,
  WorkerEngineOptions,
} from './runtime/engine-worker';
export { enableOffline, serviceWorkerClientId } from './runtime/offline';
export { RemoteEngine, type RemoteEngineOptions } from './runtime/remote-engine';
export type { SaveOptions, StoredProfileInfo } from './runtime/storage';
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
  StorageError,
  StorageQuotaError,
  saveProfile,
} from './runtime/storage';
export { WorkerCrashedError } from './runtime/worker-errors';
export type { HeadWeights } from './xpeft/head';
export type { MaskMode, MaskSpec } from './xpeft/mask';
export { MASK_MODES } from './xpeft/mask';
export type { Method, ParamGroup, TrainedValues } from './xpeft/params';
export { METHODS } from './xpeft/params';
export type { EncodedExample, Example, Task } from './xpeft/task';
export { HistoryError, MAX_HISTORY } from './xpeft/task';
export type { TrainOptions, TrainProgress, TrainResult } from './xpeft/trainer';
export { DEFAULT_LEARNING_RATES } from './xpeft/trainer';
