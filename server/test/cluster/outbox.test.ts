/**
 * The durable notification queue on a real PostgreSQL, with two notifiers standing for two server
 * processes and a real SMTP server: every process enqueues, only the leader delivers, each escalation
 * once, and what a leader had not finished is finished by the next with the same delivery ids.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { pgNotificationQueue } from '../../src/cluster/index.ts';
import { startNotifier, type Notifier } from '../../src/notify/index.ts';
import { escalationKey, recordedEscalations } from '../../src/notify/outbox.ts';
import type { AlertNotice } from '../../src/alerting/ledger.ts';
import { decodeMail, notificationsConfig, smtpReceiver, SMTP_PASS, SMTP_USER, storedAlert } from '../notify/support.ts';
import { freshSchema, sleep, type TestSchema } from './support.ts';

const escalated = (level: 2 | 3, over = {}): AlertNotice => {
  const alert = storedAlert(over);
  return { alert, effect: { kind: 'escalated', alertId: alert.id, dedupeKey: alert.dedupeKey, severity: alert.severity, level, audience: level === 2 ? 'institution-head' : 'regulator' } };
};

describe('the notification queue in PostgreSQL', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });

  async function setUp(): Promise<{ db: TestSchema; smtp: Awaited<ReturnType<typeof smtpReceiver>>; notifier(holder: string, leads: () => boolean): Notifier }> {
    const db = await freshSchema();
    closers.push(() => db.cleanup());
    const smtp = await smtpReceiver();
    closers.push(() => smtp.close());
    const config = notificationsConfig({
      smtp: { host: '127.0.0.1', port: smtp.port, secure: false, starttls: 'never', user: SMTP_USER, password: SMTP_PASS, from: 'alerts@wastetrail.test' },
      recipients: { institutionHead: { default: ['head@h001.test'], byInstitution: {} }, regulator: { default: ['reg@hz.test'], byJurisdiction: {} } },
    });
    return {
      db,
      smtp,
      notifier(holder, leads) {
        const n = startNotifier({ config, outbox: { queue: pgNotificationQueue(db.pool()), holder, isLeader: leads, pollMs: 50 } });
        closers.push(() => n.close());
        return n;
      },
    };
  }

  it('takes an escalation both processes decided once, and only the leader sends it, with a stable delivery id', async () => {
    const { db, smtp, notifier } = await setUp();
    const leader = notifier('a', () => true);
    const follower = notifier('b', () => false);
    await Promise.all([leader.onEffects([escalated(3)]), follower.onEffects([escalated(3)])]);
    const { rows } = await db.pool().query('select key from notification_outbox');
    expect(rows).toEqual([{ key: 'alert-42-level-3' }]);
    while (smtp.mails.length === 0) await sleep(20);
    await sleep(300);
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]!.to).toEqual(['reg@hz.test']);
    expect(decodeMail(smtp.mails[0]!.raw).headers.get('x-wastetrail-delivery')).toBe('alert-42-level-3/1');
    const done = await db.pool().query('select outcome, delivered, claimed_by from notification_outbox');
    expect(done.rows).toEqual([{ outcome: 'delivered', delivered: ['alert-42-level-3/1'], claimed_by: 'a' }]);
  });

  it('leaves nothing behind when the leader changes: the new leader sends what waits, and skips what was marked sent', async () => {
    const { db, smtp, notifier } = await setUp();
    const queue = pgNotificationQueue(db.pool());
    // A leader that died after sending the level-2 mail and marking it, before finishing the row.
    await queue.enqueue([{ alert: storedAlert({ id: 7 }), level: 2, at: '2026-03-03T22:00:00.000Z' }]);
    await queue.enqueue([{ alert: storedAlert({ id: 8 }), level: 2, at: '2026-03-03T22:00:00.000Z' }]);
    const [first] = await queue.claim('dead', 1, [], true);
    expect(first!.key).toBe('alert-7-level-2');
    await queue.delivered(first!.key, `${first!.key}/1`);
    let leads = false;
    notifier('b', () => leads);
    await sleep(200);
    expect(smtp.mails).toEqual([]);
    leads = true;
    const started = Date.now();
    // The escalation nobody took goes at once; the one the dead leader took only after its last attempt
    // must have ended (delivery.timeoutMs), so a leader that was only slow is not repeated.
    for (;;) {
      const { rows } = await db.pool().query<{ key: string }>('select key from notification_outbox where done_at is not null');
      if (rows.length > 0) {
        expect(rows).toEqual([{ key: 'alert-8-level-2' }]);
        break;
      }
      await sleep(20);
    }
    for (;;) {
      const { rows } = await db.pool().query('select key, outcome from notification_outbox where done_at is not null order by key');
      if (rows.length === 2) {
        expect(rows).toEqual([
          { key: 'alert-7-level-2', outcome: 'delivered' },
          { key: 'alert-8-level-2', outcome: 'delivered' },
        ]);
        break;
      }
      expect(Date.now() - started).toBeLessThan(6000);
      await sleep(20);
    }
    expect(smtp.mails.map((m) => decodeMail(m.raw).headers.get('x-wastetrail-alert'))).toEqual(['8']);
  });

  it('re-queues escalations the alerts record, from a given time on, and no others', () => {
    const alert = storedAlert();
    const found = recordedEscalations([alert], Date.parse('2026-03-04T00:00:00.000Z'), Date.parse('2026-03-05T00:00:00.000Z'));
    expect(found.map((e) => [escalationKey(e), e.at])).toEqual([['alert-42-level-3', '2026-03-04T02:00:00.000Z']]);
    expect(recordedEscalations([storedAlert({ escalationLevel: 1 })], 0, 0)).toEqual([]);
  });
});
