// Backend selection in Node: the chain falls through to wasm and says why it skipped the others;
// forcing a backend that cannot start is a clear error.

import { afterAll, describe, expect, it } from 'vitest';
import { BackendUnavailableError, selectBackend, useBackend } from '../src/index';

describe('backend selection', () => {
  afterAll(() => useBackend('cpu'));

  it('falls back from webgpu and webgl to wasm, reporting each reason', async () => {
    const report = await selectBackend();
    expect(report.backend).toBe('wasm');
    expect(report.skipped.map((s) => s.backend)).toEqual(['webgpu', 'webgl']);
    expect(report.skipped[0]!.reason).toMatch(/navigator\.gpu/);
    expect(report.adapter).toBeUndefined();
  });

  it('honours a forced backend and refuses one that cannot start', async () => {
    expect((await selectBackend('cpu')).backend).toBe('cpu');
    await expect(selectBackend('webgpu')).rejects.toThrowError(BackendUnavailableError);
    await expect(selectBackend('webgpu')).rejects.toThrowError(/Backend "webgpu" is unavailable/);
    await expect(selectBackend('tpu' as never)).rejects.toThrowError(
      /unknown backend; expected one of webgpu, webgl, wasm, cpu/,
    );
  });
});
