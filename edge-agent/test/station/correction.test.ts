/** Corrections at the kiosk: one of the station's own records voided or amended, authorised by a badge. */
import { describe, expect, it } from 'vitest';
import type { CorrectionTarget, StationInput } from '../../src/station/workflow.ts';
import { BAG_A, KEEPER, Station, STAFF } from './drive.ts';

const SEALED: CorrectionTarget = { device: 'hz-h001-icu-01', seq: 7, hash: 'ab'.repeat(32), type: 'sealed' };
const STORED: CorrectionTarget = { ...SEALED, seq: 9, type: 'stored' };
const correct = (over: Partial<Extract<StationInput, { kind: 'correct' }>> = {}): StationInput => ({ kind: 'correct', seq: 7, target: SEALED, action: 'void', reason: 'wrong bag scanned', ...over });

describe('corrections at the kiosk', () => {
  it('void: asks for an authorising badge, then writes the correction naming the record by device, seq and hash', () => {
    const s = new Station({ role: 'department', department: 'ICU' }).send(correct());
    expect(s.notice).toBe('CORRECTION_STARTED');
    expect(s.prompt).toBe('TAP_AUTHORISER_BADGE');
    expect(s.committed).toEqual([]);
    s.badge(KEEPER);
    expect(s.committed).toEqual([{ type: 'correction', body: { target: { device: SEALED.device, seq: 7, hash: SEALED.hash }, action: 'void', reason: 'wrong bag scanned', authorisedBy: KEEPER } }]);
    expect(s.notice).toBe('CORRECTED');
    expect(s.state.notice?.params).toMatchObject({ target: 7, action: 'void' });
    expect(s.state.correcting).toBeUndefined();
    expect(s.prompt).toBe('PLACE_BAG');
  });

  it("amend: a sealing's weight and category; another record's weight only", () => {
    const s = new Station({ role: 'storage', room: 'STORE-1' });
    s.send(correct({ action: 'amend', reason: ' scale read early ', amend: { grams: 1249, category: 'sharps' } })).badge(STAFF);
    expect(s.committed[0]?.body).toEqual({ target: { device: SEALED.device, seq: 7, hash: SEALED.hash }, action: 'amend', reason: 'scale read early', authorisedBy: STAFF, amend: { weight: { value: 1249, unit: 'g' }, category: 'sharps' } });
    s.send(correct({ seq: 9, target: STORED, action: 'amend', amend: { category: 'sharps' } }));
    expect(s.notice).toBe('CORRECTION_INVALID');
    s.send(correct({ seq: 9, target: STORED, action: 'amend', amend: { grams: 2077 } })).badge(STAFF);
    expect(s.committed[1]?.body).toMatchObject({ target: { seq: 9 }, amend: { weight: { value: 2077, unit: 'g' } } });
  });

  it('refuses what cannot be a correction, and writes nothing', () => {
    const s = new Station({ role: 'department', department: 'ICU' });
    s.send(correct({ target: undefined, seq: 99 }));
    expect([s.notice, s.state.notice?.params]).toEqual(['RECORD_NOT_FOUND', { seq: 99 }]);
    s.send(correct({ target: { ...SEALED, type: 'heartbeat' } }));
    expect(s.notice).toBe('NOT_CORRECTABLE');
    s.send(correct({ target: { ...SEALED, type: 'correction' } }));
    expect(s.notice).toBe('NOT_CORRECTABLE');
    s.send(correct({ reason: '   ' }));
    expect(s.notice).toBe('CORRECTION_INVALID');
    s.send(correct({ action: 'amend' }));
    expect(s.notice).toBe('CORRECTION_INVALID');
    s.send(correct({ reason: 'x'.repeat(501) }));
    expect(s.notice).toBe('CORRECTION_INVALID');
    expect(s.state.correcting).toBeUndefined();
    expect(s.committed).toEqual([]);
  });

  it('not in the middle of a bag, nor two at once; cancel and timeout drop it; bags wait until it is done', () => {
    const s = new Station({ role: 'department', department: 'ICU' }).tag(BAG_A).send(correct());
    expect(s.notice).toBe('FINISH_FIRST');
    s.send({ kind: 'cancel' }).send(correct());
    s.send(correct());
    expect(s.notice).toBe('FINISH_FIRST');
    s.tag(BAG_A);
    expect(s.state.tx).toBeUndefined();
    s.send({ kind: 'cancel' });
    expect([s.notice, s.state.correcting]).toEqual(['CANCELLED', undefined]);
    s.send(correct()).tick(61_000);
    expect([s.notice, s.state.correcting]).toEqual(['TIMEOUT', undefined]);
    expect(s.committed).toEqual([]);
  });

  it('with a badge list, only a known badge authorises; a failed write says so and leaves nothing pending', () => {
    const knownBadges = new Map([[KEEPER, { name: 'Wang', roles: ['keeper' as const] }]]);
    const s = new Station({ role: 'storage', room: 'STORE-1', knownBadges, refuseUnknownBadges: true }).send(correct());
    s.badge('stranger-1');
    expect(s.notice).toBe('UNKNOWN_BADGE');
    s.failNext = new Error('disk full');
    s.badge(KEEPER);
    expect(s.notice).toBe('STORE_FAILED');
    expect(s.state.correcting).toBeUndefined();
    expect(s.committed).toEqual([]);
  });
});
