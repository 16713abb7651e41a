// Backend choice by measurement: the ranking rules on given timings, the real probe and its caps, and
// what 'auto' and a forced backend report in Node (where only wasm and cpu start), Engine.load's default,
// and where the engine goes after a lost GPU device.
import { describe, expect, it } from 'vitest';
import { Engine, LanguageModel } from '../src/advanced';
import { releaseBackend, useBackend } from '../src/backend/backends';
import { nextBackend } from '../src/backend/device-loss';
import { probeActiveBackend } from '../src/backend/probe';
import { type Candidate, rankCandidates, selectBackend } from '../src/backend/select';
import { BackendUnavailableError, ProbeTimeoutError } from '../src/errors';
import { SENTIMENT } from './helpers/sst2';
import { writeTinyModel } from './helpers/tiny-model';

const hardware = { warmupMs: 10_000, stepMs: 5_000 };
const wasm: Candidate = { backend: 'wasm', device: '2 thread(s)', software: false };
const softGl: Candidate = { backend: 'webgl', device: 'SwiftShader', software: true };
const gpu: Candidate = { backend: 'webgpu', device: 'nvidia ampere', software: false };

describe('rankCandidates', () => {
  it('takes the fastest step and says why each other one lost', async () => {
    const times = { wasm: 80, webgl: 900, webgpu: 12 } as Record<string, number>;
    const { best, timings, slower } = await rankCandidates([wasm, softGl, gpu], hardware, async (c) => ({
      warmupMs: 100,
      msPerStep: times[c.backend]!,
    }));
    expect(best?.backend).toBe('webgpu');
    expect(timings.map((t) => t.msPerStep)).toEqual([80, 900, 12]);
    expect(slower).toEqual([
      { backend: 'wasm', reason: '80 ms per probe step, slower than webgpu (12 ms).' },
      { backend: 'webgl', reason: '900 ms per probe step, slower than webgpu (12 ms).' },
    ]);
  });

  it('caps a software adapter at the best step so far, and lets it win only by measuring faster', async () => {
    const seen: Record<string, unknown> = {};
    const { best } = await rankCandidates([wasm, softGl], hardware, async (c, limits) => {
      seen[c.backend] = limits;
      return { warmupMs: 50, msPerStep: c.backend === 'wasm' ? 80 : 60 };
    });
    expect(seen.wasm).toEqual(hardware);
    expect(seen.webgl).toEqual({ warmupMs: 300, stepMs: 80, gateMs: 80 / 9 });
    expect(best?.backend).toBe('webgl');
  });

  it('disqualifies a probe that throws, with its reason, and has no winner when all fail', async () => {
    const { best, timings, slower } = await rankCandidates([wasm, gpu], hardware, async (c) => {
      if (c.backend === 'webgpu') throw new Error('device lost');
      return { warmupMs: 10, msPerStep: 70 };
    });
    expect(best?.backend).toBe('wasm');
    expect(timings[1]).toMatchObject({ backend: 'webgpu', failed: 'device lost' });
    expect(slower).toEqual([{ backend: 'webgpu', reason: 'its probe failed: device lost.' }]);
    const none = await rankCandidates([gpu], hardware, async () => {
      throw new Error('no');
    });
    expect(none.best).toBeUndefined();
  });
});

describe('the probe', () => {
  it('times a training step of one encoder layer on the active backend', async () => {
    await useBackend('wasm');
    const t = await probeActiveBackend({ warmupMs: 60_000, stepMs: 60_000, steps: 2 });
    expect(t.warmupMs).toBeGreaterThan(0);
    expect(t.msPerStep).toBeGreaterThan(0);
    expect(t.msPerStep).toBeLessThan(60_000);
  });

  it('stops waiting past its cap', async () => {
    await useBackend('cpu');
    await expect(probeActiveBackend({ warmupMs: 1, stepMs: 1 })).rejects.toBeInstanceOf(ProbeTimeoutError);
  });
});

