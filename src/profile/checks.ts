// What encodeProfile accepts: every field in its range, a hard mask with exactly k ones per row, values
// that fit fp16; the first field that does not is named in a ProfileFormatError.

import { ProfileFormatError } from '../errors';
import { FP16_MAX, HEX_SHA256, MODE_CODES, PLACEMENT_CODES, type ProfileData, U16_MAX } from './layout';

const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));

function invalid(field: string, allowed: string, got: string): never {
  throw new ProfileFormatError(`encodeProfile: ${field} must be ${allowed}; got ${got}.`);
}

function checkInt(field: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max)
    invalid(field, `an integer in ${min}..${max}`, show(value));
}

function checkFp16Range(field: string, values: Float32Array): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    // Written so NaN fails too.
    if (!(Math.abs(v) <= FP16_MAX))
      invalid(`${field}[${i}]`, `finite with |v| <= ${FP16_MAX} (fp16)`, show(v));
  }
}

/** Throws ProfileFormatError naming the first field of `p` that encodeProfile cannot write. */
export function checkProfile(p: ProfileData): void {
  if (!MODE_CODES.includes(p.mode)) invalid('mode', '"hard" or "soft"', show(p.mode));
  if (p.mix !== undefined && p.mix !== 'outputs') invalid('mix', 'absent or "outputs"', show(p.mix));
  if (!PLACEMENT_CODES.includes(p.placement))
    invalid('placement', PLACEMENT_CODES.map((c) => `"${c}"`).join(', '), show(p.placement));
  checkInt('sites', p.sites, 1, U16_MAX);
  checkInt('n', p.n, 1, U16_MAX);
  if (p.mode === 'hard') checkInt('k', p.k, 1, p.n);
  else if (p.k !== 0) invalid('k', '0 for a soft mask', show(p.k));
  for (const field of ['modelFingerprint', 'bankFingerprint'] as const) {
    const v: unknown = p[field];
    if (typeof v !== 'string' || !HEX_SHA256.test(v))
      invalid(field, '64 lowercase hex characters (a sha256)', show(v));
  }
  const values = 2 * p.sites * p.n;
  if (p.scores.length !== values)
    invalid('scores.length', `2 * sites * n = ${values}`, show(p.scores.length));
  if (p.mode === 'soft') checkFp16Range('scores', p.scores);
  else {
    for (let r = 0; r < 2 * p.sites; r++) {
      let ones = 0;
      for (let i = r * p.n; i < (r + 1) * p.n; i++) {
        const v = p.scores[i]!;
        if (v === 1) ones++;
        else if (v !== 0) invalid(`scores[${i}] (hard mask row ${r})`, '0 or 1', show(v));
      }
      if (ones !== p.k) invalid(`scores row ${r} (hard mask)`, `exactly k = ${p.k} ones`, `${ones} ones`);
    }
  }
  if (p.offset !== undefined) {
    if (p.head !== undefined) invalid('offset', 'absent when the profile has its own head', 'both');
    checkInt('offset.length', p.offset.length, 1, U16_MAX);
    checkFp16Range('offset', p.offset);
  }
  if (p.head === undefined) return;
  const { inputs, outputs, weight, bias } = p.head;
  checkInt('head.inputs', inputs, 1, U16_MAX);
  checkInt('head.outputs', outputs, 1, U16_MAX);
  if (weight.length !== inputs * outputs)
    invalid('head.weight.length', `inputs * outputs = ${inputs * outputs}`, show(weight.length));
  if (bias.length !== outputs) invalid('head.bias.length', `outputs = ${outputs}`, show(bias.length));
  checkFp16Range('head.weight', weight);
  checkFp16Range('head.bias', bias);
}
