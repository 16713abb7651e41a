import { describe, expect, it } from 'vitest';
import { ProfileFormatError } from '../src/errors';
import { crc32 } from '../src/profile/checksum';
import {
  decodeProfile,
  encodeProfile,
  PROFILE_MAGIC,
  PROFILE_VERSION,
  type ProfileData,
  profileFromString,
  profileSizes,
  profileToString,
} from '../src/profile/format';
import { f16ToF32, f32ToF16, roundToFp16 } from '../src/util/fp16';
import { type Random, seededRandom } from '../src/util/random';
import type { MaskMode } from '../src/xpeft/mask';

const FP_MODEL = 'ab'.repeat(32);
const FP_BANK = '0123456789abcdef'.repeat(4);

interface Shape {
  mode: MaskMode;
  placement?: ProfileData['placement'];
  sites?: number;
  n?: number;
  k?: number;
  head?: [number, number];
  /** Values of a personal bias offset. */
  offset?: number;
}

/** A random valid profile; defaults are docs/engine.md's (6 sites, N = 100, k = 3). */
function makeProfile(rng: Random, shape: Shape): ProfileData {
  const { mode, placement = 'pfeiffer', sites = 6, n = 100 } = shape;
  const k = mode === 'hard' ? (shape.k ?? Math.min(3, n)) : 0;
  let scores: Float32Array;
  if (mode === 'soft') scores = rng.normals(2 * sites * n, 3);
  else {
    scores = new Float32Array(2 * sites * n);
    for (let r = 0; r < 2 * sites; r++) {
      const idx = Array.from({ length: n }, (_, i) => i);
      for (let j = 0; j < k; j++) {
        const pick = j + Math.floor(rng.uniform() * (n - j));
        [idx[j], idx[pick]] = [idx[pick]!, idx[j]!];
        scores[r * n + idx[j]!] = 1;
      }
    }
  }
  const p: ProfileData = {
    mode,
    placement,
    sites,
    n,
    k,
    modelFingerprint: FP_MODEL,
    bankFingerprint: FP_BANK,
    scores,
  };
  if (shape.head) {
    const [inputs, outputs] = shape.head;
    p.head = {
      inputs,
      outputs,
      weight: rng.normals(inputs * outputs, 0.05),
      bias: rng.normals(outputs, 0.1),
    };
  }
  if (shape.offset) p.offset = rng.normals(shape.offset, 1);
  return p;
}

/** Replaces the trailing checksum so the check under test, not the CRC, is what fires. */
function withCrc(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  new DataView(out.buffer).setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true);
  return out;
}

function patched(bytes: Uint8Array, edit: (b: Uint8Array, view: DataView) => void): Uint8Array {
  const out = bytes.slice();
  edit(out, new DataView(out.buffer));
  return withCrc(out);
}

const setByte = (bytes: Uint8Array, at: number, value: number): Uint8Array =>
  patched(bytes, (b) => {
    b[at] = value;
  });
const setU16 = (bytes: Uint8Array, at: number, value: number): Uint8Array =>
  patched(bytes, (_, view) => view.setUint16(at, value, true));

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((v, i) => v === b[i]);

describe('fp16 and CRC-32 helpers', () => {
  it('computes the standard CRC-32 check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it('rounds to the nearest fp16, ties to even', () => {
    const input = new Float32Array([
      1 / 3,
      65504,
      1 + 2 ** -11,
      1 + 3 * 2 ** -11,
      2 ** -25,
      3 * 2 ** -25,
      -0,
    ]);
    const expected = [0.333251953125, 65504, 1, 1 + 2 ** -9, 0, 2 ** -23, -0];
    expect(Array.from(roundToFp16(input))).toEqual(expected);
    const notRoundTripping: number[] = [];
    for (let h = 0; h < 0x10000; h++) {
      if ((h & 0x7c00) !== 0x7c00 && f32ToF16(f16ToF32(h)) !== h) notRoundTripping.push(h);
    }
    expect(notRoundTripping).toEqual([]);
  });
});

