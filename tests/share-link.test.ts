// Share links carry a profile in the URL fragment (and nothing else of the sender's page) and read back
// from a link, a fragment or bare text; the page fetches models and banks from its own origin only.

import { describe, expect, it } from 'vitest';
import { readShared, shareLink, sourceBase } from '../src/app/share';

describe('share links', () => {
  const text = 'WFBGVAEAAAECAGQA-_x';

  it('round-trips the profile and a name with spaces and symbols', () => {
    const link = shareLink('http://host/app/?model=/m&backend=webgpu#old', text, 'Ana & Bo');
    const url = new URL(link);
    expect(url.search).toBe('');
    expect(readShared(link)).toEqual({ profile: text, name: 'Ana & Bo' });
    expect(readShared(url.hash)).toEqual({ profile: text, name: 'Ana & Bo' });
  });

  it('takes bare profile text as it is and refuses empty input or a link without a profile', () => {
    expect(readShared(`  ${text}  `)).toEqual({ profile: text });
    expect(readShared('   ')).toBeUndefined();
    expect(readShared('http://host/#name=x')).toBeUndefined();
  });
});

describe('what a link may carry and name', () => {
  it('drops the query from a share link, keeping origin and path', () => {
    const link = shareLink(
      'https://me.example/app/?model=https://evil.example/m&backend=cpu#old',
      'AAAA',
      'Ann',
    );
    expect(link).toBe('https://me.example/app/#profile=AAAA&name=Ann');
  });

  it("takes ?model= and ?banks= from the page's origin or an allowed one only", () => {
    const page = 'https://me.example';
    expect(sourceBase('/models/all-MiniLM-L6-v2/', page)).toEqual({ base: '/models/all-MiniLM-L6-v2' });
    expect(sourceBase('https://me.example/banks', page)).toEqual({ base: '/banks' });
    expect(sourceBase('models/x', page)).toEqual({ base: '/models/x' });
    const foreign = sourceBase('https://evil.example/m', page);
    expect('refused' in foreign && foreign.refused).toMatch(
      /https:\/\/evil\.example is not this page's origin/,
    );
    expect(sourceBase('//evil.example/m', page)).toHaveProperty('refused');
    expect(sourceBase('https://cdn.example/m/', page, ['https://cdn.example'])).toEqual({
      base: 'https://cdn.example/m',
    });
  });
});
