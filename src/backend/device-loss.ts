// A lost WebGPU device: noticing it, causing it (fault injection for tests), and where to go next.

import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError } from '../errors';
import type { BackendName } from './backends';
import type { BackendReport } from './select';

/**
 * Resolves with the reason when the active webgpu backend's device is lost; never for other backends.
 * tfjs-backend-webgpu keeps its GPUDevice as `device`.
 */
export function deviceLost(): Promise<string> {
  const device = (
    tf.backend() as unknown as { device?: { lost?: Promise<{ reason?: string; message?: string }> } }
  ).device;
  if (tf.getBackend() !== 'webgpu' || !device?.lost) return new Promise(() => {});
  return device.lost.then((info) => [info.reason, info.message].filter(Boolean).join(': ') || 'unknown');
}

/** Fault injection: destroys the webgpu backend's device, as a driver reset would lose it. */
export function destroyDevice(): void {
  if (tf.getBackend() !== 'webgpu')
    throw new BackendUnavailableError('webgpu', 'it is not the active backend.');
  (tf.backend() as unknown as { device: { destroy(): void } }).device.destroy();
}

/** The backend to move to when `lost` fails: the fastest other one measured, else wasm. */
export function nextBackend(report: BackendReport, lost: BackendName): BackendName {
  const measured = report.timings
    .filter((t) => t.backend !== lost && t.msPerStep !== undefined)
    .sort((a, b) => a.msPerStep! - b.msPerStep!);
  return measured[0]?.backend ?? (lost === 'wasm' ? 'cpu' : 'wasm');
}
