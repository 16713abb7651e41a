// A picture of a profile's mask: one row per adapter site and projection (down, up), one column per
// adapter in the bank; a selected adapter is a filled cell (soft masks: shaded by its weight). And the
// same mask in people: each adapter of a trained bank is one source person's, so a mask picks people.

import type { ProfileData } from '../profile/format';
import type { Profile } from '../profile/profile';
import type { SourcePerson } from './presets';

const SVG = 'http://www.w3.org/2000/svg';

/** Row weights: a hard row's k ones / k, or a soft row's softmax. */
function rowWeights(scores: Float32Array, hard: boolean): Float32Array {
  if (hard) return scores;
  const max = Math.max(...scores);
  const e = scores.map((s) => Math.exp(s - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

export function maskPicture(document: Document, profile: Profile): { svg: SVGSVGElement; caption: string } {
  const { mode, sites, n, k, scores } = profile.data;
  const rows = 2 * sites;
  const cell = 6;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${n * cell} ${rows * cell}`);
  svg.setAttribute('role', 'img');
  const caption =
    mode === 'hard'
      ? `${sites} sites × 2 projections (down, up) × N=${n} adapters: ${k} selected per row, ${rows * k} of ${rows * n} cells filled.`
      : `${sites} sites × 2 projections (down, up) × N=${n} adapters, shaded by each adapter's softmax weight.`;
  svg.setAttribute('aria-label', `Mask picture. ${caption}`);
  for (let row = 0; row < rows; row++) {
    const w = rowWeights(scores.subarray(row * n, (row + 1) * n), mode === 'hard');
    const top = mode === 'hard' ? 1 : Math.max(...w);
    for (let j = 0; j < n; j++) {
      if (w[j]! <= 0) continue;
      const rect = document.createElementNS(SVG, 'rect');
      rect.setAttribute('x', String(j * cell));
      rect.setAttribute('y', String(row * cell));
      rect.setAttribute('width', String(cell - 1));
      rect.setAttribute('height', String(cell - 1));
      rect.setAttribute('fill-opacity', (w[j]! / top).toFixed(3));
      rect.setAttribute('class', 'on');
      svg.append(rect);
    }
  }
  return { svg, caption };
}

export interface PickedPerson extends SourcePerson {
  /** The adapter's column in the bank, 0-based. */
  index: number;
  /** Its share of the mask: its weight summed over the rows, divided by the rows (all shares sum to 1). */
  share: number;
}

/** Soft masks weigh every person: this many of the heaviest are named. */
const SOFT_NAMED = 5;

/**
 * The people a profile's mask picks (hard: every adapter some row selects; soft: the heaviest few),
 * heaviest first, and a caption such as "Your profile picks these 5 of 30 people." People the bank's
 * index does not name are called by their adapter's number.
 */
export function pickedPeople(
  data: Pick<ProfileData, 'mode' | 'sites' | 'n' | 'k' | 'scores'>,
  people: readonly SourcePerson[],
): { caption: string; picked: PickedPerson[] } {
  const { mode, sites, n, k, scores } = data;
  const rows = 2 * sites;
  const share = new Float64Array(n);
  for (let row = 0; row < rows; row++) {
    const w = rowWeights(scores.subarray(row * n, (row + 1) * n), mode === 'hard');
    const sum = w.reduce((a, b) => a + b, 0);
    for (let j = 0; j < n; j++) share[j]! += w[j]! / sum / rows;
  }
  const all = Array.from(share, (s, index) => ({
    ...(people[index] ?? { id: `adapter ${index + 1}` }),
    index,
    share: s,
  })).sort((a, b) => b.share - a.share || a.index - b.index);
  if (mode === 'soft')
    return {
      caption: `Your profile weighs all ${n} people of the bank; these ${Math.min(SOFT_NAMED, n)} weigh most.`,
      picked: all.slice(0, SOFT_NAMED),
    };
  const picked = all.filter((p) => p.share > 0);
  const caption =
    picked.length === k
      ? `Your profile picks these ${k} of ${n} people: every row of its mask selects the same ${k}.`
      : `Your profile picks these ${picked.length} of ${n} people: each of its ${rows} mask rows selects ${k}, not all the same.`;
  return { caption, picked };
}
