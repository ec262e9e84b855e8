/** Turnover boxes: packing bags into a GRAI-tagged box and taking them out, at the ward or the storage room. */
import { describe, expect, it } from 'vitest';
import { isBoxTag } from '../../src/station/workflow.ts';
import { BAG_A, BAG_B, BAG_C, KEEPER, Station, STAFF } from './drive.ts';

/** GRAI-96 EPCs (header 0x33): two turnover boxes. */
const BOX_1 = 'epc:331800e4a37fd40000000001';
const BOX_2 = 'epc:331800e4a37fd40000000002';

describe('turnover boxes', () => {
  it('tells a box tag (GRAI-96) from a bag tag (SGTIN-96, SSCC-96, QR label)', () => {
    expect([BOX_1, BAG_A, BAG_B, 'qr:WT1.H330106.ONC.I250314.42R', 'epc:3300'].map(isBoxTag)).toEqual([true, false, false, false, true]);
  });

  it('storage: box -> bags -> keeper badge writes one aggregated pack record; no weight is needed', () => {
    const s = new Station({ role: 'storage', room: 'STORE-1', mode: 'pack' });
    expect(s.prompt).toBe('SCAN_BOX');
    s.tag(BOX_1);
    expect(s.notice).toBe('BOX_SET');
    expect(s.prompt).toBe('SCAN_BAGS_FOR_BOX');
    s.tag(BAG_A).tag(BAG_B).tag(BAG_A);
    expect(s.state.tx?.bags.map((b) => b.tagId)).toEqual([BAG_A, BAG_B]);
    expect(s.prompt).toBe('TAP_STAFF_BADGE');
    s.badge(KEEPER);
    expect(s.committed).toEqual([{ type: 'aggregated', body: { box: BOX_1, bags: [BAG_A, BAG_B], action: 'pack', staff: KEEPER } }]);
    expect(s.notice).toBe('PACKED');
    expect(s.state.notice?.params).toMatchObject({ count: 2, box: BOX_1 });
    expect(s.prompt).toBe('SCAN_BOX');
  });

  it('department: unpack names the box and the bags taken out; bags packed before may be handled again', () => {
    const s = new Station({ role: 'department', department: 'ICU' });
    expect(s.wf.modes).toEqual(['seal', 'pack', 'unpack']);
    s.send({ kind: 'mode', mode: 'pack' }).tag(BOX_1).tag(BAG_C).badge(STAFF);
    s.send({ kind: 'mode', mode: 'unpack' }).tag(BOX_1).tag(BAG_C).badge(STAFF);
    s.send({ kind: 'mode', mode: 'pack' }).tag(BOX_2).tag(BAG_C).badge(STAFF);
    expect(s.committed.map((e) => e.body)).toEqual([
      { box: BOX_1, bags: [BAG_C], action: 'pack', staff: STAFF },
      { box: BOX_1, bags: [BAG_C], action: 'unpack', staff: STAFF },
      { box: BOX_2, bags: [BAG_C], action: 'pack', staff: STAFF },
    ]);
  });

  it('refuses a bag before the box, a second box, a badge before any bag, and a bag after the badge', () => {
    const s = new Station({ role: 'storage', room: 'STORE-1', mode: 'pack' });
    s.tag(BAG_A);
    expect(s.notice).toBe('BOX_NOT_A_BAG');
    expect(s.state.tx).toBeUndefined();
    s.tag(BOX_1).tag(BOX_2);
    expect(s.notice).toBe('TWO_BOXES');
    expect(s.state.tx?.box).toBe(BOX_1);
    s.badge(KEEPER);
    expect(s.committed).toHaveLength(0);
    expect(s.prompt).toBe('SCAN_BAGS_FOR_BOX');
    s.tag(BAG_A).send({ kind: 'confirm' }).tag(BAG_B);
    expect(s.notice).toBe('BAGS_CLOSED');
    s.badge(KEEPER);
    expect(s.committed[0]?.body).toMatchObject({ bags: [BAG_A] });
  });

  it('with a badge list, a keeper or ward staff may pack; a crew badge may not', () => {
    const knownBadges = new Map([
      [KEEPER, { name: 'Wang', roles: ['keeper' as const] }],
      ['crew-1', { name: 'Chen', roles: ['crew' as const] }],
    ]);
    const s = new Station({ role: 'storage', room: 'STORE-1', mode: 'pack', knownBadges, refuseUnknownBadges: true });
    s.tag(BOX_1).tag(BAG_A).badge('crew-1');
    expect(s.notice).toBe('BADGE_NOT_ALLOWED');
    s.badge(KEEPER);
    expect(s.committed).toHaveLength(1);
  });

  it('a box left without bags times out and nothing is written; cancel drops it too', () => {
    const s = new Station({ role: 'storage', room: 'STORE-1', mode: 'unpack' }).tag(BOX_1).tick(61_000);
    expect(s.notice).toBe('TIMEOUT');
    expect(s.state.tx).toBeUndefined();
    s.tag(BOX_1).tag(BAG_A).send({ kind: 'cancel' });
    expect(s.notice).toBe('CANCELLED');
    expect(s.committed).toEqual([]);
  });
});
