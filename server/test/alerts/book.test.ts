/** The alert book over real rule evaluations: dedupe, severity, clearing, recurrence, resolution. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { acknowledgeAlert, advanceAlerts, escalationPolicyFor, reconcileAlerts, resolveAlert, type Alert } from '../../src/alerts/index.ts';
import { BAG_RULES, evaluateRules, findings, integrityAlert, ruleConfig, type RuleId } from '../../src/rules/index.ts';
import { at, H, HOSPITAL, inputs, INSTITUTIONS, MIN, RecordBook, tag } from '../rules/support.ts';
import { fakeCandidate, MemoryAlerts } from './support.ts';

const T = at('2026-03-02T02:00:00.000Z');
const config = ruleConfig();
const policy = escalationPolicyFor(config, INSTITUTIONS);
// The storage room would also be overdue for collection at 48 h: these stories follow the bag alone.
const STORAGE: RuleId[] = ['storage-overdue'];

/** One server tick: evaluate everything, fold it into the book, escalate. */
function tick(store: MemoryAlerts, book: RecordBook, nowMs: number, rules?: readonly RuleId[]) {
  const evaluation = evaluateRules(inputs({ nowMs, trails: book.trails(), ...(rules ? { rules } : {}) }, config));
  const changes = advanceAlerts(store.alerts, evaluation, policy);
  store.apply(changes);
  return changes;
}

function act(store: MemoryAlerts, r: ReturnType<typeof acknowledgeAlert>) {
  if (!r.ok) throw new Error(r.error.message);
  store.put(r.alert);
  store.effects.push(...r.effects);
}

describe('a bag left in storage, from warning to resolution', () => {
  it('opens once, rises to critical on the same alert, escalates, marks the clearing, and waits for a person', () => {
    const book = new RecordBook();
    book.seal(tag(1), T - 2 * H);
    book.store([{ tag: tag(1) }], 1000, T);
    const store = new MemoryAlerts();
    const key = `storage-overdue:bag:${tag(1)}`;

    expect(tick(store, book, T + 35 * H + 59 * MIN, STORAGE).effects).toEqual([]);
    expect(tick(store, book, T + 36 * H, STORAGE).effects).toEqual([{ kind: 'opened', dedupeKey: key, severity: 'warning', level: 1, audience: 'handler' }]);
    expect(store.only(key)).toMatchObject({ status: 'open', severity: 'warning', escalationLevel: 1, openedAtMs: T + 36 * H, institution: HOSPITAL, jurisdiction: '330106-g01' });

    // The next tick updates the same alert: no second alert, no effect.
    expect(tick(store, book, T + 37 * H, STORAGE).effects).toEqual([]);
    expect(store.only(key).details.params.hours).toBe(37);

    act(store, acknowledgeAlert(store.only(key), { by: 'keeper-7', nowMs: T + 38 * H }));
    const raised = tick(store, book, T + 48 * H, STORAGE);
    expect(raised.opened).toEqual([]);
    expect(raised.effects).toEqual([{ kind: 'severity-raised', alertId: 'a001', dedupeKey: key, from: 'warning', to: 'critical', reopened: true, level: 1, audience: 'handler' }]);
    expect(store.only(key)).toMatchObject({ status: 'open', severity: 'critical', details: { awaitingAckSinceMs: T + 48 * H, raised: [{ from: 'warning', to: 'critical', acknowledgedBy: 'keeper-7' }] } });
    expect(store.only(key).acknowledgedBy).toBeUndefined();

    // Nobody acknowledges the critical alert: the head after an hour, the regulator after four.
    expect(tick(store, book, T + 49 * H, STORAGE).effects).toMatchObject([{ kind: 'escalated', level: 2, audience: 'institution-head' }]);
    expect(tick(store, book, T + 52 * H, STORAGE).effects).toMatchObject([{ kind: 'escalated', level: 3, audience: 'regulator' }]);

    // The bag leaves: the alert stays open, marked as cleared, for someone to resolve with a note.
    book.pickUp([{ tag: tag(1) }], 1000, T + 53 * H);
    book.receive([{ tag: tag(1) }], 1000, T + 54 * H);
    expect(tick(store, book, T + 55 * H, STORAGE).effects).toEqual([{ kind: 'condition-cleared', alertId: 'a001', dedupeKey: key, atMs: T + 55 * H }]);
    expect(store.only(key)).toMatchObject({ status: 'open', escalationLevel: 3, details: { conditionClearedAtMs: T + 55 * H } });
    expect(tick(store, book, T + 56 * H, STORAGE).effects).toEqual([]);

    expect(resolveAlert(store.only(key), { by: 'head-1', note: '', nowMs: T + 57 * H }).ok).toBe(false);
    act(store, resolveAlert(store.only(key), { by: 'head-1', note: 'Crew came late: contract reminder sent.', nowMs: T + 57 * H }));
    expect(tick(store, book, T + 60 * H)).toEqual({ opened: [], updated: [], effects: [] });
    expect(store.alerts).toHaveLength(1);
  });
});

