import { describe, expect, it } from 'vitest';
import { badgeIdFromEpc, classifyTagRead, epcFromBadgeId, isBadgeEpc } from '../../src/rfid/badge.ts';
import { toHex } from '../../src/encoding.ts';
import { badgeId } from '../../src/record/events.ts';
import { hex } from './bytes.ts';

const BADGE = hex('34 14 25 7B F4 00 00 00 00 01 89 86'); // urn:epc:id:giai:0614141.100742, filter 0
const SGTIN_BAG = hex('30 74 25 7B F7 19 4E 40 00 00 1A 85');
const GRAI_BOX = hex('33 74 25 7B F4 0C 0E 40 00 00 16 2E');
const PROPRIETARY = hex('E2 00 00 17 22 0B 01 23 45 67 89 AB');

describe('badge convention, default GIAI-96', () => {
  it('reads a GIAI-96 EPC as a badge named by its company prefix and asset reference', () => {
    expect(classifyTagRead(BADGE)).toEqual({ kind: 'badge', badgeId: 'giai:0614141.100742', epc: BADGE });
    expect(badgeId.check('giai:0614141.100742', 'staff').ok).toBe(true);
  });

  it('reads bags, boxes and proprietary EPCs as custody tags named by raw hex', () => {
    expect(classifyTagRead(SGTIN_BAG)).toEqual({ kind: 'tag', tagId: 'epc:3074257bf7194e4000001a85', epc: SGTIN_BAG });
    expect(classifyTagRead(GRAI_BOX)).toMatchObject({ kind: 'tag', tagId: 'epc:3374257bf40c0e400000162e' });
    expect(classifyTagRead(PROPRIETARY)).toMatchObject({ kind: 'tag', tagId: 'epc:e2000017220b0123456789ab' });
  });

  it('reports an EPC no record can name', () => {
    expect(classifyTagRead(hex('E2 00'))).toMatchObject({ kind: 'unusable' });
  });

  it('can be limited to the hospital\'s own company prefixes', () => {
    const convention = { scheme: 'giai-96', companyPrefixes: ['0614141'] } as const;
    expect(isBadgeEpc(BADGE, convention)).toBe(true);
    expect(isBadgeEpc(BADGE, { scheme: 'giai-96', companyPrefixes: ['9521234'] })).toBe(false);
    expect(classifyTagRead(BADGE, { scheme: 'giai-96', companyPrefixes: ['9521234'] })).toMatchObject({ kind: 'tag' });
  });

  it('round-trips a badge id through its EPC', () => {
    const epc = epcFromBadgeId('giai:0614141.100742');
    expect(epc && toHex(epc)).toBe(toHex(BADGE));
    expect(epcFromBadgeId('giai:0614141.0100742')).toBeUndefined();
    expect(epcFromBadgeId('nurse-7')).toBeUndefined();
  });
});

describe('badge convention, EPC prefix', () => {
  const convention = { scheme: 'epc-prefix', prefixHex: 'E2801170' } as const;
  const badge = hex('E2 80 11 70 00 00 02 0A BC DE F0 12');

  it('reads EPCs under the prefix as badges named epc:<hex>, case-insensitively', () => {
    expect(classifyTagRead(badge, convention)).toEqual({ kind: 'badge', badgeId: 'epc:e28011700000020abcdef012', epc: badge });
    expect(badgeIdFromEpc(BADGE, convention)).toBeUndefined();
    expect(classifyTagRead(BADGE, convention)).toMatchObject({ kind: 'tag' });
  });

  it('matches nothing with an empty or mistyped prefix', () => {
    expect(isBadgeEpc(badge, { scheme: 'epc-prefix', prefixHex: '' })).toBe(false);
    expect(isBadgeEpc(badge, { scheme: 'epc-prefix', prefixHex: 'E28O' })).toBe(false);
  });

  it('round-trips', () => {
    const epc = epcFromBadgeId('epc:e28011700000020abcdef012');
    expect(epc && badgeIdFromEpc(epc, convention)).toBe('epc:e28011700000020abcdef012');
  });

  it('refuses a badge EPC too long for a badge id', () => {
    const long = new Uint8Array(31);
    long.set(hex('E2 80 11 70'));
    expect(classifyTagRead(long, convention)).toMatchObject({ kind: 'unusable' });
  });
});
