// Typed errors: every failure a caller can act on has its own class and a message that says what to do.

/**
 * The base of every error the package throws: `instanceof XpeftError` catches them all, and each
 * subclass names one failure a caller can act on. Errors thrown in the engine's worker arrive as the
 * same classes.
 *
 * @group Errors
 * @hideconstructor
 */
export class XpeftError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * The bytes are not a valid safetensors file (truncated, corrupt header, bad offsets).
 *
 * @group Errors
 * @hideconstructor
 */
export class SafetensorsFormatError extends XpeftError {}

/**
 * A tensor dtype this project does not read.
 *
 * @group Errors
 * @hideconstructor
 */
export class UnsupportedDtypeError extends XpeftError {
  constructor(
    readonly tensor: string,
    readonly dtype: string,
  ) {
    super(`Tensor "${tensor}" has dtype ${dtype}; supported dtypes are F32, F16 and BF16.`);
  }
}

/**
 * config.json names a model family the encoder does not implement.
 *
 * @group Errors
 * @hideconstructor
 */
export class UnsupportedArchitectureError extends XpeftError {
  constructor(readonly modelType: string) {
    super(
      `Unsupported architecture: config.json has model_type "${modelType}"; only BERT-architecture ` +
        `checkpoints (model_type "bert") are supported.`,
    );
  }
}

/**
 * config.json is missing a field or has a value outside its range.
 *
 * @group Errors
 * @hideconstructor
 */
export class ModelConfigError extends XpeftError {}

/**
 * A checkpoint lacks a tensor the encoder needs.
 *
 * @group Errors
 * @hideconstructor
 */
export class MissingTensorError extends XpeftError {
  constructor(readonly tensor: string) {
    super(`Checkpoint is missing tensor "${tensor}" (looked for it with and without the "bert." prefix).`);
  }
}

/**
 * A checkpoint tensor has a shape other than the one config.json implies.
 *
 * @group Errors
 * @hideconstructor
 */
export class TensorShapeError extends XpeftError {
  constructor(
    readonly tensor: string,
    readonly expected: readonly number[],
    readonly actual: readonly number[],
  ) {
    super(`Tensor "${tensor}" has shape [${actual.join(', ')}]; expected [${expected.join(', ')}].`);
  }
}

/**
 * A tensor holds NaN or ±Infinity: refused when read or written, never used.
 *
 * @group Errors
 * @hideconstructor
 */
export class NonFiniteTensorError extends XpeftError {
  constructor(
    readonly tensor: string,
    readonly index: number,
    readonly value: number,
  ) {
    super(`Tensor "${tensor}" holds ${value} at element ${index}; only finite numbers are accepted.`);
  }
}

/**
 * A model file could not be read from its source.
 *
 * @group Errors
 * @hideconstructor
 */
export class ModelFileError extends XpeftError {}

/**
 * Invalid encoder input: empty list, empty text, wrong adapter count or shape.
 *
 * @group Errors
 * @hideconstructor
 */
export class InputError extends XpeftError {}

/**
 * An input is longer than the model's maximum positions and truncation was turned off.
 *
 * @group Errors
 * @hideconstructor
 */
export class InputTooLongError extends XpeftError {
  constructor(
    readonly index: number,
    readonly tokens: number,
    readonly maxTokens: number,
  ) {
    super(
      `Input ${index} has ${tokens} tokens but the model takes at most ${maxTokens}; ` +
        `shorten it or encode with { truncation: 'truncate' }.`,
    );
  }
}

/**
 * Bytes, text or data that do not form a valid X-PEFT profile (foreign, corrupted, truncated, out of range).
 *
 * @group Errors
 * @hideconstructor
 */
export class ProfileFormatError extends XpeftError {}

/**
 * A valid profile made for a different model or adapter bank than the one it is being applied to.
 *
 * @group Errors
 * @hideconstructor
 */
export class ProfileMismatchError extends XpeftError {}

/**
 * A backend that cannot start here (no adapter, no WebGL, no WebAssembly), with the reason.
 *
 * @group Errors
 * @hideconstructor
 */
