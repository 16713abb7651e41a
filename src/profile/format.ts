// The versioned binary form of a user profile (a mask over the shared adapter bank, plus an optional task
// head) and its URL-safe text form. Decoding is strict: only bytes encodeProfile could have written are
// accepted, so a profile that loads is exactly the profile that was saved.
// The writer and the strict reader of each field sit side by side, so a field cannot change in one
// without the other; the layout's constants are in layout.ts and the writer's checks in checks.ts.

import { ProfileFormatError } from '../errors';
import { fromBase64url, toBase64url } from '../util/base64url';
import { f16ToF32, f32ToF16 } from '../util/fp16';
import type { MaskMode } from '../xpeft/mask';
import { checkProfile } from './checks';
import { crc32 } from './checksum';
import {
  BANK_FINGERPRINT_AT,
  CHECKSUM_BYTES,
  FIXED_HEADER_BYTES,
  FLAG_HEAD,
  FLAG_MIX_OUTPUTS,
  FLAG_OFFSET,
  HEAD_DIMS_BYTES,
  MODE_CODES,
  MODEL_FINGERPRINT_AT,
  OFFSET_DIMS_BYTES,
  PLACEMENT_CODES,
  PROFILE_MAGIC,
  PROFILE_VERSION,
  type ProfileData,
  type ProfileHead,
} from './layout';

export { PROFILE_MAGIC, PROFILE_VERSION, type ProfileData, type ProfileHead } from './layout';

type HeadDims = Pick<ProfileHead, 'inputs' | 'outputs'>;

export interface ProfileSizes {
  header: number;
  masks: number;
  /** The personal head or the personal bias offset, whichever the profile has (0 if neither). */
  head: number;
  total: number;
}

function sizesOf(
  mode: MaskMode,
  sites: number,
  n: number,
  head: HeadDims | undefined,
  offsetLength: number | undefined,
): ProfileSizes {
  const values = 2 * sites * n;
  const masks = mode === 'hard' ? Math.ceil(values / 8) : values * 2;
  let headBytes = head ? HEAD_DIMS_BYTES + 2 * (head.inputs * head.outputs + head.outputs) : 0;
  if (offsetLength !== undefined) headBytes += OFFSET_DIMS_BYTES + 2 * offsetLength;
  const header = FIXED_HEADER_BYTES + CHECKSUM_BYTES;
  return { header, masks, head: headBytes, total: header + masks + headBytes };
}

/** Byte counts of the encoded profile; `total` equals encodeProfile(p).length. */
export function profileSizes(p: Pick<ProfileData, 'mode' | 'sites' | 'n' | 'head' | 'offset'>): ProfileSizes {
  return sizesOf(p.mode, p.sites, p.n, p.head, p.offset?.length);
}

/** Validates the profile and serialises it; throws ProfileFormatError naming the first invalid field. */
export function encodeProfile(p: ProfileData): Uint8Array {
  checkProfile(p);
  const sizes = profileSizes(p);
  const out = new Uint8Array(sizes.total);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 4; i++) out[i] = PROFILE_MAGIC.charCodeAt(i);
  out[4] = PROFILE_VERSION;
  out[5] = MODE_CODES.indexOf(p.mode);
  out[6] = PLACEMENT_CODES.indexOf(p.placement);
  out[7] = (p.head ? FLAG_HEAD : 0) | (p.offset ? FLAG_OFFSET : 0) | (p.mix ? FLAG_MIX_OUTPUTS : 0);
  view.setUint16(8, p.sites, true);
  view.setUint16(10, p.n, true);
  view.setUint16(12, p.k, true);
  for (let i = 0; i < 32; i++) {
    out[MODEL_FINGERPRINT_AT + i] = Number.parseInt(p.modelFingerprint.slice(2 * i, 2 * i + 2), 16);
    out[BANK_FINGERPRINT_AT + i] = Number.parseInt(p.bankFingerprint.slice(2 * i, 2 * i + 2), 16);
  }
  let at = FIXED_HEADER_BYTES;
  if (p.mode === 'hard') {
    p.scores.forEach((v, i) => {
      if (v === 1) out[at + (i >> 3)] = out[at + (i >> 3)]! | (1 << (i & 7));
    });
    at += sizes.masks;
  } else at = writeFp16(view, at, p.scores);
  if (p.head) {
    view.setUint16(at, p.head.inputs, true);
    view.setUint16(at + 2, p.head.outputs, true);
    at = writeFp16(view, writeFp16(view, at + HEAD_DIMS_BYTES, p.head.weight), p.head.bias);
  }
  if (p.offset) {
    view.setUint16(at, p.offset.length, true);
    at = writeFp16(view, at + OFFSET_DIMS_BYTES, p.offset);
  }
  view.setUint32(at, crc32(out.subarray(0, at)), true);
  return out;
}

