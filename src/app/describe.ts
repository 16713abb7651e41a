// Plain-words descriptions for the page: the backend it runs on, a profile's size against a
// conventional adapter, and a prediction.

import { adapterParameterCount } from '../encoder/adapter';
import type { Prediction } from '../engine/engine';
import type { Profile } from '../profile/profile';
import type { BackendReport } from '../runtime/backend';
import { formatBytes } from './dom';
import type { Preset } from './presets';

export function explainBackend(report: BackendReport): string {
  const skipped = report.skipped.map((s) => `${s.backend.toUpperCase()} was not used: ${s.reason}`);
  const gpu = report.adapter
    ? report.adapter.isFallback
      ? ` The graphics adapter is a software fallback (${report.adapter.architecture || report.adapter.vendor}): results are correct, but slower than on a real GPU.`
      : ` Graphics adapter: ${report.adapter.vendor} ${report.adapter.architecture}.`
    : '';
  const why =
    report.backend === 'webgpu'
      ? 'WebGPU, the fastest option.'
      : report.backend === 'webgl'
        ? 'WebGL: WebGPU is not available here, so the older GPU interface is used.'
        : report.backend === 'wasm'
          ? 'WebAssembly on the CPU: no usable GPU interface was found, so training is slower.'
          : 'plain JavaScript on the CPU: the slowest option, used because nothing faster is available.';
  return `Running on ${why}${gpu}${skipped.length ? ` (${skipped.join('; ')}.)` : ''}`;
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
  if ('value' in p) return `${p.value.toFixed(1)} (${preset.unit})`;
  const i = p.probabilities.indexOf(Math.max(...p.probabilities));
  return `${p.label} (${Math.round(100 * p.probabilities[i]!)}%)`;
}