describe('resolved alerts and recurrence', () => {
  it('a resolved alert stays resolved while its condition persists, and a new one opens when it worsens', () => {
    const book = new RecordBook();
    book.seal(tag(2), T - 2 * H);
    book.store([{ tag: tag(2) }], 1000, T);
    const store = new MemoryAlerts();
    const key = `storage-overdue:bag:${tag(2)}`;
    tick(store, book, T + 36 * H, STORAGE);
    act(store, resolveAlert(store.only(key), { by: 'head-1', note: 'Pickup booked for tomorrow morning.', nowMs: T + 37 * H }));
    expect(tick(store, book, T + 40 * H, STORAGE).effects).toEqual([]);
    expect(store.withKey(key)).toHaveLength(1);

    expect(tick(store, book, T + 48 * H, STORAGE).effects).toEqual([{ kind: 'opened', dedupeKey: key, severity: 'critical', level: 1, audience: 'handler' }]);
    expect(store.withKey(key).map((a) => [a.status, a.severity])).toEqual([['resolved', 'warning'], ['open', 'critical']]);
  });

  it('a site whose waste was collected and then left again gets a new alert', () => {
    const book = new RecordBook();
    book.seal(tag(3), T - H);
    book.store([{ tag: tag(3) }], 1000, T);
    const store = new MemoryAlerts();
    const key = `collection-overdue:site:${HOSPITAL}/R1`;
    tick(store, book, T + 48 * H, ['collection-overdue']);
    act(store, resolveAlert(store.only(key), { by: 'regulator-3', note: 'Disposal unit warned.', nowMs: T + 49 * H }));
    expect(tick(store, book, T + 50 * H, ['collection-overdue']).opened).toEqual([]);

    book.pickUp([{ tag: tag(3) }], 1000, T + 51 * H);
    const cleared = tick(store, book, T + 52 * H, ['collection-overdue']);
    expect(cleared.effects).toEqual([]); // resolved already: recorded, nobody told
    expect(store.only(key).details.conditionClearedAtMs).toBe(T + 52 * H);

    book.seal(tag(4), T + 60 * H);
    book.store([{ tag: tag(4) }], 1000, T + 61 * H);
    expect(tick(store, book, T + 61 * H + 47 * H, ['collection-overdue']).opened).toEqual([]);
    expect(tick(store, book, T + 61 * H + 48 * H, ['collection-overdue']).effects).toMatchObject([{ kind: 'opened', dedupeKey: key }]);
    expect(store.withKey(key).map((a) => a.status)).toEqual(['resolved', 'open']);
  });

  it('tells a recurrence by a later start even when the clearing was never seen', () => {
    const store = new MemoryAlerts();
    store.apply(reconcileAlerts([], findings(100, [fakeCandidate({ rule: 'device-silent', subject: 'device:k1', sinceMs: 10 })])));
    act(store, resolveAlert(store.alerts[0]!, { by: 'h', note: 'power cut', nowMs: 200 }));
    expect(reconcileAlerts(store.alerts, findings(300, [fakeCandidate({ rule: 'device-silent', subject: 'device:k1', sinceMs: 10 })])).opened).toEqual([]);
    expect(reconcileAlerts(store.alerts, findings(300, [fakeCandidate({ rule: 'device-silent', subject: 'device:k1', sinceMs: 250 })])).opened).toHaveLength(1);
  });

  it('an event rule opens a new alert for new evidence after resolution, not for the same', () => {
    const book = new RecordBook();
    book.seal(tag(5), T);
    book.store([{ tag: tag(5) }], 1000, T + H);
    book.collect([{ tag: tag(5) }], 1000, T + 2 * H);
    const store = new MemoryAlerts();
    const key = `out-of-order:bag:${tag(5)}`;
    tick(store, book, T + 3 * H, BAG_RULES);
    act(store, resolveAlert(store.only(key), { by: 'head-1', note: 'Collector trained.', nowMs: T + 4 * H }));
    expect(tick(store, book, T + 5 * H, BAG_RULES).opened).toEqual([]);
    book.collect([{ tag: tag(5) }], 1000, T + 6 * H);
    expect(tick(store, book, T + 7 * H, BAG_RULES).effects).toMatchObject([{ kind: 'opened', dedupeKey: key, severity: 'warning' }]);
  });
});

