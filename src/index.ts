// X-PEFT Web: the small public surface (`xpeft-web`). createPersonalizer loads the frozen model and the
// shared adapter bank and trains, predicts and keeps each person's profile; the types and errors it
// uses come with it. The encoder, banks, engines and codec are in advanced.ts (`xpeft-web/advanced`).

export type { BackendName } from './backend/backends';
export type { Prediction, PredictOptions } from './engine/types';
export {
  BackendUnavailableError,
  BankError,
  DeviceLostError,
  EngineError,
  HistoryError,
  InputError,
  InputTooLongError,
  MaskConfigError,
  ModelFileError,
  NonFiniteTensorError,
  ProfileFormatError,
  ProfileMismatchError,
  StorageConflictError,
  StorageError,
  StorageQuotaError,
  TrainOptionsError,
  WorkerCrashedError,
  XpeftError,
} from './errors';
export type { ImportedHistory, RowProblem } from './history/import';
export { HISTORY_LIMITS, historyFromCsv, historyFromJson } from './history/import';
export type { ModelSource } from './model/source';
export { env, type PersonalizerEnv } from './personalizer/env';
export type { Personalizer, PersonalizerOptions } from './personalizer/personalizer';
export { createPersonalizer, FILE_CACHE } from './personalizer/personalizer';
export type { ProfileShelf } from './personalizer/profiles';
export type { LoadPhase, LoadProgress } from './personalizer/progress';
export { Profile } from './profile/profile';
export type { SaveOptions, StoredProfileInfo } from './runtime/storage';
export type { TrainOptions, TrainProgress, TrainResult } from './training/options';
export type { Example, Task } from './xpeft/task';
