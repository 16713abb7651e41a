// Trained banks as files: safetensors with the four stacked weight arrays (and optionally the task head
// the bank was trained with) plus JSON-able metadata saying what the bank is and what it was built from.

import {
  ADAPTER_ACTIVATIONS,
  type AdapterActivation,
  PLACEMENTS,
  type Placement,
} from '../encoder/placement';
import { BankError } from '../errors';
import { readSafetensors, type TensorToWrite, writeSafetensors } from '../model/safetensors';
import { assertFinite } from '../util/finite';
import {
  type AdapterBank,
  ARRAY_NAMES,
  arrayShapes,
  type BankShape,
  bankFingerprint,
  createBank,
  readBankArrays,
  type SharedHead,
} from './bank';

export const BANK_FORMAT = 'xpeft-bank/1';

export interface TrainedBankInfo {
  /** sha256 of the model the adapters were trained on; the bank is refused by any other model. */
  modelFingerprint: string;
  /** Free text: the source profiles or tasks and the training settings. */
  trainedOn: string;
}

export interface LoadedBank {
  bank: AdapterBank;
  info: TrainedBankInfo;
  /** The head the bank was trained with, shared by every profile of that task. */
  head?: SharedHead;
}

export async function saveBankFile(
  bank: AdapterBank,
  info: TrainedBankInfo,
  head?: SharedHead,
): Promise<Uint8Array> {
  const arrays = await readBankArrays(bank);
  const shapes = arrayShapes(bank);
  const tensors: Record<string, TensorToWrite> = {};
  for (const name of ARRAY_NAMES) tensors[name] = { shape: shapes[name], data: arrays[name] };
  if (head) {
    tensors['head.weight'] = { shape: [head.inputs, head.outputs], data: head.weight };
    tensors['head.bias'] = { shape: [head.outputs], data: head.bias };
  }
  for (const [name, t] of Object.entries(tensors)) assertFinite(name, t.data); // never written
  return writeSafetensors(tensors, {
    format: BANK_FORMAT,
    placement: bank.placement,
    activation: bank.activation,
    sites: String(bank.sites),
    ...(bank.firstLayer ? { firstLayer: String(bank.firstLayer) } : {}),
    n: String(bank.n),
    d: String(bank.d),
    r: String(bank.r),
    fingerprint: await bankFingerprint(bank, arrays), // the weights' digest, checked on load
    modelFingerprint: info.modelFingerprint,
    trainedOn: info.trainedOn,
  });
}

function int(meta: Record<string, string>, key: string): number {
  const v = Number(meta[key]);
  if (!Number.isInteger(v) || v < 1)
    throw new BankError(`Bank file metadata "${key}" must be a positive integer; got ${meta[key]}.`);
  return v;
}

/** Parses a bank file; throws BankError (or SafetensorsFormatError) for anything inconsistent. */
export async function loadBankFile(bytes: Uint8Array): Promise<LoadedBank> {
  const file = readSafetensors(bytes);
  const meta = file.metadata;
  if (meta.format !== BANK_FORMAT) {
    throw new BankError(
      `Not an X-PEFT bank file: metadata format is ${JSON.stringify(meta.format)}, expected "${BANK_FORMAT}".`,
    );
  }
  const placement = meta.placement as Placement;
  const activation = meta.activation as AdapterActivation;
  if (!PLACEMENTS.includes(placement))
    throw new BankError(`Bank file placement "${meta.placement}" is not one of ${PLACEMENTS}.`);
  if (!ADAPTER_ACTIVATIONS.includes(activation))
    throw new BankError(`Bank file activation "${meta.activation}" is not one of ${ADAPTER_ACTIVATIONS}.`);
  const shape: BankShape = {
    placement,
    activation,
    sites: int(meta, 'sites'),
    firstLayer: meta.firstLayer === undefined ? 0 : int(meta, 'firstLayer'),
    n: int(meta, 'n'),
    d: int(meta, 'd'),
    r: int(meta, 'r'),
  };
  const shapes = arrayShapes(shape);
  const get = (name: (typeof ARRAY_NAMES)[number]) => {
    const t = file.tensors.get(name);
    if (!t) throw new BankError(`Bank file has no tensor "${name}".`);
    if (t.shape.join() !== shapes[name].join())
      throw new BankError(`Bank tensor "${name}" has shape [${t.shape}]; expected [${shapes[name]}].`);
    return t.data;
  };
  const arrays = { down: get('down'), downBias: get('downBias'), up: get('up'), upBias: get('upBias') };
  for (const [name, data] of Object.entries(arrays)) assertFinite(name, data);
  if (!/^[0-9a-f]{64}$/.test(meta.modelFingerprint ?? ''))
    throw new BankError(
      `Bank file metadata "modelFingerprint" must be the model's sha256 (64 hex digits); got ${JSON.stringify(meta.modelFingerprint)}.`,
    );
  const info = { modelFingerprint: meta.modelFingerprint!, trainedOn: meta.trainedOn ?? '' };
  const weightsDigest = await bankFingerprint(shape, arrays);
  if (meta.fingerprint !== weightsDigest)
    throw new BankError(
      `Bank file is corrupt: its weights hash to ${weightsDigest}, but it declares ${JSON.stringify(meta.fingerprint)}.`,
    );
  const head = readHead(file.tensors.get('head.weight'), file.tensors.get('head.bias'), shape.d);
  const bank = await createBank('trained', shape, arrays, { kind: 'trained', ...info }, head);
  return { bank, info, ...(head ? { head } : {}) };
}

/** The shared head, if the file has one: weight [d, outputs] and bias [outputs], both or neither. */
function readHead(
  w: { shape: number[]; data: Float32Array } | undefined,
  b: { shape: number[]; data: Float32Array } | undefined,
  d: number,
): SharedHead | undefined {
  if (!w && !b) return undefined;
  if (!w || !b)
    throw new BankError(`Bank file has head.${w ? 'weight' : 'bias'} without head.${w ? 'bias' : 'weight'}.`);
  const outputs = w.shape[1] ?? 0;
  if (w.shape.length !== 2 || w.shape[0] !== d || outputs < 1 || b.shape.join() !== String(outputs))
    throw new BankError(
      `Bank head has weight [${w.shape}] and bias [${b.shape}]; expected [${d}, outputs] and [outputs] with outputs ≥ 1.`,
    );
  assertFinite('head.weight', w.data);
  assertFinite('head.bias', b.data);
  return { inputs: d, outputs, weight: w.data, bias: b.data };
}