function writeFp16(view: DataView, at: number, values: Float32Array): number {
  for (let i = 0; i < values.length; i++) view.setUint16(at + 2 * i, f32ToF16(values[i]!), true);
  return at + 2 * values.length;
}

function fail(message: string): never {
  throw new ProfileFormatError(`Invalid X-PEFT profile: ${message}`);
}

function readFp16(view: DataView, at: number, count: number, field: string): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const h = view.getUint16(at + 2 * i, true);
    if ((h & 0x7c00) === 0x7c00)
      fail(
        `${field}[${i}] is fp16 ${h & 0x3ff ? 'NaN' : 'infinity'} (0x${h.toString(16)}); values must be finite.`,
      );
    out[i] = f16ToF32(h);
  }
  return out;
}

function readHardMask(bytes: Uint8Array, at: number, sites: number, n: number, k: number): Float32Array {
  const count = 2 * sites * n;
  // Padding must be zero so that each profile has exactly one encoding.
  if (count % 8 !== 0 && bytes[at + (count >> 3)]! >> (count & 7) !== 0)
    fail('padding bits after the last mask bit are not zero.');
  const out = new Float32Array(count);
  for (let r = 0; r < 2 * sites; r++) {
    let ones = 0;
    for (let i = r * n; i < (r + 1) * n; i++) {
      if ((bytes[at + (i >> 3)]! >> (i & 7)) & 1) {
        out[i] = 1;
        ones++;
      }
    }
    const row = r < sites ? `A mask of site ${r}` : `B mask of site ${r - sites}`;
    if (ones !== k) fail(`hard mask row ${r} (${row}) has ${ones} ones; k is ${k}.`);
  }
  return out;
}

