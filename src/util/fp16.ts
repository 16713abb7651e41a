// IEEE 754 half precision (fp16) conversions, shared by the safetensors reader/writer and the profile format.

/** Widens fp16 bits to a number; exact for every fp16 value, NaN and infinities included. */
export function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Rounds a value (first to fp32) to fp16 bits, half to even; beyond fp16 range it becomes ±Infinity. */
export function f32ToF16(value: number): number {
  const f = new Float32Array([value]);
  const x = new Uint32Array(f.buffer)[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const m = (mant | 0x800000) >>> (1 - e + 13);
    const rem = (mant | 0x800000) & ((1 << (1 - e + 13)) - 1);
    const half = 1 << (1 - e + 12);
    return sign | (m + (rem > half || (rem === half && m & 1) ? 1 : 0));
  }
  let out = sign | (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && out & 1)) out += 1; // round half to even; may carry into the exponent
  return out;
}

/** The values as they come back after a trip through fp16 storage (nearest fp16, widened to fp32). */
export function roundToFp16(values: Float32Array): Float32Array {
  return Float32Array.from(values, (v) => f16ToF32(f32ToF16(v)));
}
