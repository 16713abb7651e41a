// The profile decoder accepts and refuses the same files as the Python reader (python/xpeft_bank/profile.py,
// python/tests/test_profile_fixtures.py reads the same manifest). The files and manifest.json are written by
// scripts/profile_fixtures.py; an accepted file must also be exactly what encodeProfile writes for it.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProfileFormatError } from '../src/errors';
import { decodeProfile, encodeProfile } from '../src/profile/format';

interface Expected {
  mode: string;
  mix: 'weights' | 'outputs';
  placement: string;
  sites: number;
  n: number;
  k: number;
  modelFingerprint: string;
  bankFingerprint: string;
  scores: number[];
  head: { inputs: number; outputs: number; weight: number[]; bias: number[] } | null;
  offset: number[] | null;
}

type Case =
  | { file: string; accept: true; expected: Expected }
  /** `message`: a part of the error message both readers refuse the file with. */
  | { file: string; accept: false; why: string; message: string };

const FIXTURES = join(import.meta.dirname, 'fixtures', 'profiles');
const { cases } = JSON.parse(readFileSync(join(FIXTURES, 'manifest.json'), 'utf8')) as { cases: Case[] };
const bytesOf = (file: string) => new Uint8Array(readFileSync(join(FIXTURES, file)));

describe('the shared profile fixtures', () => {
  it('hold both accepted and refused files', () => {
    expect(cases.some((c) => c.accept)).toBe(true);
    expect(cases.some((c) => !c.accept)).toBe(true);
  });

  for (const c of cases) {
    if (c.accept) {
      it(`reads ${c.file}`, () => {
        const bytes = bytesOf(c.file);
        const p = decodeProfile(bytes);
        const want = c.expected;
        expect({ ...p, mix: p.mix ?? 'weights', scores: Array.from(p.scores) }).toMatchObject({
          mode: want.mode,
          mix: want.mix,
          placement: want.placement,
          sites: want.sites,
          n: want.n,
          k: want.k,
          modelFingerprint: want.modelFingerprint,
          bankFingerprint: want.bankFingerprint,
          scores: want.scores,
        });
        const head = p.head && {
          ...p.head,
          weight: Array.from(p.head.weight),
          bias: Array.from(p.head.bias),
        };
        expect(head ?? null).toEqual(want.head);
        expect(p.offset ? Array.from(p.offset) : null).toEqual(want.offset);
        expect(encodeProfile(p)).toEqual(bytes);
      });
    } else {
      it(`refuses ${c.file}: ${c.why}`, () => {
        const decode = () => decodeProfile(bytesOf(c.file));
        expect(decode).toThrow(ProfileFormatError);
        expect(decode).toThrow(c.message);
      });
    }
  }
});
