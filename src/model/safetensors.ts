// Strict reader and writer for the safetensors format (8-byte header length, JSON header, raw data).
// Every tensor is returned as fp32; F16 and BF16 are widened on read.

import { SafetensorsFormatError } from '../errors';
import { f16ToF32, f32ToF16 } from '../util/fp16';

export type StoredDtype = 'F32' | 'F16' | 'BF16';

export interface Tensor32 {
  shape: number[];
  data: Float32Array;
}

export interface SafetensorsFile {
  tensors: Map<string, Tensor32>;
  metadata: Record<string, string>;
  /** The dtype each tensor was stored in, before widening. */
  dtypes: Map<string, StoredDtype>;
  /** Tensors of other dtypes (e.g. I64 position ids), not decoded: name → dtype. */
  skipped: Map<string, string>;
}

const BYTES_PER_ELEMENT: Record<StoredDtype, number> = { F32: 4, F16: 2, BF16: 2 };
// Bits per element of every dtype the format defines; anything else in a header is corruption.
const DTYPE_BITS: Record<string, number> = {
  BOOL: 8,
  U8: 8,
  I8: 8,
  F8_E4M3: 8,
  F8_E5M2: 8,
  U16: 16,
  I16: 16,
  F16: 16,
  BF16: 16,
  U32: 32,
  I32: 32,
  F32: 32,
  U64: 64,
  I64: 64,
  F64: 64,
};
const MAX_HEADER_BYTES = 100_000_000;

function fail(message: string): never {
  throw new SafetensorsFormatError(`Invalid safetensors file: ${message}`);
}

function isNonNegativeInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

interface Entry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

interface Header {
  entries: Entry[];
  metadata: Record<string, string>;
  dataStart: number;
  skipped: Map<string, string>;
}

function parseHeader(bytes: Uint8Array): Header {
  if (bytes.byteLength < 8) fail(`${bytes.byteLength} bytes is shorter than the 8-byte header length.`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > MAX_HEADER_BYTES) fail(`header length ${headerLength} exceeds ${MAX_HEADER_BYTES}.`);
  if (8 + headerLength > bytes.byteLength) {
    fail(
      `header length ${headerLength} runs past the end of the ${bytes.byteLength}-byte file (truncated?).`,
    );
  }
  let header: unknown;
  try {
    header = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)),
    );
  } catch (e) {
    fail(`header is not valid UTF-8 JSON (${(e as Error).message}).`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    fail('header is not a JSON object.');

  const dataStart = 8 + headerLength;
  const dataLength = bytes.byteLength - dataStart;
  const metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  const skipped = new Map<string, string>();
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
        fail('__metadata__ is not an object.');
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`__metadata__["${k}"] is not a string.`);
        metadata[k] = v;
      }
      continue;
    }
    if (typeof raw !== 'object' || raw === null) fail(`entry "${name}" is not an object.`);
    const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
    if (typeof dtype !== 'string' || !(dtype in DTYPE_BITS))
      fail(`tensor "${name}" has unknown dtype ${String(dtype)}.`);
    if (!Array.isArray(shape) || !shape.every(isNonNegativeInt))
      fail(`tensor "${name}" has an invalid shape.`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInt)) {
      fail(`tensor "${name}" has invalid data_offsets.`);
    }
    const [begin, end] = offsets as [number, number];
    const numel = (shape as number[]).reduce((a, b) => a * b, 1);
    const bytesNeeded = (numel * (DTYPE_BITS[dtype] ?? 8)) / 8;
    if (end < begin || end - begin !== bytesNeeded) {
      fail(
        `tensor "${name}" spans ${end - begin} bytes but shape [${shape}] of ${dtype} needs ${bytesNeeded}.`,
      );
    }
    if (end > dataLength)
      fail(`tensor "${name}" ends at byte ${end} past the ${dataLength}-byte data section (truncated?).`);
    entries.push({ name, dtype, shape: shape as number[], begin, end });
    if (!(dtype in BYTES_PER_ELEMENT)) skipped.set(name, dtype);
  }
  // The format requires the tensors to tile the data section exactly: no gaps, no overlaps, no trailing bytes.
  entries.sort((a, b) => a.begin - b.begin);
  let cursor = 0;
  for (const e of entries) {
    if (e.begin !== cursor)
      fail(`tensor "${e.name}" starts at byte ${e.begin}; expected ${cursor} (gap or overlap).`);
    cursor = e.end;
  }
  if (cursor !== dataLength) fail(`data section has ${dataLength - cursor} bytes not covered by any tensor.`);
  return { entries: entries.filter((e) => e.dtype in BYTES_PER_ELEMENT), metadata, dataStart, skipped };
}