describe('dedupe and severity', () => {
  it('never lets severity fall silently: the alert keeps its peak and shows the current one', () => {
    const store = new MemoryAlerts();
    store.apply(reconcileAlerts([], findings(1, [fakeCandidate({ severity: 'critical' })])));
    const r = reconcileAlerts(store.alerts, findings(2, [fakeCandidate({ severity: 'warning', message: 'now a warning' })]));
    expect(r.effects).toEqual([]);
    expect(r.updated[0]).toMatchObject({ severity: 'critical', details: { currentSeverity: 'warning', message: 'now a warning' } });
  });

  it('folds the same key twice in one batch into one new alert, and merges evidence on later updates', () => {
    const finding = (seq: number, nowMs: number) =>
      integrityAlert({ code: 'BAD_SIGNATURE', message: 'bad', device: 'k1', seq, institution: HOSPITAL, jurisdiction: '330106-g01', hash: seq.toString(16).padStart(64, '0'), detectedAtMs: nowMs })!;
    const store = new MemoryAlerts();
    const gap = integrityAlert({ code: 'BAD_SIGNATURE', message: 'bad', device: 'k1', seq: 6, institution: HOSPITAL, detectedAtMs: 100 })!;
    const first = reconcileAlerts(store.alerts, findings(100, [finding(7, 100), { ...gap, severity: 'warning' }, finding(8, 100)]));
    expect(first.opened).toHaveLength(1);
    expect(first.opened[0]).toMatchObject({ severity: 'critical', details: { currentSeverity: expect.any(String) } });
    expect(first.opened[0]!.details.raised).toBeUndefined();
    expect(first.effects).toEqual([{ kind: 'opened', dedupeKey: 'integrity:device:k1/BAD_SIGNATURE', severity: 'critical', level: 1, audience: 'handler' }]);
    store.apply(first);
    store.apply(reconcileAlerts(store.alerts, findings(200, [finding(9, 200)])));
    expect(store.only('integrity:device:k1/BAD_SIGNATURE').details.evidence.map((e) => e.seq)).toEqual([6, 7, 8, 9]);
  });

  it('marks a condition that comes back on an alert still open', () => {
    const store = new MemoryAlerts();
    const c = fakeCandidate({ rule: 'device-silent', subject: 'device:k1', device: 'k1' });
    store.apply(reconcileAlerts([], findings(1, [c])));
    const cleared = reconcileAlerts(store.alerts, { nowMs: 2, candidates: [], evaluated: { rules: ['device-silent'], subjects: ['device:k1'] } });
    store.apply(cleared);
    expect(cleared.effects).toMatchObject([{ kind: 'condition-cleared' }]);
    const back = reconcileAlerts(store.alerts, findings(3, [c]));
    expect(back.effects).toMatchObject([{ kind: 'condition-returned', alertId: 'a001' }]);
    expect(back.updated[0]!.details.conditionClearedAtMs).toBeUndefined();
  });
});

