import { describe, expect, it } from 'vitest';
import { readPageToken, signPageToken, type PageTokenClaims } from '../../src/interop/page-token.ts';

const key = new Uint8Array(32).fill(7);
const claims: PageTokenClaims = { user: 3, query: '{"times":{},"lists":{}}', after: 1042, expiresAt: Date.parse('2026-03-05T00:10:00.000Z') };
const now = Date.parse('2026-03-05T00:00:00.000Z');

describe('page tokens', () => {
  it('read back what they were signed with, until they expire', () => {
    const token = signPageToken(claims, key);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(readPageToken(token, key, now)).toEqual({ ok: true, claims });
    expect(readPageToken(token, key, claims.expiresAt - 1)).toMatchObject({ ok: true });
    expect(readPageToken(token, key, claims.expiresAt)).toMatchObject({ ok: false, code: 'PAGE_TOKEN_EXPIRED' });
  });

  it('refuse a changed payload, a changed or truncated MAC, another key, and anything else as PAGE_TOKEN_INVALID', () => {
    const token = signPageToken(claims, key);
    const [payload, mac] = token.split('.') as [string, string];
    // The cursor moved by hand: the payload no longer matches its MAC.
    const moved = Buffer.from(JSON.stringify({ ...claims, after: 1 })).toString('base64url');
    const flip = (s: string) => `${s.slice(0, -2)}${s.at(-2) === 'A' ? 'B' : 'A'}${s.at(-1)}`;
    for (const bad of [`${moved}.${mac}`, `${payload}.${flip(mac)}`, `${payload}.${mac.slice(1)}`, payload, '', 'a.b', `${payload}.${mac}=`]) {
      expect(readPageToken(bad, key, now), bad).toMatchObject({ ok: false, code: 'PAGE_TOKEN_INVALID' });
    }
    expect(readPageToken(token, new Uint8Array(32).fill(8), now)).toMatchObject({ ok: false, code: 'PAGE_TOKEN_INVALID' });
    // A forged token is refused before its expiry is even looked at.
    expect(readPageToken(`${moved}.${mac}`, key, claims.expiresAt + 1)).toMatchObject({ code: 'PAGE_TOKEN_INVALID' });
  });
});
