// Share links carry a profile in the URL fragment and read back from a link, a fragment or bare text.

import { describe, expect, it } from 'vitest';
import { readShared, shareLink } from '../src/app/share';

describe('share links', () => {
  const text = 'WFBGVAEAAAECAGQA-_x';

  it('round-trips the profile and a name with spaces and symbols, keeping the query', () => {
    const link = shareLink('http://host/app/?model=/m&backend=webgpu#old', text, 'Ana & Bo');
    const url = new URL(link);
    expect(url.search).toBe('?model=/m&backend=webgpu');
    expect(readShared(link)).toEqual({ profile: text, name: 'Ana & Bo' });
    expect(readShared(url.hash)).toEqual({ profile: text, name: 'Ana & Bo' });
  });

  it('takes bare profile text as it is and refuses empty input or a link without a profile', () => {
    expect(readShared(`  ${text}  `)).toEqual({ profile: text });
    expect(readShared('   ')).toBeUndefined();
    expect(readShared('http://host/#name=x')).toBeUndefined();
  });
});