describe('what an evaluation did not look at stays as it was', () => {
  it('evaluation after one record (bag rules) neither clears a site alert nor a device alert', () => {
    const store = new MemoryAlerts();
    store.apply(reconcileAlerts([], findings(1, [fakeCandidate({ rule: 'collection-overdue', subject: `site:${HOSPITAL}/R1` }), fakeCandidate({ rule: 'device-silent', subject: 'device:k1' })])));
    const book = new RecordBook();
    book.seal(tag(6), T);
    const r = reconcileAlerts(store.alerts, evaluateRules(inputs({ nowMs: T + H, trails: book.trails(), rules: BAG_RULES }, config)));
    expect(r).toEqual({ opened: [], updated: [], effects: [] });
    // A full tick with no devices given judges no device either.
    const full = reconcileAlerts(store.alerts, evaluateRules(inputs({ nowMs: T + H, trails: book.trails() }, config)));
    expect(full.effects).toEqual([]);
  });

  it('ingest findings never clear anything', () => {
    const store = new MemoryAlerts();
    store.apply(reconcileAlerts([], findings(1, [fakeCandidate()])));
    expect(reconcileAlerts(store.alerts, findings(2, []))).toEqual({ opened: [], updated: [], effects: [] });
  });
});

describe('reconcileAlerts is independent of input order', () => {
  it('gives the same changes whatever order the alerts and candidates come in', () => {
    const subjects = ['bag:a', 'bag:b', 'bag:c', 'device:k1'];
    const alertArb = fc.record({
      subject: fc.constantFrom(...subjects),
      status: fc.constantFrom('open' as const, 'acknowledged' as const, 'resolved' as const),
      severity: fc.constantFrom('info' as const, 'warning' as const, 'critical' as const),
      openedAtMs: fc.integer({ min: 0, max: 1000 }),
      sinceMs: fc.integer({ min: 0, max: 1000 }),
      cleared: fc.boolean(),
    });
    const candArb = fc.record({ subject: fc.constantFrom(...subjects), severity: fc.constantFrom('info' as const, 'warning' as const, 'critical' as const), sinceMs: fc.integer({ min: 0, max: 1000 }) });
    fc.assert(
      fc.property(fc.array(alertArb, { maxLength: 6 }), fc.uniqueArray(candArb, { maxLength: 4, selector: (c) => c.subject }), fc.boolean(), (as, cs, judged) => {
        const rule = (s: string) => (s.startsWith('bag:') ? 'storage-overdue' : 'device-silent') as RuleId;
        // At most one alert per key not yet resolved, as the table's unique index guarantees.
        const activeSeen = new Set<string>();
        const alerts: Alert[] = as.flatMap((a, i) => {
          const status = a.status !== 'resolved' && activeSeen.has(a.subject) ? 'resolved' : a.status;
          if (status !== 'resolved') activeSeen.add(a.subject);
          const base = reconcileAlerts([], findings(a.openedAtMs, [fakeCandidate({ rule: rule(a.subject), subject: a.subject, severity: a.severity, sinceMs: a.sinceMs })])).opened[0]!;
          return [{ ...base, id: `a${i}`, status, details: { ...base.details, ...(a.cleared ? { conditionClearedAtMs: a.openedAtMs } : {}) } }];
        });
        const candidates = cs.map((c) => fakeCandidate({ rule: rule(c.subject), subject: c.subject, severity: c.severity, sinceMs: c.sinceMs }));
        const evaluation = { nowMs: 2000, candidates, evaluated: judged ? { rules: ['storage-overdue', 'device-silent'] as RuleId[], subjects } : { rules: [], subjects: [] } };
        const expected = reconcileAlerts(alerts, evaluation);
        const reversed = reconcileAlerts([...alerts].reverse(), { ...evaluation, candidates: [...candidates].reverse() });
        expect(reversed).toEqual(expected);
        // One alert at most per key not yet resolved, after the changes.
        const after = new MemoryAlerts();
        after.alerts = alerts;
        after.apply(expected);
        const active = after.alerts.filter((a) => a.status !== 'resolved').map((a) => a.dedupeKey);
        expect(new Set(active).size).toBe(active.length);
      }),
      { numRuns: 200 },
    );
  });
});
