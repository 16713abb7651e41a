// The profile's binary layout: its fields (ProfileData) and the wire constants that the writer, the
// strict reader (format.ts) and the checks (checks.ts) share.

import type { Placement } from '../encoder/placement';
import type { HeadWeights } from '../xpeft/head';
import type { MaskMode } from '../xpeft/mask';

/** A per-profile task head: weight row-major [inputs, outputs], bias [outputs]; stored as fp16. */
export type ProfileHead = HeadWeights;

export interface ProfileData {
  mode: MaskMode;
  /** How the selected adapters combine (MaskMix); absent: 'weights', X-PEFT's own. */
  mix?: 'outputs';
  placement: Placement;
  /** Adapter sites, 1..65535. */
  sites: number;
  /** Bank size N, 1..65535. */
  n: number;
  /** hard: selected adapters per row, 1..n; soft: 0. */
  k: number;
  /** sha256 of the model, 64 lowercase hex characters. */
  modelFingerprint: string;
  /** sha256 of the adapter bank, 64 lowercase hex characters. */
  bankFingerprint: string;
  /**
   * Shape `[2 * sites, n]`: rows 0..sites-1 are the A (down) masks of sites 0..sites-1, rows sites..2*sites-1 the B
   * (up) masks. hard: exactly k ones per row, the rest zeros. soft: raw scores (logits), stored as fp16.
   */
  scores: Float32Array;
  /** Optional per-profile task head, stored as fp16. */
  head?: ProfileHead;
  /**
   * Optional per-profile shift of the shared head's bias [outputs], stored as fp16: a person's own
   * offset (a rating scale used higher or lower, a label preferred) for 2 bytes per output. Never
   * together with a head, which has its own bias.
   */
  offset?: Float32Array;
}

export const PROFILE_MAGIC = 'XPFT';
export const PROFILE_VERSION = 1;

// Wire codes are listed here rather than taken from other modules' lists, so reordering those never
// changes what saved bytes mean.
export const MODE_CODES: readonly MaskMode[] = ['hard', 'soft'];
export const PLACEMENT_CODES: readonly Placement[] = ['pfeiffer', 'houlsby', 'seq-bn'];
export const FLAG_HEAD = 1;
export const FLAG_OFFSET = 2;
export const FLAG_MIX_OUTPUTS = 4;
// magic 4 + version, mode, placement, flags 1 each + sites, n, k u16 + two 32-byte sha256 fingerprints.
export const FIXED_HEADER_BYTES = 78;
export const MODEL_FINGERPRINT_AT = 14;
export const BANK_FINGERPRINT_AT = 46;
export const CHECKSUM_BYTES = 4;
export const HEAD_DIMS_BYTES = 4;
export const OFFSET_DIMS_BYTES = 2;
export const U16_MAX = 65535;
export const FP16_MAX = 65504;
export const HEX_SHA256 = /^[0-9a-f]{64}$/;
