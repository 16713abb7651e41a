// Plain-words descriptions for the page: the backend it runs on, a profile's size against a
// conventional adapter, a prediction, a ranked list's change of order, and where a bank's data is from.

import type { BackendName } from '../backend/backends';
import type { BackendReport, BackendTiming } from '../backend/select';
import { adapterParameterCount } from '../encoder/placement';
import type { Prediction } from '../engine/types';
import type { Profile } from '../profile/profile';
import type { BackendChange } from '../runtime/engine-worker';
import { formatBytes } from './dom';
import type { PageBank, Preset } from './presets';
import type { Ranking } from './ranking';

const BACKEND_NAMES: Record<BackendName, string> = {
  webgpu: 'WebGPU',
  webgl: 'WebGL',
  wasm: 'WebAssembly',
  cpu: 'plain JavaScript',
};

/** "WebAssembly, 2 threads" / "WebGL (software renderer: SwiftShader)" / "WebGPU (nvidia ampere)". */
function backendLabel(report: BackendReport, t?: BackendTiming): string {
  const backend = t?.backend ?? report.backend;
  const name = BACKEND_NAMES[backend];
  if (backend === 'wasm') {
    const threads = t ? Number.parseInt(t.device, 10) : report.threads;
    return threads ? `${name}, ${threads} thread${threads === 1 ? '' : 's'}` : name;
  }
  const a = backend === 'webgpu' && !t ? report.adapter : undefined;
  const device = t?.device ?? (a ? [a.vendor, a.architecture].filter(Boolean).join(' ') : undefined);
  if (!device) return name;
  const software = t?.software ?? a?.isFallback;
  return `${name} (${software ? `software ${backend === 'webgl' ? 'renderer' : 'adapter'}: ` : ''}${device})`;
}

const seconds = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);

/**
 * The backend choice with its numbers, e.g. "WebAssembly, 2 threads: 85 ms per probe step. WebGL
 * (software renderer: SwiftShader): 1.2 s: not used."
 */
export function explainBackend(report: BackendReport): string {
  const chosen = report.timings.find((t) => t.backend === report.backend);
  const lead = chosen?.msPerStep
    ? `Running on ${backendLabel(report, chosen)}: ${seconds(chosen.msPerStep)} per probe step (one encoder layer, forward and backward, 8 × 32 tokens).`
    : `Running on ${backendLabel(report)}: ${report.reason}`;
  const others = report.timings
    .filter((t) => t !== chosen)
    .map((t) =>
      t.failed
        ? `${backendLabel(report, t)}: not used, its probe failed (${t.failed}).`
        : `${backendLabel(report, t)}: ${seconds(t.msPerStep!)}: not used.`,
    );
  const unavailable = report.skipped
    .filter((s) => !report.timings.some((t) => t.backend === s.backend))
    .map((s) => `${BACKEND_NAMES[s.backend]} is not available: ${s.reason}`);
  const when = report.remembered
    ? ['Measured on an earlier visit with this device and browser.']
    : report.timings.length > 0
      ? [`Measuring took ${seconds(report.selectionMs)}, once for this device and browser.`]
      : [];
  return [lead, ...others, ...unavailable, ...when].join(' ');
}

/** What the page says when a lost GPU device moved the engine to another backend. */
export function describeBackendChange(change: BackendChange): string {
  return (
    `${BACKEND_NAMES[change.from]} stopped working (${change.reason}) and was replaced: any training or ` +
    `answer in progress restarted from its start; saved profiles are untouched. ${explainBackend(change.to)}`
  );
}

/**
 * The profile's bytes next to a conventional fp32 adapter (bottleneck r, width d) that keeps the same
 * beside it: nothing over the shared head, its own head, or its own bias.
 */
export function describeSizes(profile: Profile, name: string, shape: { d: number; r: number }): string {
  const sizes = profile.sizes();
  const head = profile.head;
  const adapterBytes = 4 * adapterParameterCount({ sites: profile.data.sites, d: shape.d, r: shape.r });
  const offset = profile.data.offset;
  // The adapter it is compared with trains what the profile keeps beside its mask: a head, or a bias.
  const conventional =
    adapterBytes + 4 * (head ? head.weight.length + head.bias.length : (offset?.length ?? 0));
  const ratio = (a: number, b: number) => Math.round(a / b).toLocaleString('en');
  const headPart = head
    ? `task head of its own ${formatBytes(sizes.head)}`
    : offset
      ? `its own bias ${formatBytes(sizes.head)} over the bank’s population head`
      : 'no head of its own: it answers with the bank’s population head';
  return (
    `${name}'s profile: ${formatBytes(sizes.total)} (mask ${formatBytes(sizes.masks)}, ${headPart}, header ${formatBytes(sizes.header)}). ` +
    `A conventional adapter for this model${head ? ' with the same head' : offset ? ' with its own bias' : ''}: ${formatBytes(conventional)} in fp32. ` +
    `That is ${ratio(conventional, sizes.total)}× smaller; the mask alone is ${ratio(adapterBytes, sizes.masks)}× smaller than the adapter weights.`
  );
}

export function formatAnswer(preset: Preset, p: Prediction): string {
  if (p.kind === 'value') return `${p.value.toFixed(1)} (${preset.unit})`;
  return `${p.label} (${Math.round(100 * Math.max(...p.probabilities))}%)`;
}

/** The acknowledgement a bank's data asks for, and its content note if it has one. */
export function dataNote(bank: Pick<PageBank, 'acknowledgement' | 'contentNote'>): string {
  return [`${bank.acknowledgement}.`, bank.contentNote].filter(Boolean).join(' ');
}

const signed = (v: number, digits: number) =>
  `${v > 0 ? '+' : v < 0 ? '−' : ''}${Math.abs(v).toFixed(digits)}`;

/**
 * How much a profile changed the order of a list, e.g. "Spearman rank correlation between the two
 * orders: 0.62 (1 is the same order, 0 unrelated, −1 reversed): your profile moves 71 of the 90 jokes
 * you have not rated to another place. On average it answers +1.30 (…) against everyone."
 */
export function describeRanking(preset: Preset, ranking: Ranking, noun: string): string {
  const { rho, shift } = ranking;
  const count = ranking.byGeneric.length;
  const moved = ranking.byGeneric.filter((t) => t.genericRank !== t.personalRank).length;
  const by =
    preset.task.kind === 'regression'
      ? `${signed(shift, 2)} (${preset.unit})`
      : `${signed(100 * shift, 0)} percentage points on “${preset.task.labels.at(-1)}”`;
  const correlation = Number.isNaN(rho)
    ? `not defined (one of them puts every ${noun.replace(/s$/, '')} level)`
    : `${rho.toFixed(2)} (1 is the same order, 0 unrelated, −1 reversed)`;
  const change =
    moved === 0
      ? `your profile keeps the order of the ${count} ${noun} you have not rated and only shifts the answers`
      : `your profile moves ${moved} of the ${count} ${noun} you have not rated to another place`;
  return `Spearman rank correlation between the two orders: ${correlation}: ${change}. On average it answers ${by} against everyone.`;
}