describe('profile round trips', () => {
  const cases: Shape[] = [];
  for (const mode of ['hard', 'soft'] as const)
    for (const placement of ['pfeiffer', 'houlsby'] as const)
      for (const head of [undefined, [384, 2] as [number, number]]) cases.push({ mode, placement, head });
  cases.push(
    { mode: 'hard', sites: 1, n: 1, k: 1 },
    { mode: 'hard', sites: 1, n: 3, k: 3, head: [1, 1] },
    { mode: 'hard', offset: 1 },
    { mode: 'soft', sites: 2, n: 5, offset: 3 },
  );

  it.each(cases)('$mode $placement head=$head', (shape) => {
    const p = makeProfile(seededRandom(7), shape);
    const bytes = encodeProfile(p);
    expect(bytes.length).toBe(profileSizes(p).total);
    const back = decodeProfile(bytes);
    const { scores, head, offset, ...fields } = back;
    const { scores: _s, head: _h, offset: _o, ...expectedFields } = p;
    expect(fields).toEqual(expectedFields);
    expect(scores).toEqual(p.mode === 'hard' ? p.scores : roundToFp16(p.scores));
    expect(head?.inputs).toBe(p.head?.inputs);
    if (p.head) {
      expect(head?.weight).toEqual(roundToFp16(p.head.weight));
      expect(head?.bias).toEqual(roundToFp16(p.head.bias));
    }
    expect(offset).toEqual(p.offset ? roundToFp16(p.offset) : undefined);
    expect(sameBytes(encodeProfile(back), bytes)).toBe(true);

    const text = profileToString(bytes);
    expect(text).toMatch(/^[A-Za-z0-9_-]*$/);
    expect(sameBytes(profileFromString(text), bytes)).toBe(true);
  });
});

describe('profile sizes', () => {
  it('matches the arithmetic in docs/engine.md', () => {
    const hard = profileSizes({ mode: 'hard', sites: 6, n: 100 });
    expect(hard).toEqual({ header: 78 + 4, masks: 150, head: 0, total: 232 });
    expect(encodeProfile(makeProfile(seededRandom(1), { mode: 'hard' })).length).toBe(232);
    expect(profileSizes({ mode: 'soft', sites: 6, n: 100 }).total).toBe(82 + 2400);
    const withHead = makeProfile(seededRandom(2), { mode: 'hard', head: [384, 2] });
    expect(profileSizes(withHead)).toEqual({ header: 82, masks: 150, head: 4 + 2 * (768 + 2), total: 1776 });
    expect(encodeProfile(withHead).length).toBe(1776);
    const withOffset = makeProfile(seededRandom(2), { mode: 'hard', offset: 1 });
    expect(profileSizes(withOffset)).toEqual({ header: 82, masks: 150, head: 4, total: 236 });
    expect(encodeProfile(withOffset).length).toBe(236);
    expect(PROFILE_MAGIC).toBe('XPFT');
    expect(PROFILE_VERSION).toBe(1);
  });
});

