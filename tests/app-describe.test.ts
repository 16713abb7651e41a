// The page's plain-words descriptions: sizes against a conventional adapter, answers, backends.

import { describe, expect, it } from 'vitest';
import { encodeProfile, Profile } from '../src/advanced';
import { describeBackendChange, describeSizes, explainBackend, formatAnswer } from '../src/app/describe';
import { presetById } from '../src/app/presets';

describe('page descriptions', () => {
  // Default model: 6 Pfeiffer sites, d=384, r=24, N=100.
  const hardProfile = (head?: {
    inputs: number;
    outputs: number;
    weight: Float32Array;
    bias: Float32Array;
  }) => {
    const scores = new Float32Array(2 * 6 * 100);
    for (let row = 0; row < 12; row++) for (let j = 0; j < 5; j++) scores[row * 100 + j * 7] = 1;
    return Profile.fromBytes(
      encodeProfile({
        mode: 'hard',
        placement: 'pfeiffer',
        sites: 6,
        n: 100,
        k: 5,
        modelFingerprint: 'a'.repeat(64),
        bankFingerprint: 'b'.repeat(64),
        scores,
        ...(head ? { head } : {}),
      }),
    );
  };

  it("states a shared-head profile's bytes and its ratio to an fp32 adapter of the default model", () => {
    // mask 150 B, header 82 B; adapter 452,160 B fp32.
    expect(describeSizes(hardProfile(), 'Ana', { d: 384, r: 24 })).toBe(
      "Ana's profile: 232 bytes (mask 150 bytes, no head of its own: it answers with the bank’s population head, header 82 bytes). " +
        'A conventional adapter for this model: 0.452 MB in fp32. ' +
        'That is 1,949× smaller; the mask alone is 3,014× smaller than the adapter weights.',
    );
  });

  it('counts a personal head on both sides', () => {
    // A 1-output (rating) head: 4 + 2·385 = 774 B in the profile, 1,540 B fp32 next to the adapter.
    const head = { inputs: 384, outputs: 1, weight: new Float32Array(384), bias: new Float32Array(1) };
    expect(describeSizes(hardProfile(head), 'Ana', { d: 384, r: 24 })).toBe(
      "Ana's profile: 1,006 bytes (mask 150 bytes, task head of its own 774 bytes, header 82 bytes). " +
        'A conventional adapter for this model with the same head: 0.454 MB in fp32. ' +
        'That is 451× smaller; the mask alone is 3,014× smaller than the adapter weights.',
    );
  });

  it('counts a personal bias on both sides', () => {
    // A 1-output offset: 2 + 2 = 4 B in the profile, 4 B fp32 next to the adapter.
    const scores = hardProfile().data.scores;
    const p = Profile.fromBytes(
      encodeProfile({ ...hardProfile().data, scores, offset: Float32Array.of(-0.75) }),
    );
    expect(describeSizes(p, 'Ana', { d: 384, r: 24 })).toBe(
      "Ana's profile: 236 bytes (mask 150 bytes, its own bias 4 bytes over the bank’s population head, header 82 bytes). " +
        'A conventional adapter for this model with its own bias: 0.452 MB in fp32. ' +
        'That is 1,916× smaller; the mask alone is 3,014× smaller than the adapter weights.',
    );
  });

  it('formats ratings and labelled answers', () => {
    expect(formatAnswer(presetById('offensive'), { kind: 'value', value: 2.345 })).toBe(
      '2.3 (offensiveness 1–5)',
    );
    expect(
      formatAnswer(presetById('like'), { kind: 'label', label: 'yes', probabilities: [0.126, 0.874] }),
    ).toBe('yes (87%)');
  });

  it('explains a measured choice with the numbers of every backend', () => {
    const text = explainBackend({
      backend: 'wasm',
      threads: 2,
      timings: [
        { backend: 'wasm', device: '2 thread(s)', software: false, warmupMs: 90, msPerStep: 85.2 },
        { backend: 'webgl', device: 'SwiftShader', software: true, warmupMs: 300, msPerStep: 1234 },
        {
          backend: 'webgpu',
          device: 'google swiftshader',
          software: true,
          failed: 'the warm-up step took longer than its cap of 750 ms',
        },
      ],
      skipped: [
        { backend: 'webgl', reason: '1234 ms per probe step, slower than wasm (85 ms).' },
        { backend: 'webgpu', reason: 'its probe failed: …' },
      ],
      reason: 'fastest of 3 measured',
      remembered: true,
      selectionMs: 3,
    });
    expect(text).toBe(
      'Running on WebAssembly, 2 threads: 85 ms per probe step (one encoder layer, forward and backward, 8 × 32 tokens). ' +
        'WebGL (software renderer: SwiftShader): 1.2 s: not used. ' +
        'WebGPU (software adapter: google swiftshader): not used, its probe failed (the warm-up step took longer than its cap of 750 ms). ' +
        'Measured on an earlier visit with this device and browser.',
    );
  });

  it('says how long a first measurement took', () => {
    const text = explainBackend({
      backend: 'wasm',
      threads: 1,
      timings: [
        { backend: 'wasm', device: '1 thread(s)', software: false, warmupMs: 90, msPerStep: 70 },
        { backend: 'webgl', device: 'SwiftShader', software: true, failed: 'too slow' },
      ],
      skipped: [{ backend: 'webgl', reason: 'its probe failed: too slow.' }],
      reason: 'fastest of 2 measured',
      remembered: false,
      selectionMs: 1060,
    });
    expect(text).toMatch(/^Running on WebAssembly, 1 thread: 70 ms per probe step/);
    expect(text).toMatch(/Measuring took 1\.1 s, once for this device and browser\.$/);
  });

  it('tells the user that a lost GPU moved the engine, and that saved profiles are safe', () => {
    const text = describeBackendChange({
      from: 'webgpu',
      reason: 'The GPU device was lost (destroyed).',
      to: {
        backend: 'wasm',
        threads: 1,
        skipped: [],
        timings: [],
        reason: 'forced by the caller; not measured.',
        remembered: false,
        selectionMs: 5,
      },
    });
    expect(text).toBe(
      'WebGPU stopped working (The GPU device was lost (destroyed).) and was replaced: any training or answer in progress restarted from its start; saved profiles are untouched. ' +
        'Running on WebAssembly, 1 thread: forced by the caller; not measured.',
    );
  });

  it('names a forced WebGPU adapter, and says when it is a software one', () => {
    const text = explainBackend({
      backend: 'webgpu',
      adapter: { vendor: 'google', architecture: 'swiftshader', description: '', isFallback: true },
      skipped: [],
      timings: [],
      reason: 'forced by the caller; not measured.',
      remembered: false,
      selectionMs: 30,
    });
    expect(text).toBe(
      'Running on WebGPU (software adapter: google swiftshader): forced by the caller; not measured.',
    );
  });

  it('explains a forced or only backend, and what could not start', () => {
    const text = explainBackend({
      backend: 'cpu',
      skipped: [{ backend: 'webgpu', reason: 'this browser has no navigator.gpu.' }],
      timings: [],
      reason: 'forced by the caller; not measured.',
      remembered: false,
      selectionMs: 40,
    });
    expect(text).toBe(
      'Running on plain JavaScript: forced by the caller; not measured. WebGPU is not available: this browser has no navigator.gpu.',
    );
  });
});