export class BackendUnavailableError extends XpeftError {
  constructor(
    readonly backend: string,
    reason: string,
  ) {
    super(`Backend "${backend}" is unavailable: ${reason}`);
  }
}

/**
 * The GPU device under the webgpu backend stopped (driver reset, GPU removed, or destroyed).
 *
 * @group Errors
 * @hideconstructor
 */
export class DeviceLostError extends XpeftError {}

/**
 * A backend's timing probe ran past its cap: that backend is not used.
 *
 * @group Errors
 * @hideconstructor
 */
export class ProbeTimeoutError extends XpeftError {}

/**
 * An adapter bank (file, recipe or arrays) that is malformed or does not fit the model.
 *
 * @group Errors
 * @hideconstructor
 */
export class BankError extends XpeftError {}

/**
 * A call the engine cannot serve as asked (no shared head, a method it does not train, …).
 *
 * @group Errors
 * @hideconstructor
 */
export class EngineError extends XpeftError {}

/**
 * A mask specification outside its range (mode, k for the bank's N).
 *
 * @group Errors
 * @hideconstructor
 */
export class MaskConfigError extends XpeftError {}

/**
 * Training options outside their range.
 *
 * @group Errors
 * @hideconstructor
 */
export class TrainOptionsError extends XpeftError {}

/**
 * A history that cannot train: empty, too long, unlabelled, or with labels outside the task.
 *
 * @group Errors
 * @hideconstructor
 */
export class HistoryError extends XpeftError {}

/**
 * CSV that is not RFC 4180, with where: 1-based row and column.
 *
 * @group Errors
 * @hideconstructor
 */
export class CsvError extends InputError {
  constructor(
    readonly row: number,
    readonly column: number,
    problem: string,
  ) {
    super(`CSV row ${row}, column ${column}: ${problem}`);
  }
}

/**
 * Browser storage failed (IndexedDB unavailable, a corrupt record, a newer schema).
 *
 * @group Errors
 * @hideconstructor
 */
export class StorageError extends XpeftError {}

/**
 * The browser refused a write for lack of space; nothing was changed.
 *
 * @group Errors
 * @hideconstructor
 */
export class StorageQuotaError extends StorageError {
  constructor(
    readonly neededBytes: number,
    readonly availableBytes: number | undefined,
  ) {
    super(
      `Not enough storage to save: about ${neededBytes} bytes are needed` +
        (availableBytes === undefined ? '' : ` and ${Math.max(0, availableBytes)} bytes are available`) +
        '. Delete profiles or saved histories, or allow this site more storage; the previous data is unchanged.',
    );
  }
}

/** The engine's worker stopped (an uncaught error, out of memory, or a message it could not read). */
/**
 * A stored profile changed (in another tab) after it was read; the overwrite was refused.
 *
 * @group Errors
 * @hideconstructor
 */
export class StorageConflictError extends StorageError {}

/**
 * @group Errors
 * @hideconstructor
 */
export class WorkerCrashedError extends XpeftError {}

// Each class's name is the one written here, also in a bundle whose minifier renamed the classes (an
// error's name is its class's, and the page rebuilds the worker's errors by those names). Property keys
// survive minifying where class names need an option (keepNames) that would break tfjs's WebAssembly
// threads under esbuild.
for (const [name, ErrorClass] of Object.entries({
  XpeftError,
  SafetensorsFormatError,
  UnsupportedDtypeError,
  UnsupportedArchitectureError,
  ModelConfigError,
  MissingTensorError,
  TensorShapeError,
  NonFiniteTensorError,
  ModelFileError,
  InputError,
  InputTooLongError,
  ProfileFormatError,
  ProfileMismatchError,
  BackendUnavailableError,
  DeviceLostError,
  ProbeTimeoutError,
  BankError,
  EngineError,
  MaskConfigError,
  TrainOptionsError,
  HistoryError,
  CsvError,
  StorageError,
  StorageQuotaError,
  StorageConflictError,
  WorkerCrashedError,
}))
  Object.defineProperty(ErrorClass, 'name', { value: name });