describe('encodeProfile validation', () => {
  const hard = makeProfile(seededRandom(3), { mode: 'hard', sites: 1, n: 4, k: 2, head: [2, 1] });
  const soft = makeProfile(seededRandom(4), { mode: 'soft', sites: 1, n: 4, head: [2, 1] });
  const bad: [string, ProfileData, RegExp][] = [
    ['mode', { ...hard, mode: 'fuzzy' as MaskMode }, /mode must be "hard" or "soft"; got "fuzzy"/],
    ['placement', { ...hard, placement: 'side' as 'houlsby' }, /placement must be .*; got "side"/],
    ['sites 0', { ...hard, sites: 0 }, /sites must be an integer in 1\.\.65535; got 0/],
    ['sites too big', { ...hard, sites: 65536 }, /sites must be an integer in 1\.\.65535; got 65536/],
    ['n fraction', { ...hard, n: 2.5 }, /n must be an integer in 1\.\.65535; got 2\.5/],
    ['hard k 0', { ...hard, k: 0 }, /k must be an integer in 1\.\.4; got 0/],
    ['hard k > n', { ...hard, k: 5 }, /k must be an integer in 1\.\.4; got 5/],
    ['soft k', { ...soft, k: 2 }, /k must be 0 for a soft mask; got 2/],
    ['head and offset', { ...hard, offset: Float32Array.of(1) }, /offset must be absent .*; got both/],
    [
      'offset NaN',
      { ...hard, head: undefined, offset: Float32Array.of(Number.NaN) } as ProfileData,
      /offset\[0\].*; got NaN/,
    ],
    ['model fingerprint', { ...hard, modelFingerprint: 'AB'.repeat(32) }, /modelFingerprint must be 64/],
    ['bank fingerprint', { ...hard, bankFingerprint: 'ab' }, /bankFingerprint must be 64 .*; got "ab"/],
    [
      'scores length',
      { ...hard, scores: new Float32Array(7) },
      /scores\.length must be 2 \* sites \* n = 8; got 7/,
    ],
    [
      'hard value',
      { ...hard, scores: Float32Array.of(1, 0.5, 1, 0, 1, 1, 0, 0) },
      /scores\[1\].*0 or 1; got 0\.5/,
    ],
    [
      'hard count',
      { ...hard, scores: Float32Array.of(1, 1, 0, 0, 1, 1, 1, 0) },
      /row 1 .*k = 2 ones; got 3 ones/,
    ],
    [
      'soft NaN',
      { ...soft, scores: Float32Array.of(0, 0, 0, Number.NaN, 0, 0, 0, 0) },
      /scores\[3\].*; got NaN/,
    ],
    [
      'soft range',
      { ...soft, scores: Float32Array.of(0, 0, 0, 0, 0, -65505, 0, 0) },
      /scores\[5\].*65504.*-65505/,
    ],
    ['head inputs', { ...soft, head: { ...soft.head!, inputs: 0 } }, /head\.inputs must be .*; got 0/],
    [
      'head weight',
      { ...soft, head: { ...soft.head!, inputs: 3 } },
      /head\.weight\.length must be .* 3; got 2/,
    ],
    [
      'head bias',
      { ...soft, head: { ...soft.head!, bias: new Float32Array(2) } },
      /head\.bias\.length .*; got 2/,
    ],
    [
      'head inf',
      { ...hard, head: { ...hard.head!, bias: Float32Array.of(Infinity) } },
      /head\.bias\[0\].*Infinity/,
    ],
  ];
  it.each(bad)('rejects %s', (_, p, message) => {
    expect(() => encodeProfile(p)).toThrow(ProfileFormatError);
    expect(() => encodeProfile(p)).toThrow(message);
  });
  it('accepts the fp16 extremes', () => {
    const edge = { ...soft, scores: Float32Array.of(65504, -65504, 2 ** -24, -0, 0, 1, -1, 0) };
    expect(decodeProfile(encodeProfile(edge)).scores).toEqual(edge.scores);
  });
});

