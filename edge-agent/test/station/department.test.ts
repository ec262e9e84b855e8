import { encodeBagLabel } from '@wastetrail/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { BAG_A, BAG_B, Station, STAFF } from './drive.ts';

const dept = (extra = {}) => new Station({ role: 'department', department: 'ICU', ...extra });
const label = (category: 'infectious' | 'sharps', serial = '42') => {
  const r = encodeBagLabel({ institution: 'H330106', department: 'ICU', category, date: '2026-03-02', serial });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

describe('department station: seal a bag', () => {
  it('tag -> category -> stable weight -> staff badge writes one sealed record', () => {
    const s = dept();
    expect(s.prompt).toBe('PLACE_BAG');
    s.tag(BAG_A);
    expect(s.prompt).toBe('CHOOSE_CATEGORY');
    s.send({ kind: 'category', category: 'infectious' });
    expect(s.prompt).toBe('WAIT_WEIGHT');
    s.send({ kind: 'weight', grams: 1100, stable: false }, 100);
    expect(s.prompt).toBe('WAIT_WEIGHT');
    s.send({ kind: 'weight', grams: 1250, stable: true }, 300);
    expect(s.prompt).toBe('TAP_STAFF_BADGE');
    expect(s.committed).toHaveLength(0);
    s.badge(STAFF);
    expect(s.committed).toEqual([
      { type: 'sealed', body: { tags: [BAG_A], category: 'infectious', weight: { value: 1250, unit: 'g' }, department: 'ICU', staff: STAFF } },
    ]);
    expect(s.notice).toBe('SEALED');
    expect(s.state.notice?.params).toMatchObject({ seq: 1, grams: 1250, category: 'infectious' });
    expect(s.prompt).toBe('PLACE_BAG');
    expect(s.state.tx).toBeUndefined();
  });

  it('takes a weight that was already steady when the category is chosen', () => {
    const s = dept().weigh(800).tag(BAG_A).send({ kind: 'category', category: 'sharps' });
    expect(s.prompt).toBe('TAP_STAFF_BADGE');
    s.badge(STAFF);
    expect(s.committed[0]).toMatchObject({ body: { weight: { value: 800 }, category: 'sharps' } });
  });

  it('a scanned label gives the category and may not be overridden; its RFID tag joins the same bag', () => {
    const qr = `qr:${label('sharps')}`;
    const s = dept().tag(qr, 'qr', { labelCategory: 'sharps' });
    expect(s.notice).toBe('CATEGORY_FROM_LABEL');
    expect(s.prompt).toBe('WAIT_WEIGHT');
    s.send({ kind: 'category', category: 'infectious' });
    expect(s.notice).toBe('CATEGORY_MISMATCH');
    expect(s.state.tx?.category).toBe('sharps');
    s.weigh(640).badge(STAFF);
    expect(s.committed[0]).toMatchObject({ type: 'sealed', body: { tags: [qr], category: 'sharps', weight: { value: 640 } } });

    const both = dept().tag(BAG_A).tag(qr, 'qr', { labelCategory: 'sharps' }).weigh(300).badge(STAFF);
    expect(both.committed[0]).toMatchObject({ body: { tags: [BAG_A, qr], category: 'sharps' } });
  });

  it('a bag scanned by its label first is then put on the scale: its RFID tag joins it, a second one does not', () => {
    const qr = `qr:${label('infectious', '7')}`;
    const s = dept().tag(qr, 'qr', { labelCategory: 'infectious' }).tag(BAG_A);
    expect(s.notice).toBe('BAG_ADDED');
    expect(s.state.tx?.bags.map((b) => b.tagId)).toEqual([qr, BAG_A]);
    s.tag(BAG_B);
    expect(s.notice).toBe('TWO_BAGS');
    expect(s.state.tx).toBeUndefined();
  });

  it('a label of another category than the one chosen is refused and not added', () => {
    const s = dept().tag(BAG_A).send({ kind: 'category', category: 'infectious' }).tag(`qr:${label('sharps', '9')}`, 'qr', { labelCategory: 'sharps' });
    expect(s.notice).toBe('CATEGORY_MISMATCH');
    expect(s.state.tx?.bags).toHaveLength(1);
    expect(s.state.tx?.category).toBe('infectious');
  });

  it('a label scanned with the bag already steady on the scale goes straight to the badge', () => {
    const s = dept().weigh(450).tag(`qr:${label('infectious', '11')}`, 'qr', { labelCategory: 'infectious' });
    expect(s.prompt).toBe('TAP_STAFF_BADGE');
    s.badge(STAFF);
    expect(s.committed[0]).toMatchObject({ body: { weight: { value: 450 }, category: 'infectious' } });
  });

  it('a scan that is not one of our labels is refused and starts nothing', () => {
    const s = dept().send({ kind: 'unreadable-label', reason: 'BAD_CHECK' });
    expect(s.notice).toBe('NOT_A_BAG_LABEL');
    expect(s.state.tx).toBeUndefined();
  });

  it('refuses a bag already sealed at this station', () => {
    const s = dept().tag(BAG_A).send({ kind: 'category', category: 'infectious' }).weigh(500).badge(STAFF);
    s.send({ kind: 'tag-lost', tagId: BAG_A }).unload();
    s.tag(BAG_A);
    expect(s.notice).toBe('ALREADY_SEALED');
    expect(s.state.tx).toBeUndefined();
    expect(s.committed).toHaveLength(1);
  });

  it('ignores sealed bags lying near the reader while another bag is sealed', () => {
    const s = dept().tag(BAG_A).send({ kind: 'category', category: 'infectious' }).weigh(500).badge(STAFF).unload();
    s.tag(BAG_B).send({ kind: 'category', category: 'chemical' });
    s.send({ kind: 'tag-lost', tagId: BAG_A }).tag(BAG_A);
    expect(s.state.tx?.bags.map((b) => b.tagId)).toEqual([BAG_B]);
    s.weigh(900).badge(STAFF);
    expect(s.committed[1]).toMatchObject({ body: { tags: [BAG_B], weight: { value: 900 } } });
  });

  it('never reuses the last bag\'s weight: the next bag waits for its own load', () => {
    const s = dept().tag(BAG_A).send({ kind: 'category', category: 'infectious' }).weigh(500).badge(STAFF);
    // Bag A is still on the scale, steady at 500 g; bag B's tag is scanned.
    s.tag(BAG_B).send({ kind: 'category', category: 'infectious' });
    s.send({ kind: 'weight', grams: 500, stable: true }, 100);
    expect(s.prompt).toBe('WAIT_WEIGHT');
    s.badge(STAFF);
    expect(s.notice).toBe('WEIGHT_FIRST');
    s.weigh(1200).badge(STAFF);
    expect(s.committed.map((e) => (e.body as { weight: { value: number } }).weight.value)).toEqual([500, 1200]);
  });

  it('weight never stable: cancelled after the weighing timeout, nothing written', () => {
    const s = dept().tag(BAG_A).send({ kind: 'category', category: 'infectious' });
    for (let i = 0; i < 10; i++) s.send({ kind: 'weight', grams: 1000 + (i % 2) * 40, stable: false }, 900);
    s.tick(500);
    expect(s.state.tx).toBeDefined();
    s.tick(1000);
    expect(s.notice).toBe('WEIGHT_UNSTABLE');
    expect(s.state.notice?.level).toBe('refusal');
    expect(s.state.tx).toBeUndefined();
    expect(s.prompt).toBe('PLACE_BAG');
    expect(s.committed).toHaveLength(0);
  });

  it('an empty scale or an offline scale is named as such at the weighing timeout', () => {
    const empty = dept().tag(BAG_A).send({ kind: 'category', category: 'infectious' }).send({ kind: 'weight', grams: 0, stable: true }).tick(10_000);
    expect(empty.notice).toBe('WEIGHT_TOO_LOW');
    const offline = dept().tag(BAG_A).send({ kind: 'category', category: 'infectious' }).send({ kind: 'weight', stable: false }).tick(10_000);
    expect(offline.notice).toBe('SCALE_OFFLINE');
    expect(empty.committed.length + offline.committed.length).toBe(0);
  });

  it('the weighing clock starts at the weighing step, not at the tag', () => {
    const s = dept().tag(BAG_A).tick(9_000).send({ kind: 'category', category: 'infectious' }).tick(9_000);
    expect(s.state.tx).toBeDefined();
    expect(s.wf.nextDeadline(s.state)).toBe(s.now - 9_000 + 10_000);
  });

  it('unknown badge is refused and the bag waits for a registered one', () => {
    const knownBadges = new Map([[STAFF, { name: 'Li Na', roles: ['staff' as const] }]]);
    const s = dept({ knownBadges, refuseUnknownBadges: true }).tag(BAG_A).send({ kind: 'category', category: 'infectious' }).weigh(700);
    s.badge('giai:0614141.999999');
    expect(s.notice).toBe('UNKNOWN_BADGE');
    expect(s.state.tx).toBeDefined();
    expect(s.committed).toHaveLength(0);
    s.badge(STAFF);
    expect(s.committed[0]).toMatchObject({ body: { staff: STAFF } });
    expect(s.state.notice?.params).toMatchObject({ seq: 1 });
  });

  it('a registered badge without the staff role may not seal', () => {
    const knownBadges = new Map([['giai:0614141.400001', { name: 'Crew Wang', roles: ['crew' as const] }]]);
    const s = dept({ knownBadges }).tag(BAG_A).send({ kind: 'category', category: 'infectious' }).weigh(700).badge('giai:0614141.400001');
    expect(s.notice).toBe('BADGE_NOT_ALLOWED');
    expect(s.committed).toHaveLength(0);
  });

  it('tag lost before the badge: cancelled, nothing written', () => {
    const s = dept().tag(BAG_A).send({ kind: 'category', category: 'infectious' }).weigh(700);
    s.send({ kind: 'tag-lost', tagId: BAG_A });
    expect(s.notice).toBe('TAG_LOST');
    expect(s.state.tx).toBeUndefined();
    s.badge(STAFF);
    expect(s.notice).toBe('SCAN_BAG_FIRST');
    expect(s.committed).toHaveLength(0);
  });

  it('a second unsealed bag during a seal cancels it: one bag at a time', () => {
    const s = dept().tag(BAG_A).send({ kind: 'category', category: 'infectious' }).tag(BAG_B);
    expect(s.notice).toBe('TWO_BAGS');
    expect(s.state.tx).toBeUndefined();
  });

  it('cancel drops the transaction', () => {
    const s = dept().tag(BAG_A).send({ kind: 'category', category: 'infectious' }).weigh(700).send({ kind: 'cancel' });
    expect(s.notice).toBe('CANCELLED');
    expect(s.state.tx).toBeUndefined();
    s.badge(STAFF);
    expect(s.committed).toHaveLength(0);
  });

  it('times out when nothing happens for the step timeout', () => {
    const s = dept().tag(BAG_A).tick(59_000);
    expect(s.state.tx).toBeDefined();
    s.tick(1_000);
    expect(s.notice).toBe('TIMEOUT');
    expect(s.state.tx).toBeUndefined();
    expect(s.wf.nextDeadline(s.state)).toBeUndefined();
  });

  it('every accepted input moves the step deadline on', () => {
    const s = dept().tag(BAG_A).tick(50_000).send({ kind: 'category', category: 'infectious' });
    s.send({ kind: 'weight', grams: 600, stable: true }, 100).tick(50_000);
    expect(s.prompt).toBe('TAP_STAFF_BADGE');
    s.tick(10_000);
    expect(s.notice).toBe('TIMEOUT');
  });

  it('badges out of order are refused with what to do first', () => {
    const s = dept();
    s.badge(STAFF);
    expect(s.notice).toBe('SCAN_BAG_FIRST');
    s.tag(BAG_A).badge(STAFF);
    expect(s.notice).toBe('CATEGORY_FIRST');
    s.send({ kind: 'category', category: 'infectious' }).badge(STAFF);
    expect(s.notice).toBe('WEIGHT_FIRST');
    expect(s.committed).toHaveLength(0);
  });

  it('a failed commit is reported and leaves nothing half done', () => {
    const s = dept().tag(BAG_A).send({ kind: 'category', category: 'infectious' }).weigh(700);
    s.failNext = new Error('disk I/O error');
    s.badge(STAFF);
    expect(s.notice).toBe('STORE_FAILED');
    expect(s.state.notice?.params).toMatchObject({ reason: 'disk I/O error' });
    expect(s.state.tx).toBeUndefined();
    expect(s.committed).toHaveLength(0);
    // The weight was never used: the same bag can be sealed again at once.
    s.tag(BAG_B).send({ kind: 'category', category: 'infectious' }).badge(STAFF);
    expect(s.committed).toHaveLength(1);
  });

  it('category and details of other modes are not accepted here', () => {
    const s = dept().send({ kind: 'detail', field: 'manifest', value: 'M1' });
    expect(s.notice).toBe('NOT_IN_THIS_MODE');
    s.send({ kind: 'mode', mode: 'store-in' });
    expect(s.notice).toBe('NOT_IN_THIS_MODE');
    expect(s.state.mode).toBe('seal');
  });

  it('refuses to build a department station without its department code', () => {
    expect(() => new Station({ role: 'department' })).toThrow(/department code/);
  });
});
