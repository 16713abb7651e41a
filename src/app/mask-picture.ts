// A picture of a profile's mask: one row per adapter site and projection (down, up), one column per
// adapter in the bank; a selected adapter is a filled cell (soft masks: shaded by its weight).

import type { Profile } from '../profile/profile';

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
