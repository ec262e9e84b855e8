/**
 * From the alert book to the inboxes: alerting on a real SQLite store with a driven clock files a
 * critical integrity alert; nobody acknowledges it; ticks escalate it to the institution head (60 min)
 * and the regulator (240 min), and a real webhook receiver and a real SMTP server get each escalation.
 * An alert acknowledged in time sends nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@wastetrail/runtime';
import { startAlerting } from '../../src/alerting/index.ts';
import { startNotifier, storeJurisdictionPath, verifySignature } from '../../src/notify/index.ts';
import { ruleConfig } from '../../src/rules/index.ts';
import { seedWorld } from '../bags/support.ts';
import { openTempSqlite } from '../store/open.ts';
import { decodeMail, notificationsConfig, SECRET, smtpReceiver, SMTP_PASS, SMTP_USER, webhookReceiver } from './support.ts';

const MIN = 60_000;
const T = Date.parse('2026-03-02T02:00:00.000Z');
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('escalation notifications end to end (SQLite)', () => {
  it('an unacknowledged alert reaches the institution head, then the regulator of its district, by webhook and e-mail', async () => {
    const opened = await openTempSqlite();
    cleanups.push(() => opened.cleanup());
    const { store } = opened;
    await seedWorld(store);
    const hook = await webhookReceiver([503, 200]);
    cleanups.push(hook.close);
    const smtp = await smtpReceiver();
    cleanups.push(smtp.close);

    let now = T;
    const notifier = startNotifier({
      config: notificationsConfig({
        webhooks: [{ url: hook.url, secret: SECRET, levels: [2, 3] }],
        smtp: { host: '127.0.0.1', port: smtp.port, secure: false, starttls: 'never', user: SMTP_USER, password: SMTP_PASS, from: 'alerts@wastetrail.test' },
        recipients: {
          institutionHead: { default: ['office@city.test'], byInstitution: { 'hz-h001': ['head@h001.test'] } },
          regulator: { default: ['duty@wjw.test'], byJurisdiction: { hz: ['city@wjw.test'], 'hz-xh': ['xihu@wjw.test'] } },
        },
      }),
      clock: () => now,
      jurisdictionPath: storeJurisdictionPath(store),
      logger: silentLogger,
    });
    cleanups.push(() => notifier.close());
    const alerting = await startAlerting({ store, ruleConfig: ruleConfig(), clock: () => now, tickMs: 0, onEffects: (n) => notifier.onEffects(n), logger: silentLogger });
    cleanups.push(() => alerting.close());

    const finding = (device: string) => ({ code: 'BAD_SIGNATURE', message: 'signature does not verify', device, seq: 3, institution: 'hz-h001', jurisdiction: 'hz-xh-g01', detectedAtMs: now });
    await alerting.fileIntegrity([finding('hz-h001-ward-1'), finding('hz-h001-ward-2')]);
    const [forged, answered] = await store.alerts({ rule: 'integrity' });
    expect([forged?.device, answered?.device]).toEqual(['hz-h001-ward-1', 'hz-h001-ward-2']);
    now = T + 30 * MIN;
    expect(await alerting.acknowledge(answered!.id, 'it-admin')).toMatchObject({ ok: true });

    // Opening and acknowledging are the handler's business: nothing is sent.
    await notifier.idle();
    expect(hook.received).toEqual([]);
    expect(smtp.mails).toEqual([]);

    now = T + 61 * MIN;
    expect((await alerting.tick()).notices.map((n) => `${n.effect.kind}:${n.alert.id}`)).toEqual([`escalated:${forged!.id}`]);
    await notifier.idle();
    // The receiver answered 503 first: the same delivery came again and was taken.
    expect(hook.received.map((r) => r.headers['x-wastetrail-delivery'])).toEqual([hook.received[0]!.headers['x-wastetrail-delivery'], hook.received[0]!.headers['x-wastetrail-delivery']]);
    const head = hook.received[1]!;
    expect(verifySignature(SECRET, head.body, head.headers['x-wastetrail-signature'] as string, Date.now() / 1000)).toMatchObject({ ok: true });
    expect(JSON.parse(head.body)).toMatchObject({ event: 'alert.escalated', level: 2, audience: 'institution-head', escalatedAt: new Date(T + 61 * MIN).toISOString(), alert: { id: forged!.id, rule: 'integrity', severity: 'critical', device: 'hz-h001-ward-1', escalationLevel: 2 } });
    expect(smtp.mails.map((m) => m.to)).toEqual([['head@h001.test']]);
    const headMail = decodeMail(smtp.mails[0]!.raw);
    expect(headMail.subject).toContain(`告警 #${forged!.id} 已升级至机构负责人`);
    expect(headMail.text).toContain('设备 hz-h001-ward-1 的记录完整性异常：签名无效 BAD_SIGNATURE');
    expect(headMail.text).toContain('Device hz-h001-ward-1: BAD_SIGNATURE');

    now = T + 241 * MIN;
    await alerting.tick();
    await notifier.idle();
    expect(hook.received).toHaveLength(3);
    expect(JSON.parse(hook.received[2]!.body)).toMatchObject({ level: 3, audience: 'regulator', alert: { id: forged!.id, escalationLevel: 3 } });
    // hz-h001 is in grid hz-xh-g01 of district hz-xh of city hz: the district's regulator is the most specific list.
    expect(smtp.mails.map((m) => m.to)).toEqual([['head@h001.test'], ['xihu@wjw.test']]);
    const regulatorMail = decodeMail(smtp.mails[1]!.raw);
    expect(regulatorMail.subject).toContain(`Alert #${forged!.id} escalated to the regulator`);
    expect(regulatorMail.text).toContain('hz-h001 / hz-xh-g01');

    expect(notifier.stats()).toMatchObject({ escalations: { queued: 2, dropped: 0 }, deliveries: { webhook: { delivered: 2, failed: 0 }, email: { delivered: 2, failed: 0 } }, attempts: { webhook: 3, email: 2 } });
  });
});
