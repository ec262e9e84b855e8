/** The transfer manifest's steps at the stations: submitted whole, checked against the record format, signed once. */
import { describe, expect, it } from 'vitest';
import { BAG_A, BAG_B, KEEPER, OPERATOR, Station } from './drive.ts';

const g = (value: number) => ({ value, unit: 'g' as const });
const ISSUE = {
  type: 'manifest-issued' as const,
  body: {
    manifest: 'ZY20260302-H01',
    version: 1,
    producer: 'hz-h001',
    transporter: 'hz-t01',
    receiver: 'hz-d01',
    vehicle: '浙A27819',
    bags: [
      { tag: BAG_A, category: 'infectious', weight: g(1200) },
      { tag: BAG_B, category: 'sharps', weight: g(600) },
    ],
    weight: g(1800),
    issuer: KEEPER,
  },
};
const RECEIPT = {
  type: 'manifest-received' as const,
  body: { manifest: 'ZY20260302-H01', vehicle: '浙A27819', accepted: [{ tag: BAG_A, weight: g(1190) }], refused: [{ tag: BAG_B, weight: g(600), reason: '包装破损 leaking' }], operator: OPERATOR },
};

describe('manifest steps', () => {
  it('the storage station issues a manifest: one manifest-issued record, as submitted, and says so', () => {
    const s = new Station({ role: 'storage', room: 'STORE-1' });
    s.send({ kind: 'manifest', event: ISSUE });
    expect(s.committed).toEqual([ISSUE]);
    expect(s.notice).toBe('MANIFEST_SIGNED');
    expect(s.state.notice?.params).toEqual({ seq: 1, manifest: 'ZY20260302-H01', step: 'manifest-issued' });
    expect(s.state.step).toBe('idle');
    expect(s.state.last).toMatchObject({ seq: 1, type: 'manifest-issued' });
    // The station goes on with its bags as before.
    s.tag(BAG_A).weigh(1200).badge(KEEPER);
    expect(s.committed.map((e) => e.type)).toEqual(['manifest-issued', 'stored']);
  });

  it('the disposal station signs the receipt with refusals, then the closing', () => {
    const s = new Station({ role: 'disposal' });
    s.send({ kind: 'manifest', event: RECEIPT }).send({ kind: 'manifest', event: { type: 'manifest-closed', body: { manifest: 'ZY20260302-H01', outcome: 'processed', operator: OPERATOR } } });
    expect(s.committed.map((e) => e.type)).toEqual(['manifest-received', 'manifest-closed']);
    expect(s.committed[0]).toEqual(RECEIPT);
  });

  it('refuses a step the station may not sign, a step in the middle of a handover, and a body that is not a record body', () => {
    const storage = new Station({ role: 'storage', room: 'STORE-1' });
    storage.send({ kind: 'manifest', event: RECEIPT });
    expect(storage.notice).toBe('NOT_IN_THIS_MODE');
    const disposal = new Station({ role: 'disposal' });
    disposal.send({ kind: 'manifest', event: ISSUE });
    expect(disposal.notice).toBe('NOT_IN_THIS_MODE');

    storage.tag(BAG_A);
    storage.send({ kind: 'manifest', event: ISSUE });
    expect(storage.notice).toBe('FINISH_FIRST');
    expect(storage.state.tx?.bags).toHaveLength(1);

    const fresh = new Station({ role: 'storage', room: 'STORE-1' });
    fresh.send({ kind: 'manifest', event: { type: 'manifest-issued', body: { ...ISSUE.body, weight: { value: 1.8, unit: 'kg' } } } });
    expect(fresh.notice).toBe('MANIFEST_INVALID');
    expect(String(fresh.state.notice?.params?.reason)).toMatch(/weight/);
    fresh.send({ kind: 'manifest', event: { type: 'manifest-issued', body: { ...ISSUE.body, bags: [] } } });
    expect(fresh.notice).toBe('MANIFEST_INVALID');
    expect([...storage.committed, ...disposal.committed, ...fresh.committed]).toEqual([]);
  });

  it('a failed write says so, records nothing, and leaves the station ready', () => {
    const s = new Station({ role: 'storage', room: 'STORE-1' });
    s.failNext = new Error('disk full');
    s.send({ kind: 'manifest', event: ISSUE });
    expect(s.notice).toBe('STORE_FAILED');
    expect(s.committed).toEqual([]);
    expect(s.state.step).toBe('idle');
    s.send({ kind: 'manifest', event: ISSUE });
    expect(s.committed).toEqual([ISSUE]);
  });

  it('while the step is written, nothing else gets in', () => {
    const s = new Station({ role: 'storage', room: 'STORE-1' });
    const out = s.wf.next(s.state, { kind: 'manifest', event: ISSUE }, s.now);
    expect(out.state.step).toBe('saving');
    expect(s.wf.next(out.state, { kind: 'tag', tagId: BAG_A, source: 'rfid', history: [] }, s.now).state.tx).toBeUndefined();
    expect(out.effects).toEqual([{ kind: 'commit', event: ISSUE }]);
  });
});
