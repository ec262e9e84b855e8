/**
 * Notifications over real sockets: a webhook receiver (node:http) that checks the signature the way the
 * docs tell receivers to, and an SMTP server (smtp-server) that insists on a login.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Registry, silentLogger } from '@wastetrail/runtime';
import type { AlertNotice } from '../../src/alerting/index.ts';
import { startNotifier, verifySignature, type Notifier, type NotificationsConfig } from '../../src/notify/index.ts';
import { decodeMail, notificationsConfig, SECRET, smtpReceiver, SMTP_PASS, SMTP_USER, storedAlert, webhookReceiver } from './support.ts';

const cleanups: Array<() => Promise<unknown>> = [];
/** Each test's notifier counts on a registry of its own. */
let registry: Registry;
beforeEach(() => {
  registry = new Registry();
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function notifier(config: NotificationsConfig): Notifier {
  const n = startNotifier({ config, logger: silentLogger, metrics: registry });
  cleanups.push(() => n.close());
  return n;
}

const escalated = (level: 2 | 3, id = 42): AlertNotice => {
  const alert = storedAlert({ id });
  return { effect: { kind: 'escalated', alertId: id, dedupeKey: alert.dedupeKey, severity: alert.severity, level, audience: level === 2 ? 'institution-head' : 'regulator' }, alert };
};

describe('webhook delivery', () => {
  it('signed as documented; a 500 is retried and the delivery arrives once, with the same delivery id', async () => {
    const hook = await webhookReceiver([500, 200]);
    cleanups.push(hook.close);
    const n = notifier(notificationsConfig({ webhooks: [{ url: hook.url, secret: SECRET, levels: [3] }] }));
    n.onEffects([escalated(2), escalated(3)]);
    await n.idle();

    expect(hook.received).toHaveLength(2);
    const [first, second] = hook.received as [(typeof hook.received)[0], (typeof hook.received)[0]];
    for (const r of hook.received) {
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['x-wastetrail-event']).toBe('alert.escalated');
      expect(verifySignature(SECRET, r.body, r.headers['x-wastetrail-signature'] as string, Date.now() / 1000)).toMatchObject({ ok: true });
    }
    expect(second.headers['x-wastetrail-delivery']).toBe(first.headers['x-wastetrail-delivery']);
    expect(JSON.parse(second.body)).toMatchObject({ event: 'alert.escalated', delivery: first.headers['x-wastetrail-delivery'], level: 3, alert: { id: 42 } });
    // The receiver's own check refuses a body changed on the way.
    expect(verifySignature(SECRET, second.body.replace('"id":42', '"id":43'), second.headers['x-wastetrail-signature'] as string, Date.now() / 1000)).toMatchObject({ ok: false });
    expect(n.stats()).toMatchObject({ escalations: { queued: 2, dropped: 0 }, attempts: { webhook: 2 }, deliveries: { webhook: { delivered: 1, failed: 0 } } });
    const text = await registry.metrics();
    expect(text).toContain('wastetrail_notifications_deliveries_total{channel="webhook",outcome="delivered"} 1');
    expect(text).toContain('wastetrail_notifications_attempts_total{channel="webhook"} 2');
  });

  it('a 4xx other than 429 is final: one attempt, counted failed', async () => {
    const hook = await webhookReceiver([401]);
    cleanups.push(hook.close);
    const n = notifier(notificationsConfig({ webhooks: [{ url: hook.url, secret: SECRET, levels: [2, 3] }] }));
    n.onEffects([escalated(2)]);
    await n.idle();
    expect(hook.received).toHaveLength(1);
    expect(n.stats().deliveries.webhook).toEqual({ delivered: 0, failed: 1, abandoned: 0 });
  });

  it('429, timeouts and refused connections are retried up to maxAttempts, then failed', async () => {
    const hook = await webhookReceiver([429, 'hang', 503]);
    cleanups.push(hook.close);
    const closedPort = await webhookReceiver([200]);
    await closedPort.close();
    const config = notificationsConfig({ webhooks: [{ url: hook.url, secret: SECRET, levels: [2] }, { url: closedPort.url, secret: SECRET, levels: [2] }] });
    const n = notifier({ ...config, delivery: { ...config.delivery, timeoutMs: 300, maxAttempts: 3 } });
    n.onEffects([escalated(2)]);
    await n.idle();
    expect(hook.received).toHaveLength(3);
    expect(n.stats()).toMatchObject({ attempts: { webhook: 6 }, deliveries: { webhook: { delivered: 0, failed: 2 } } });
  });

  it('onEffects returns at once however slow the receiver; beyond maxQueued escalations are dropped and counted; close waits, bounded, then abandons', async () => {
    const hook = await webhookReceiver(['hang']);
    cleanups.push(hook.close);
    const config = notificationsConfig({ webhooks: [{ url: hook.url, secret: SECRET, levels: [2] }] });
    const n = startNotifier({ config: { ...config, delivery: { ...config.delivery, timeoutMs: 60_000, concurrency: 1, maxQueued: 2, closeTimeoutMs: 300 } }, logger: silentLogger, metrics: registry });
    const started = performance.now();
    n.onEffects([escalated(2, 1), escalated(2, 2), escalated(2, 3), escalated(2, 4)]);
    expect(performance.now() - started).toBeLessThan(50);
    // One in flight, two waiting, the fourth dropped.
    expect(n.stats()).toMatchObject({ escalations: { queued: 3, dropped: 1 }, queued: 2, inFlight: 1 });
    const closing = performance.now();
    await n.close();
    expect(performance.now() - closing).toBeLessThan(1500);
    expect(n.stats()).toMatchObject({ queued: 0, inFlight: 0, escalations: { abandoned: 2 }, deliveries: { webhook: { delivered: 0, abandoned: 1 } } });
    n.onEffects([escalated(2, 5)]);
    expect(n.stats().escalations.dropped).toBe(2);
    expect(await registry.metrics()).toContain('wastetrail_notifications_escalations_total{outcome="dropped"} 2');
  });
});

describe('e-mail delivery', () => {
  const smtpConfig = (port: number, password = SMTP_PASS): NotificationsConfig =>
    notificationsConfig({
      smtp: { host: '127.0.0.1', port, secure: false, starttls: 'never', user: SMTP_USER, password, from: 'wastetrail <alerts@wastetrail.test>' },
      recipients: { institutionHead: { default: ['office@city.test'], byInstitution: { 'hz-h001': ['head@h001.test'] } }, regulator: { default: ['duty@wjw.test'], byJurisdiction: {} } },
    });

  it('logs in and delivers one message per escalation to the routed recipients, with the alert id and both languages', async () => {
    const smtp = await smtpReceiver();
    cleanups.push(smtp.close);
    const n = notifier(smtpConfig(smtp.port));
    n.onEffects([escalated(2), escalated(3)]);
    await n.idle();

    expect(smtp.logins).toEqual([`${SMTP_USER}:ok`, `${SMTP_USER}:ok`]);
    expect(smtp.mails.map((m) => [m.from, m.to])).toEqual(
      expect.arrayContaining([
        ['alerts@wastetrail.test', ['head@h001.test']],
        ['alerts@wastetrail.test', ['duty@wjw.test']],
      ]),
    );
    const mail = smtp.mails.find((m) => m.to.includes('head@h001.test'))!;
    const { subject, text, headers } = decodeMail(mail.raw);
    expect(subject).toContain('告警 #42 已升级至机构负责人');
    expect(subject).toContain('Alert #42 escalated to the institution head');
    expect(text).toContain('医疗废物袋 epc:3074257bf7194e4000002001 已在 hz-h001 暂存间 STORE-1 存放 48 小时');
    expect(text).toContain('Bag epc:3074257bf7194e4000002001 has been in storage room STORE-1');
    expect(headers.get('x-wastetrail-alert')).toBe('42');
    expect(n.stats()).toMatchObject({ attempts: { email: 2 }, deliveries: { email: { delivered: 2, failed: 0 } } });
  });

  it('a refused login (535) is final: one attempt, failed', async () => {
    const smtp = await smtpReceiver();
    cleanups.push(smtp.close);
    const n = notifier(smtpConfig(smtp.port, 'wrong-password'));
    n.onEffects([escalated(2)]);
    await n.idle();
    expect(smtp.logins).toEqual([`${SMTP_USER}:bad`]);
    expect(smtp.mails).toEqual([]);
    expect(n.stats()).toMatchObject({ attempts: { email: 1 }, deliveries: { email: { delivered: 0, failed: 1 } } });
  });
});
