// A trained X-PEFT profile: the user's mask over the shared bank (and optionally their own head), as an
// immutable value that knows its model and bank and round-trips exactly through bytes and strings.

import type { AdapterBank } from '../bank/bank';
import { ProfileMismatchError } from '../errors';
import { roundToFp16 } from '../util/fp16';
import type { HeadWeights } from '../xpeft/head';
import type { MaskSpec } from '../xpeft/mask';
import {
  decodeProfile,
  encodeProfile,
  type ProfileData,
  type ProfileSizes,
  profileFromString,
  profileSizes,
  profileToString,
} from './format';

/** Keeps the k largest scores of every row as ones, the rest zeros: [rows·n] → [rows·n]. */
export function hardBits(scores: Float32Array, n: number, k: number): Float32Array {
  const bits = new Float32Array(scores.length);
  for (let row = 0; row < scores.length / n; row++) {
    const idx = Array.from({ length: n }, (_, i) => i);
    // Ties go to the lower index, as in topkIndicator, so the bits are the training-time selection.
    idx.sort((a, b) => scores[row * n + b]! - scores[row * n + a]! || a - b);
    for (const i of idx.slice(0, k)) bits[row * n + i] = 1;
  }
  return bits;
}

export interface ProfileParts {
  mask: MaskSpec;
  bank: AdapterBank;
  modelFingerprint: string;
  scoresA: Float32Array; // [sites·N]
  scoresB: Float32Array; // [sites·N]
  head?: HeadWeights;
  /** A shift of the shared head's bias (never with a head of its own). */
  offset?: Float32Array;
}

/**
 * A person's profile: their mask over the bank's adapters and their head, a few hundred bytes. Save it with `toBytes()` or `toString()`, read it back with `Profile.from`.
 *
 * @group Profiles
 */
export class Profile {
  private constructor(readonly data: Readonly<ProfileData>) {}

  /**
   * Builds a profile from trained scores, reduced to exactly what is stored (bits for a hard mask, fp16
   * for soft scores and heads), so the in-memory profile predicts exactly as a saved and loaded one.
   */
  static fromTrained(p: ProfileParts): Profile {
    const { sites, n } = p.bank;
    const raw = new Float32Array(2 * sites * n);
    raw.set(p.scoresA, 0);
    raw.set(p.scoresB, sites * n);
    const hard = p.mask.mode === 'hard';
    return new Profile({
      mode: p.mask.mode,
      ...(p.mask.mix === 'outputs' ? { mix: 'outputs' as const } : {}),
      placement: p.bank.placement,
      sites,
      n,
      k: hard ? p.mask.k : 0,
      modelFingerprint: p.modelFingerprint,
      bankFingerprint: p.bank.fingerprint,
      scores: hard ? hardBits(raw, n, p.mask.k) : roundToFp16(raw),
      ...(p.head
        ? {
            head: {
              inputs: p.head.inputs,
              outputs: p.head.outputs,
              weight: roundToFp16(p.head.weight),
              bias: roundToFp16(p.head.bias),
            },
          }
        : {}),
      ...(p.offset ? { offset: roundToFp16(p.offset) } : {}),
    });
  }

  static fromBytes(bytes: Uint8Array): Profile {
    return new Profile(decodeProfile(bytes));
  }

  /** From the URL-safe base64 form (e.g. a URL fragment). */
  static fromString(text: string): Profile {
    return Profile.fromBytes(profileFromString(text));
  }
  /** A profile from its bytes or its URL-safe text. */
  static from(saved: Uint8Array | string): Profile {
    return typeof saved === 'string' ? Profile.fromString(saved) : Profile.fromBytes(saved);
  }

  toBytes(): Uint8Array {
    return encodeProfile(this.data as ProfileData);
  }

  toString(): string {
    return profileToString(this.toBytes());
  }

  /** Stored bytes: masks alone, head, fixed header + checksum, and the total. */
  sizes(): ProfileSizes {
    return profileSizes(this.data);
  }

  get head(): HeadWeights | undefined {
    return this.data.head;
  }

  /** The head this profile predicts with over a shared one: its own, the shared one with its bias offset, or the shared one. */
  headOver(shared: HeadWeights): HeadWeights {
    const { head, offset } = this.data;
    if (head) return head;
    if (!offset) return shared;
    if (offset.length !== shared.outputs) {
      throw new ProfileMismatchError(
        `This profile's bias offset has ${offset.length} values; the shared head has ${shared.outputs} outputs.`,
      );
    }
    return { ...shared, bias: Float32Array.from(shared.bias, (b, i) => b + offset[i]!) };
  }

  /**
   * Throws ProfileMismatchError unless this profile fits this model, bank and task in full: both
   * fingerprints, the bank's placement, sites and N, and a head (d → outputs) or bias offset (outputs)
   * of the task's shape.
   */
  assertCompatible(
    modelFingerprint: string,
    bank: Pick<AdapterBank, 'fingerprint' | 'placement' | 'sites' | 'n' | 'd'>,
    outputs: number,
  ): void {
    this.assertFingerprints(modelFingerprint, bank.fingerprint);
    const { placement, sites, n, head, offset } = this.data;
    if (placement !== bank.placement || sites !== bank.sites || n !== bank.n) {
      throw new ProfileMismatchError(
        `This profile has ${sites} ${placement} sites × N=${n}; the bank has ${bank.sites} ${bank.placement} sites × N=${bank.n}.`,
      );
    }
    if (head && (head.inputs !== bank.d || head.outputs !== outputs)) {
      throw new ProfileMismatchError(
        `The profile's head is ${head.inputs}→${head.outputs}; this model and task need ${bank.d}→${outputs}.`,
      );
    }
    if (offset && offset.length !== outputs) {
      throw new ProfileMismatchError(
        `The profile's bias offset has ${offset.length} values; this task needs ${outputs}.`,
      );
    }
  }

  /** Throws ProfileMismatchError, naming both fingerprints, unless they are this profile's. */
  assertFingerprints(modelFingerprint: string, bankFingerprint: string): void {
    const d = this.data;
    if (d.modelFingerprint !== modelFingerprint) {
      throw new ProfileMismatchError(
        `This profile was trained for model ${d.modelFingerprint}, but the engine runs model ${modelFingerprint}.`,
      );
    }
    if (d.bankFingerprint !== bankFingerprint) {
      throw new ProfileMismatchError(
        `This profile was trained for adapter bank ${d.bankFingerprint}, but the engine uses bank ${bankFingerprint}.`,
      );
    }
  }
}