describe('decodeProfile rejects', () => {
  const hard = encodeProfile(makeProfile(seededRandom(5), { mode: 'hard', head: [3, 2] }));
  const soft = encodeProfile(makeProfile(seededRandom(6), { mode: 'soft', sites: 1, n: 3 }));
  const padded = encodeProfile(makeProfile(seededRandom(8), { mode: 'hard', sites: 1, n: 3, k: 1 })); // 6 bits
  const expectReject = (bytes: Uint8Array, message: RegExp) => {
    expect(() => decodeProfile(bytes)).toThrow(ProfileFormatError);
    expect(() => decodeProfile(bytes)).toThrow(message);
  };

  it('empty input and every truncation', () => {
    expectReject(new Uint8Array(0), /0 bytes is shorter than the 82-byte minimum/);
    for (let len = 0; len < hard.length; len++)
      expect(() => decodeProfile(hard.subarray(0, len))).toThrow(ProfileFormatError);
    // With a valid checksum over what is left, the length check itself must catch every truncation.
    for (let len = 82; len < hard.length; len++) {
      const cut = new Uint8Array(len);
      cut.set(hard.subarray(0, len - 4));
      expectReject(withCrc(cut), /truncated/);
    }
  });

  it('appended bytes', () => {
    const longer = new Uint8Array(hard.length + 1);
    longer.set(hard);
    expectReject(longer, /corrupted/);
    expectReject(withCrc(Uint8Array.of(...hard, 0)), /1 trailing bytes/);
  });

  it('foreign bytes, other versions and corruption', () => {
    expectReject(
      patched(hard, (b) => b.set([0x50, 0x4b, 3, 4])),
      /not an X-PEFT profile/,
    );
    expectReject(setByte(hard, 4, 2), /version 2 is not supported; this build reads version 1/);
    expectReject(setByte(hard, 4, 0), /version 0 is not supported/);
    const flipped = hard.slice();
    flipped[100] = flipped[100]! ^ 0x10;
    expectReject(flipped, /corrupted/);
  });

  it('out-of-range fields with a valid checksum', () => {
    expectReject(setByte(hard, 5, 2), /mode byte is 2/);
    expectReject(setByte(hard, 6, 3), /placement byte is 3/);
    expectReject(setByte(hard, 7, 0x08), /flags byte is 0x8/);
    expectReject(setByte(hard, 7, 0x03), /both a head and a bias offset/);
    expectReject(setByte(hard, 7, 0), /trailing bytes/);
    expectReject(setByte(hard, 7, 0x02), /trailing bytes/); // the head read as a 3-value offset is too short
    const offset = encodeProfile(makeProfile(seededRandom(8), { mode: 'hard', offset: 1 }));
    expectReject(setU16(offset, 78 + 150, 0), /bias offset has 0 values/);
    expectReject(setU16(offset, 78 + 150, 2), /truncated/);
    expectReject(setU16(hard, 8, 0), /sites is 0/);
    expectReject(setU16(hard, 10, 0), /n is 0/);
    expectReject(setU16(hard, 12, 0), /k is 0; a hard mask needs 1\.\.n = 1\.\.100/);
    expectReject(setU16(hard, 12, 101), /k is 101/);
    expectReject(setU16(soft, 12, 1), /k is 1; a soft mask needs 0/);
    expectReject(setU16(hard, 8, 7), /truncated/);
    expectReject(setU16(hard, 78 + 150, 0), /head is 0→2/);
  });

  it('non-canonical or invalid payloads with a valid checksum', () => {
    expectReject(setByte(padded, 78, padded[78]! | 0x80), /padding bits/);
    const row0 = patched(hard, (b) => {
      const zero = Array.from({ length: 100 }, (_, i) => i).find(
        (i) => !((b[78 + (i >> 3)]! >> (i & 7)) & 1),
      )!;
      b[78 + (zero >> 3)] = b[78 + (zero >> 3)]! | (1 << (zero & 7));
    });
    expectReject(row0, /hard mask row 0 \(A mask of site 0\) has 4 ones; k is 3/);
    expectReject(setU16(soft, 80, 0x7e00), /scores\[1\] is fp16 NaN/);
    expectReject(setU16(soft, 78, 0xfc00), /scores\[0\] is fp16 infinity/);
    expectReject(setU16(hard, hard.length - 6, 0x7c01), /head\.bias\[1\] is fp16 NaN/);
  });
});

