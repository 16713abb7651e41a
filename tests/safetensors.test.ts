import { describe, expect, it } from 'vitest';
import { readSafetensors, SafetensorsFormatError, writeSafetensors } from '../src/advanced';

const header = (obj: unknown, dataBytes = 0): Uint8Array => {
  const json = new TextEncoder().encode(JSON.stringify(obj));
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
};

describe('safetensors', () => {
  const values = new Float32Array([0, 1, -2.5, 3.140625, 65504, 1e-5, -0.0009765625, 1 / 3]);

  it('round-trips F32 exactly with metadata', () => {
    const bytes = writeSafetensors({ 'a.weight': { shape: [2, 4], data: values } }, { format: 'pt' });
    const file = readSafetensors(bytes);
    expect(file.metadata).toEqual({ format: 'pt' });
    expect(file.tensors.get('a.weight')!.shape).toEqual([2, 4]);
    expect(Array.from(file.tensors.get('a.weight')!.data)).toEqual(Array.from(values));
    expect(file.dtypes.get('a.weight')).toBe('F32');
  });

  it('widens F16 and BF16 within their precision', () => {
    for (const [dtype, relTol] of [
      ['F16', 2 ** -11],
      ['BF16', 2 ** -8],
    ] as const) {
      const file = readSafetensors(writeSafetensors({ x: { shape: [8], data: values, dtype } }));
      const back = file.tensors.get('x')!.data;
      expect(file.dtypes.get('x')).toBe(dtype);
      values.forEach((v, i) => {
        // bf16 cannot hold 65504 within 2^-8 relative and f16 flushes 1e-5 to a subnormal; both stay close.
        expect(Math.abs(back[i]! - v)).toBeLessThanOrEqual(Math.abs(v) * relTol + 1e-7);
      });
    }
  });

  it('keeps exactly representable F16 values exact', () => {
    const exact = new Float32Array([0.5, -2, 1024, 0.000060975552, -65504]);
    const back = readSafetensors(
      writeSafetensors({ x: { shape: [5], data: exact, dtype: 'F16' } }),
    ).tensors.get('x')!;
    expect(Array.from(back.data)).toEqual(Array.from(exact));
  });

  it('lists non-float tensors as skipped instead of failing', () => {
    const bytes = header({ ids: { dtype: 'I64', shape: [2], data_offsets: [0, 16] } }, 16);
    const file = readSafetensors(bytes);
    expect(file.tensors.size).toBe(0);
    expect(file.skipped.get('ids')).toBe('I64');
  });

  const bad: [string, Uint8Array, RegExp][] = [
    ['empty input', new Uint8Array(3), /shorter than the 8-byte/],
    ['header past the end', header({}).subarray(0, 9), /runs past the end/],
    [
      'non-JSON header',
      (() => {
        const b = header({ a: 1 });
        b[9] = 0x7b;
        b[10] = 0x7b;
        return b;
      })(),
      /not valid UTF-8 JSON/,
    ],
    ['array header', header([1, 2]), /not a JSON object/],
    [
      'unknown dtype',
      header({ x: { dtype: 'F128', shape: [1], data_offsets: [0, 16] } }, 16),
      /unknown dtype/,
    ],
    ['bad shape', header({ x: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, 4), /invalid shape/],
    ['size mismatch', header({ x: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, 4), /needs 8/],
    [
      'data truncated',
      header({ x: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, 4),
      /past the 4-byte data/,
    ],
    [
      'overlap',
      header(
        {
          x: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
          y: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
        },
        4,
      ),
      /gap or overlap/,
    ],
    ['trailing bytes', header({ x: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, 8), /not covered/],
    ['metadata not strings', header({ __metadata__: { a: 1 } }), /not a string/],
  ];
  for (const [name, bytes, message] of bad) {
    it(`rejects ${name} with a SafetensorsFormatError`, () => {
      expect(() => readSafetensors(bytes)).toThrowError(SafetensorsFormatError);
      expect(() => readSafetensors(bytes)).toThrowError(message);
    });
  }

  it('rejects every truncation of a valid file', () => {
    const bytes = writeSafetensors({ a: { shape: [3], data: new Float32Array([1, 2, 3]) } });
    for (let n = 0; n < bytes.length; n++) {
      expect(() => readSafetensors(bytes.subarray(0, n))).toThrowError(SafetensorsFormatError);
    }
  });
});
