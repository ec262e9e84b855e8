import { describe, expect, it } from 'vitest';
import { acknowledgeAlert, draftFrom, resolveAlert, type Alert } from '../../src/alerts/index.ts';
import { fakeCandidate } from './support.ts';

const open = (): Alert => ({ id: 'a1', ...draftFrom(fakeCandidate(), 10_000) });

describe('alert lifecycle: open -> acknowledged -> resolved', () => {
  it('acknowledges an open alert once, and resolves it with a note', () => {
    const ack = acknowledgeAlert(open(), { by: 'keeper-7', nowMs: 20_000 });
    if (!ack.ok) throw new Error(ack.error.message);
    expect(ack.alert).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'keeper-7', acknowledgedAtMs: 20_000 });
    expect(ack.effects).toEqual([{ kind: 'acknowledged', alertId: 'a1', dedupeKey: ack.alert.dedupeKey, by: 'keeper-7' }]);
    expect(acknowledgeAlert(ack.alert, { by: 'someone', nowMs: 21_000 })).toMatchObject({ ok: false, error: { code: 'ALREADY_ACKNOWLEDGED' } });

    const done = resolveAlert(ack.alert, { by: 'head-1', note: '  Picked up by the crew at 14:00; manifest HZ-17.  ', nowMs: 30_000 });
    if (!done.ok) throw new Error(done.error.message);
    expect(done.alert).toMatchObject({ status: 'resolved', resolvedBy: 'head-1', resolvedAtMs: 30_000, note: 'Picked up by the crew at 14:00; manifest HZ-17.', acknowledgedBy: 'keeper-7' });
    expect(resolveAlert(done.alert, { by: 'x', note: 'again', nowMs: 31_000 })).toMatchObject({ ok: false, error: { code: 'ALREADY_RESOLVED' } });
    expect(acknowledgeAlert(done.alert, { by: 'x', nowMs: 31_000 })).toMatchObject({ ok: false, error: { code: 'ALREADY_RESOLVED' } });
  });

  it('requires a note to resolve, and someone to act', () => {
    expect(resolveAlert(open(), { by: 'head-1', note: '   ', nowMs: 1 })).toMatchObject({ ok: false, error: { code: 'NOTE_REQUIRED' } });
    expect(resolveAlert(open(), { by: '', note: 'n', nowMs: 1 })).toMatchObject({ ok: false, error: { code: 'ACTOR_REQUIRED' } });
    expect(acknowledgeAlert(open(), { by: ' ', nowMs: 1 })).toMatchObject({ ok: false, error: { code: 'ACTOR_REQUIRED' } });
  });

  it('resolving an open alert directly acknowledges it at the same moment', () => {
    const done = resolveAlert(open(), { by: 'regulator-3', note: 'false alarm: test tag', nowMs: 50_000 });
    expect(done).toMatchObject({ ok: true, alert: { status: 'resolved', acknowledgedBy: 'regulator-3', acknowledgedAtMs: 50_000, resolvedAtMs: 50_000 } });
  });
});
