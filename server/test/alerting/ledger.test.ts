/**
 * The alert book over a real store: rows map to the book's alerts and back without loss, a write that
 * another writer overtook is decided again, and a commit's bags are judged at once (the onAccepted path,
 * fed directly), including bags that turn out to be another bag's tag.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertLedger, startAlerting, toAlertRow, toAlertUpdate, toBookAlert, type AlertNotice } from '../../src/alerting/index.ts';
import { escalationPolicyFor, type Alert as BookAlert } from '../../src/alerts/index.ts';
import type { AcceptedHook } from '../../src/ingest/index.ts';
import { evaluateRules, findings, ruleConfig } from '../../src/rules/index.ts';
import type { CustodyStore } from '../../src/store/index.ts';
import { commit, epc, received, registerStations, seal, seedWorld, stations } from '../bags/support.ts';
import { openTempSqlite, type TestStore } from '../store/open.ts';
import { fakeCandidate } from '../alerts/support.ts';

const H = 3_600_000;
const T = Date.parse('2026-03-02T02:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

let opened: TestStore;
let store: CustodyStore;
beforeEach(async () => {
  opened = await openTempSqlite();
  store = opened.store;
  await seedWorld(store);
});
afterEach(async () => {
  await opened.cleanup();
});

describe('rows and the book', () => {
  it('maps an alert with its whole history to a row and back', async () => {
    const book: BookAlert = {
      id: 0,
      rule: 'storage-overdue',
      severity: 'critical',
      dedupeKey: 'storage-overdue:bag:epc:01020304',
      institution: 'hz-h001',
      jurisdiction: '',
      bag: 'epc:01020304',
      status: 'open',
      escalationLevel: 3,
      openedAtMs: T,
      note: 'n',
      details: {
        subject: 'bag:epc:01020304',
        message: 'm',
        messageKey: 'storage-overdue',
        params: { hours: 48.5, bag: 'epc:01020304' },
        evidence: [{ device: 'd1', seq: 1, hash: '0'.repeat(64) }, { device: 'd1', seq: 2 }],
        sinceMs: T - H,
        currentSeverity: 'warning',
        awaitingAckSinceMs: T + 2 * H,
        conditionClearedAtMs: T + 5 * H,
        raised: [{ atMs: T + 2 * H, from: 'warning', to: 'critical', acknowledgedBy: 'k', acknowledgedAtMs: T + H }],
        escalations: [{ level: 2, atMs: T + 3 * H }, { level: 3, atMs: T + 4 * H }],
      },
    };
    const row = (await store.insertAlert(toAlertRow(book)))!;
    expect(row).toMatchObject({ institution: 'hz-h001', jurisdiction: null, device: null, title: 'm', since: iso(T - H), awaitingAckSince: iso(T + 2 * H), conditionClearedAt: iso(T + 5 * H), occurrences: 1, lastSeenAt: iso(T) });
    expect(toBookAlert(row)).toEqual({ ...book, id: row.id });
    // Written back, what only the row knows stays: the acknowledgement note goes with the rise that undid it.
    const acked = (await store.updateAlert({ ...row, acknowledgeNote: 'on my way' }))!;
    const raisedAgain = { ...toBookAlert(acked), details: { ...toBookAlert(acked).details, raised: [...book.details.raised!, { atMs: T + 6 * H, from: 'critical' as const, to: 'critical' as const, acknowledgedBy: 'k2' }] } };
    expect(toAlertUpdate(raisedAgain, acked).details).toMatchObject({ raised: [{ acknowledgedBy: 'k' }, { acknowledgedBy: 'k2', acknowledgeNote: 'on my way' }] });
  });
});

describe('writes another writer overtook', () => {
  it('decide again: an acknowledgement made while a tick was deciding is kept, and escalation stops', async () => {
    const config = ruleConfig();
    const ledger = new AlertLedger(store);
    const candidate = fakeCandidate({ institution: 'hz-h001', sinceMs: T });
    await ledger.file(findings(T, [candidate]));
    const [alert] = await store.alerts();
    // A person acknowledges between the tick's read and its write.
    let interfered = false;
    const racing: CustodyStore = Object.create(store, {
      updateAlert: {
        value: async (a: Parameters<CustodyStore['updateAlert']>[0]) => {
          if (!interfered) {
            interfered = true;
            await new AlertLedger(store).acknowledge(alert!.id, 'keeper-7', T + 7 * H);
          }
          return store.updateAlert(a);
        },
      },
    });
    const notices = await new AlertLedger(racing).file(findings(T + 9 * H, [candidate]), escalationPolicyFor(config, []));
    expect(interfered).toBe(true);
    expect(notices).toEqual([]);
    expect(await store.alert(alert!.id)).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'keeper-7', escalationLevel: 1, revision: 1, occurrences: 2 });
  });

  it('decide again: an alert another process opened first is folded into, not opened twice', async () => {
    const candidate = fakeCandidate({ institution: 'hz-h001', sinceMs: T });
    let other = false;
    const racing: CustodyStore = Object.create(store, {
      insertAlert: {
        value: async (a: Parameters<CustodyStore['insertAlert']>[0]) => {
          if (!other) {
            other = true;
            await new AlertLedger(store).file(findings(T, [candidate]));
          }
          return store.insertAlert(a);
        },
      },
    });
    const notices = await new AlertLedger(racing).file(findings(T + H, [{ ...candidate, severity: 'critical' }]));
    expect(notices.map((n) => n.effect.kind)).toEqual(['severity-raised']);
    expect((await store.alerts()).map((a) => [a.severity, a.occurrences])).toEqual([['critical', 2]]);
  });
});

describe('the commit path', () => {
  it('judges the bags a commit touched at once, and clears what was said of an id that turned out not to be a bag', async () => {
    const st = stations();
    await registerStations(store, st);
    let hook: AcceptedHook | undefined;
    const notices: AlertNotice[] = [];
    let now = T;
    const alerting = await startAlerting({
      store,
      ingest: { onAccepted: (h) => ((hook = h), () => (hook = undefined)) },
      ruleConfig: ruleConfig(),
      clock: () => now,
      tickMs: 0,
      onEffects: (n) => void notices.push(...n),
    });
    try {
      // The hook returns at once (the projection runs off ingest's path); idle() waits for its judgement.
      const accept = (records: Parameters<AcceptedHook>[0]) =>
        commit(store, records, async (rs) => {
          await hook!(rs);
          await alerting.idle();
        });
      // The disposal centre weighs in a bag by its QR label: no sealing record has arrived.
      now = T + 30 * H;
      await accept([st.line.record(received([{ tag: 'qr:L9', grams: 640 }], 640), T + 29 * H)]);
      const unknown = await store.alerts({ rule: 'unknown-origin' });
      expect(unknown).toMatchObject([{ bag: 'qr:L9', status: 'open', openedAt: iso(T + 30 * H), conditionClearedAt: null }]);
      expect(notices.map((n) => `${n.effect.kind}:${n.alert.rule}`)).toEqual(['opened:unknown-origin']);

      // The ward's sealing record arrives late: qr:L9 was the bag's second tag.
      now = T + 31 * H;
      await accept([st.ward.record(seal([epc(3), 'qr:L9'], 650), T)]);
      expect(await store.bag('qr:L9')).toBeUndefined();
      expect(await store.bag(epc(3))).toMatchObject({ state: 'received', receivedGrams: 640 });
      expect(await store.alert(unknown[0]!.id)).toMatchObject({ status: 'open', conditionClearedAt: iso(T + 31 * H) });
      expect(await store.alerts({ rule: 'unknown-origin', bag: epc(3) })).toEqual([]);

      // A later tick judges the bag from the projection: nothing about it; the cleared alert still waits
      // for a person (and climbs: cleared is not resolved).
      const tick = await alerting.tick(T + 32 * H);
      expect(tick.notices.map((n) => [n.effect.kind, n.alert.bag])).toEqual([['escalated', 'qr:L9']]);
      expect(evaluateRules({ nowMs: T + 32 * H, config: ruleConfig(), institutions: [], trails: [(await store.bagTrail(epc(3)))!] }).candidates.filter((c) => c.bag === epc(3))).toEqual([]);
    } finally {
      await alerting.close();
    }
  });
});