describe('profile fuzzing', () => {
  const rng = seededRandom(2024);
  const originals = (
    [
      { mode: 'hard' },
      { mode: 'soft', placement: 'houlsby', sites: 2, n: 10 },
      { mode: 'hard', placement: 'houlsby', sites: 1, n: 5, k: 2, head: [4, 3] },
      { mode: 'soft', sites: 1, n: 7, head: [2, 2] },
      { mode: 'hard', sites: 3, n: 13, k: 13 },
      { mode: 'hard', sites: 2, n: 9, k: 4, offset: 2 },
    ] as Shape[]
  ).map((s) => encodeProfile(makeProfile(rng, s)));
  const int = (max: number) => Math.floor(rng.uniform() * max);

  const mutations: ((b: Uint8Array) => Uint8Array)[] = [
    (b) => {
      const out = b.slice();
      for (let j = 1 + int(8); j > 0; j--) {
        const bit = int(out.length * 8);
        out[bit >> 3] = out[bit >> 3]! ^ (1 << (bit & 7));
      }
      return out;
    },
    (b) => {
      const out = b.slice();
      for (let j = 1 + int(4); j > 0; j--) out[int(out.length)] = int(256);
      return out;
    },
    (b) => {
      const at = int(b.length);
      return Uint8Array.of(...b.subarray(0, at), ...b.subarray(at + 1 + int(8)));
    },
    (b) => {
      const at = int(b.length + 1);
      const extra = Array.from({ length: 1 + int(8) }, () => int(256));
      return Uint8Array.of(...b.subarray(0, at), ...extra, ...b.subarray(at));
    },
    (b) => b.slice(0, int(b.length)),
    (b) => {
      const len = 1 + int(Math.min(16, b.length >> 1));
      const x = int(b.length - 2 * len + 1);
      const y = x + len + int(b.length - x - 2 * len + 1);
      const out = b.slice();
      out.set(b.subarray(y, y + len), x);
      out.set(b.subarray(x, x + len), y);
      return out;
    },
  ];

  const decodeOrError = (bytes: Uint8Array): ProfileData | ProfileFormatError => {
    try {
      return decodeProfile(bytes);
    } catch (e) {
      if (e instanceof ProfileFormatError) return e;
      throw new Error(`decodeProfile threw ${String(e)} instead of ProfileFormatError`);
    }
  };

  it('rejects every mutation that changes the bytes', () => {
    let changed = 0;
    for (let trial = 0; trial < 6000; trial++) {
      const original = originals[trial % originals.length]!;
      const mutated = mutations[int(mutations.length)]!(original);
      const result = decodeOrError(mutated);
      if (sameBytes(mutated, original)) expect(result).toEqual(decodeProfile(original));
      else {
        changed++;
        expect(result).toBeInstanceOf(ProfileFormatError);
      }
    }
    expect(changed).toBeGreaterThan(5000);
  });

  it('with the checksum recomputed, accepts only canonical encodings', () => {
    // Past the CRC, every field check must either reject or yield a profile that encodes back to the same bytes.
    let accepted = 0;
    for (let trial = 0; trial < 6000; trial++) {
      const mutated = mutations[int(mutations.length)]!(originals[trial % originals.length]!);
      if (mutated.length < 4) continue;
      const fixed = withCrc(mutated);
      const result = decodeOrError(fixed);
      if (result instanceof ProfileFormatError) continue;
      accepted++;
      expect(sameBytes(encodeProfile(result), fixed)).toBe(true);
    }
    expect(accepted).toBeGreaterThan(0);
  });
});

describe('profile strings', () => {
  it('matches the RFC 4648 vectors in the URL-safe alphabet', () => {
    const vectors = ['', 'Zg', 'Zm8', 'Zm9v', 'Zm9vYg', 'Zm9vYmE', 'Zm9vYmFy'];
    vectors.forEach((text, i) => {
      const bytes = new TextEncoder().encode('foobar'.slice(0, i));
      expect(profileToString(bytes)).toBe(text);
      expect(sameBytes(profileFromString(text), bytes)).toBe(true);
    });
    expect(profileToString(Uint8Array.of(0xfb, 0xff, 0xbf))).toBe('-_-_');
  });

  it.each([
    ['padding', 'Zg==', /character "=" at 2/],
    ['standard alphabet', 'ab+/', /character "\+" at 2/],
    ['whitespace', 'Zm9v Yg', /character " " at 4/],
    ['non-ASCII', 'Zm9é', /character "é" at 3/],
    ['4m+1 length', 'Zm9vY', /5 characters is not a possible base64url length/],
    ['non-zero unused bits', 'Zh', /non-zero unused bits/],
  ])('rejects %s', (_, text, message) => {
    expect(() => profileFromString(text)).toThrow(ProfileFormatError);
    expect(() => profileFromString(text)).toThrow(message);
  });
});