describe('selectBackend in Node', () => {
  it("'auto' takes wasm, the only backend that starts, and names what did not", async () => {
    const report = await selectBackend('auto', { store: null });
    expect(report).toMatchObject({ backend: 'wasm', timings: [], remembered: false });
    expect(report.reason).toBe('the only backend that starts here.');
    expect(report.threads).toBeGreaterThanOrEqual(1);
    expect(report.skipped.map((s) => s.backend)).toEqual(['webgl', 'webgpu']);
    expect(report.skipped[1]!.reason).toMatch(/navigator\.gpu/);
    expect(report.adapter).toBeUndefined();
  });

  it('a forced backend skips the probe', async () => {
    const report = await selectBackend('cpu');
    expect(report).toMatchObject({ backend: 'cpu', timings: [], skipped: [] });
    expect(report.reason).toMatch(/forced/);
    await expect(selectBackend('webgpu')).rejects.toThrowError(BackendUnavailableError);
    await expect(selectBackend('webgpu')).rejects.toThrowError(/Backend "webgpu" is unavailable/);
    await expect(selectBackend('tpu' as never)).rejects.toThrowError(
      /unknown backend; expected one of webgpu, webgl, wasm, cpu/,
    );
  });
});

describe('Engine.load and the backend', () => {
  it("chooses with 'auto' when it loads the model itself, and keeps the backend of a loaded model", async () => {
    const path = writeTinyModel({ seed: 3 });
    const bank = { kind: 'random' as const, seed: 1, n: 4, r: 2 };
    await useBackend('cpu');
    const chosen = await Engine.load({ model: { kind: 'dir', path }, bank, task: SENTIMENT });
    expect(chosen.backend).toMatchObject({ backend: 'wasm', reason: 'the only backend that starts here.' });
    chosen.dispose();
    await useBackend('cpu');
    const model = await LanguageModel.load({ kind: 'dir', path });
    const kept = await Engine.load({ model, bank, task: SENTIMENT });
    expect(kept.backend).toBeUndefined();
    const tf = await import('@tensorflow/tfjs');
    expect(tf.getBackend()).toBe('cpu');
    kept.dispose();
    model.dispose();
  });
});

describe('nextBackend after a lost device', () => {
  const report = (timings: { backend: 'webgpu' | 'webgl' | 'wasm'; msPerStep?: number }[]) => ({
    backend: 'webgpu' as const,
    skipped: [],
    reason: '',
    remembered: false,
    selectionMs: 0,
    timings: timings.map((t) => ({ ...t, device: '', software: false })),
  });
  it('takes the fastest other backend measured, else wasm', () => {
    expect(
      nextBackend(
        report([
          { backend: 'webgpu', msPerStep: 5 },
          { backend: 'wasm', msPerStep: 80 },
          { backend: 'webgl', msPerStep: 20 },
        ]),
        'webgpu',
      ),
    ).toBe('webgl');
    expect(nextBackend(report([{ backend: 'webgpu', msPerStep: 5 }, { backend: 'webgl' }]), 'webgpu')).toBe(
      'wasm',
    );
    expect(nextBackend(report([]), 'webgpu')).toBe('wasm');
  });
});

describe('releaseBackend', () => {
  it('frees a started backend that is not active, which can start again later', async () => {
    const tf = await import('@tensorflow/tfjs');
    const started = () => Object.keys((tf.engine() as unknown as { registry: object }).registry);
    await useBackend('cpu');
    await useBackend('wasm');
    expect(started()).toEqual(expect.arrayContaining(['cpu', 'wasm']));
    releaseBackend('wasm'); // the active one is kept
    releaseBackend('cpu');
    expect(started()).toContain('wasm');
    expect(started()).not.toContain('cpu');
    await useBackend('cpu');
    expect(await tf.add(tf.scalar(1), tf.scalar(2)).data()).toEqual(new Float32Array([3]));
    await useBackend('wasm');
  });
});