function widen(bytes: Uint8Array, dtype: StoredDtype): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.byteLength / BYTES_PER_ELEMENT[dtype];
  const out = new Float32Array(n);
  if (dtype === 'F32') {
    // Safetensors is little-endian, as are the platforms tfjs runs on; copy, as offsets need not be aligned.
    new Uint8Array(out.buffer).set(bytes);
  } else if (dtype === 'F16') {
    for (let i = 0; i < n; i++) out[i] = f16ToF32(view.getUint16(i * 2, true));
  } else {
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < n; i++) bits[i] = view.getUint16(i * 2, true) << 16;
  }
  return out;
}

/**
 * Parses a whole safetensors file, widening float tensors to fp32; tensors of other dtypes are listed in
 * `skipped`. Throws SafetensorsFormatError for anything malformed.
 */
/** Throws SafetensorsFormatError unless the header parses and every tensor lies inside the file. */
export function checkSafetensors(bytes: Uint8Array): void {
  parseHeader(bytes);
}

export function readSafetensors(bytes: Uint8Array): SafetensorsFile {
  const { entries, metadata, dataStart, skipped } = parseHeader(bytes);
  const tensors = new Map<string, Tensor32>();
  const dtypes = new Map<string, StoredDtype>();
  for (const e of entries) {
    const dtype = e.dtype as StoredDtype;
    tensors.set(e.name, {
      shape: e.shape,
      data: widen(bytes.subarray(dataStart + e.begin, dataStart + e.end), dtype),
    });
    dtypes.set(e.name, dtype);
  }
  return { tensors, metadata, dtypes, skipped };
}

function f32ToBf16(value: number): number {
  const x = new Uint32Array(new Float32Array([value]).buffer)[0]!;
  if ((x & 0x7fffffff) > 0x7f800000) return (x >>> 16) | 0x40; // keep NaN a NaN
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff; // round half to even
}

export interface TensorToWrite {
  shape: readonly number[];
  data: Float32Array;
  dtype?: StoredDtype;
}

/** Serialises tensors (stored as F32 unless asked otherwise) and string metadata. */
export function writeSafetensors(
  tensors: Record<string, TensorToWrite>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  const names = Object.keys(tensors).sort();
  for (const name of names) {
    const t = tensors[name]!;
    const dtype = t.dtype ?? 'F32';
    const numel = t.shape.reduce((a, b) => a * b, 1);
    if (numel !== t.data.length) {
      throw new SafetensorsFormatError(
        `writeSafetensors: "${name}" has ${t.data.length} values for shape [${t.shape}].`,
      );
    }
    const size = numel * BYTES_PER_ELEMENT[dtype];
    header[name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + size] };
    offset += size;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  // Pad the header with spaces so the data section starts 8-byte aligned, as the format recommends.
  const headerBytes = new Uint8Array(json.length + ((8 - (json.length % 8)) % 8)).fill(0x20);
  headerBytes.set(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let cursor = 8 + headerBytes.length;
  for (const name of names) {
    const t = tensors[name]!;
    const dtype = t.dtype ?? 'F32';
    for (const v of t.data) {
      if (dtype === 'F32') view.setFloat32(cursor, v, true);
      else if (dtype === 'F16') view.setUint16(cursor, f32ToF16(v), true);
      else view.setUint16(cursor, f32ToBf16(v), true);
      cursor += BYTES_PER_ELEMENT[dtype];
    }
  }
  return out;
}