const hexOf = (bytes: Uint8Array): string =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** Parses profile bytes; throws ProfileFormatError for anything encodeProfile could not have written. */
export function decodeProfile(bytes: Uint8Array): ProfileData {
  if (!(bytes instanceof Uint8Array))
    fail(`expected a Uint8Array, got ${Object.prototype.toString.call(bytes)}.`);
  const minimum = FIXED_HEADER_BYTES + CHECKSUM_BYTES;
  if (bytes.length < minimum)
    fail(`${bytes.length} bytes is shorter than the ${minimum}-byte minimum (truncated?).`);
  for (let i = 0; i < 4; i++)
    if (bytes[i] !== PROFILE_MAGIC.charCodeAt(i))
      fail(`the bytes are not an X-PEFT profile (they do not start with "${PROFILE_MAGIC}").`);
  const version = bytes[4]!;
  if (version !== PROFILE_VERSION)
    fail(`format version ${version} is not supported; this build reads version ${PROFILE_VERSION}.`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const body = bytes.length - CHECKSUM_BYTES;
  const stored = view.getUint32(body, true);
  const computed = crc32(bytes.subarray(0, body));
  if (stored !== computed)
    fail(
      `checksum 0x${stored.toString(16)} does not match 0x${computed.toString(16)}; the profile is corrupted.`,
    );

  const mode = MODE_CODES[bytes[5]!];
  if (mode === undefined) fail(`mode byte is ${bytes[5]}; expected 0 (hard) or 1 (soft).`);
  const placement = PLACEMENT_CODES[bytes[6]!];
  if (placement === undefined)
    fail(
      `placement byte is ${bytes[6]}; expected ${PLACEMENT_CODES.map((c, i) => `${i} (${c})`).join(', ')}.`,
    );
  const flags = bytes[7]!;
  if (flags & ~(FLAG_HEAD | FLAG_OFFSET | FLAG_MIX_OUTPUTS))
    fail(
      `flags byte is 0x${flags.toString(16)}; only bit 0 (head present), bit 1 (bias offset present) and bit 2 (adapters' outputs mixed) are defined.`,
    );
  if (flags & FLAG_HEAD && flags & FLAG_OFFSET)
    fail('flags declare both a head and a bias offset; a profile has at most one of them.');
  const sites = view.getUint16(8, true);
  const n = view.getUint16(10, true);
  const k = view.getUint16(12, true);
  if (sites < 1) fail('sites is 0; expected 1..65535.');
  if (n < 1) fail('n is 0; expected 1..65535.');
  if (mode === 'hard' && (k < 1 || k > n)) fail(`k is ${k}; a hard mask needs 1..n = 1..${n}.`);
  if (mode === 'soft' && k !== 0) fail(`k is ${k}; a soft mask needs 0.`);

  const headAt = FIXED_HEADER_BYTES + sizesOf(mode, sites, n, undefined, undefined).masks;
  let dims: HeadDims | undefined;
  let offsetLength: number | undefined;
  if (flags & FLAG_HEAD) {
    if (headAt + HEAD_DIMS_BYTES > body)
      fail(`${bytes.length} bytes ends before the head section (truncated).`);
    dims = { inputs: view.getUint16(headAt, true), outputs: view.getUint16(headAt + 2, true) };
    if (dims.inputs < 1 || dims.outputs < 1)
      fail(`head is ${dims.inputs}→${dims.outputs}; both dimensions must be 1..65535.`);
  }
  if (flags & FLAG_OFFSET) {
    if (headAt + OFFSET_DIMS_BYTES > body)
      fail(`${bytes.length} bytes ends before the bias offset section (truncated).`);
    offsetLength = view.getUint16(headAt, true);
    if (offsetLength < 1) fail('the bias offset has 0 values; expected 1..65535.');
  }
  const expected = sizesOf(mode, sites, n, dims, offsetLength).total;
  if (bytes.length < expected)
    fail(`the header declares ${expected} bytes but only ${bytes.length} are present (truncated).`);
  if (bytes.length > expected)
    fail(`${bytes.length - expected} trailing bytes after the declared ${expected}.`);

  const scores =
    mode === 'hard'
      ? readHardMask(bytes, FIXED_HEADER_BYTES, sites, n, k)
      : readFp16(view, FIXED_HEADER_BYTES, 2 * sites * n, 'scores');
  const profile: ProfileData = {
    mode,
    ...(flags & FLAG_MIX_OUTPUTS ? { mix: 'outputs' as const } : {}),
    placement,
    sites,
    n,
    k,
    modelFingerprint: hexOf(bytes.subarray(MODEL_FINGERPRINT_AT, MODEL_FINGERPRINT_AT + 32)),
    bankFingerprint: hexOf(bytes.subarray(BANK_FINGERPRINT_AT, BANK_FINGERPRINT_AT + 32)),
    scores,
  };
  if (dims) {
    const weightAt = headAt + HEAD_DIMS_BYTES;
    const count = dims.inputs * dims.outputs;
    const weight = readFp16(view, weightAt, count, 'head.weight');
    const bias = readFp16(view, weightAt + 2 * count, dims.outputs, 'head.bias');
    profile.head = { ...dims, weight, bias };
  }
  if (offsetLength !== undefined)
    profile.offset = readFp16(view, headAt + OFFSET_DIMS_BYTES, offsetLength, 'offset');
  return profile;
}

/** URL-safe base64 (RFC 4648 §5) without padding, so a profile fits in a link or a query parameter. */
export function profileToString(bytes: Uint8Array): string {
  return toBase64url(bytes);
}

/** Inverse of profileToString; throws ProfileFormatError for anything profileToString could not produce. */
export function profileFromString(s: string): Uint8Array {
  try {
    return fromBase64url(s);
  } catch (e) {
    if (e instanceof SyntaxError) throw new ProfileFormatError(`Invalid profile string: ${e.message}`);
    throw e;
  }
}
