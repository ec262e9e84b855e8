/** The pure part of notifications: which escalations go where, what they say, and the signature. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AlertNotice } from '../../src/alerting/index.ts';
import {
  backoffMs,
  classifyHttpStatus,
  escalationEmail,
  escalationPayload,
  escalationsOf,
  parseRetryAfter,
  planDeliveries,
  recipientsFor,
  signatureHeader,
  verifySignature,
  type Escalation,
} from '../../src/notify/index.ts';
import { notificationsConfig, SECRET, storedAlert } from './support.ts';

const recipients = {
  institutionHead: { default: ['waste-office@city.test'], byInstitution: { 'hz-h001': ['head@h001.test', 'deputy@h001.test', 'head@h001.test'] } },
  regulator: { default: ['duty@wjw.test'], byJurisdiction: { hz: ['city@wjw.test'], 'hz-xh': ['xihu@wjw.test'] } },
};
const PATH = ['hz', 'hz-xh', 'hz-xh-g01'];
const esc = (level: 2 | 3, over: Parameters<typeof storedAlert>[0] = {}): Escalation => ({ alert: storedAlert(over), level, at: '2026-03-04T02:00:00.000Z' });

describe('escalationsOf', () => {
  it('takes escalations only, each with its time from the alert history', () => {
    const alert = storedAlert();
    const notices: AlertNotice[] = [
      { effect: { kind: 'opened', dedupeKey: alert.dedupeKey, severity: 'warning', level: 1, audience: 'handler' }, alert },
      { effect: { kind: 'severity-raised', alertId: 42, dedupeKey: alert.dedupeKey, from: 'warning', to: 'critical', reopened: false, level: 2, audience: 'institution-head' }, alert },
      { effect: { kind: 'escalated', alertId: 42, dedupeKey: alert.dedupeKey, severity: 'critical', level: 2, audience: 'institution-head' }, alert },
      { effect: { kind: 'escalated', alertId: 42, dedupeKey: alert.dedupeKey, severity: 'critical', level: 3, audience: 'regulator' }, alert },
      { effect: { kind: 'acknowledged', alertId: 42, dedupeKey: alert.dedupeKey, by: 'keeper-7' }, alert },
    ];
    expect(escalationsOf(notices, 0).map((e) => [e.level, e.at])).toEqual([
      [2, '2026-03-03T22:00:00.000Z'],
      [3, '2026-03-04T02:00:00.000Z'],
    ]);
    const bare = storedAlert({ details: {} });
    expect(escalationsOf([{ effect: { kind: 'escalated', alertId: 42, dedupeKey: 'k', severity: 'warning', level: 2, audience: 'institution-head' }, alert: bare }], Date.parse('2026-05-01T00:00:00Z'))[0]!.at).toBe('2026-05-01T00:00:00.000Z');
  });
});

describe('recipientsFor', () => {
  it('level 2: the institution head list of the alert institution, else the default', () => {
    expect(recipientsFor(esc(2), recipients, PATH)).toEqual(['head@h001.test', 'deputy@h001.test']);
    expect(recipientsFor(esc(2, { institution: 'hz-h002' }), recipients, PATH)).toEqual(['waste-office@city.test']);
    expect(recipientsFor(esc(2, { institution: null }), recipients, PATH)).toEqual(['waste-office@city.test']);
    // An inherited name is not an institution.
    expect(recipientsFor(esc(2, { institution: 'constructor' }), recipients, PATH)).toEqual(['waste-office@city.test']);
  });

  it('level 3: the most specific jurisdiction on the path that has a list, else the default', () => {
    expect(recipientsFor(esc(3), recipients, PATH)).toEqual(['xihu@wjw.test']);
    expect(recipientsFor(esc(3), recipients, ['hz', 'hz-sc', 'hz-sc-g02'])).toEqual(['city@wjw.test']);
    expect(recipientsFor(esc(3, { jurisdiction: 'hz-xh' }), recipients, [])).toEqual(['xihu@wjw.test']);
    expect(recipientsFor(esc(3, { jurisdiction: 'nb' }), recipients, ['nb'])).toEqual(['duty@wjw.test']);
    expect(recipientsFor(esc(3, { jurisdiction: null }), recipients, [])).toEqual(['duty@wjw.test']);
  });
});

describe('planDeliveries', () => {
  const config = notificationsConfig({
    webhooks: [
      { url: 'https://a.test/hook', secret: SECRET, levels: [2, 3] },
      { url: 'https://regulator.test/hook', secret: SECRET, levels: [3] },
    ],
    smtp: { host: 'smtp.test', port: 587, secure: false, starttls: 'required', from: 'alerts@wastetrail.test' },
    recipients,
  });
  let n = 0;
  const ids = () => `d${++n}`;

  it('a webhook per target that takes the level, and one e-mail to the routed recipients', () => {
    expect(planDeliveries(esc(2), config, PATH, ids).map((d) => [d.channel, d.channel === 'webhook' ? d.url : d.to])).toEqual([
      ['webhook', 'https://a.test/hook'],
      ['email', ['head@h001.test', 'deputy@h001.test']],
    ]);
    expect(planDeliveries(esc(3), config, PATH, ids).map((d) => [d.channel, d.channel === 'webhook' ? d.url : d.to])).toEqual([
      ['webhook', 'https://a.test/hook'],
      ['webhook', 'https://regulator.test/hook'],
      ['email', ['xihu@wjw.test']],
    ]);
  });

  it('no e-mail without SMTP or without recipients; each delivery has its own id, also in the signed body', () => {
    const noMail = planDeliveries(esc(2), { ...config, smtp: undefined }, PATH, ids);
    expect(noMail.map((d) => d.channel)).toEqual(['webhook']);
    const d = noMail[0]!;
    expect(d.channel === 'webhook' && JSON.parse(d.body)).toMatchObject({ event: 'alert.escalated', delivery: d.id, level: 2, audience: 'institution-head' });
    const nobody = { ...config, webhooks: [], recipients: { ...recipients, institutionHead: { default: [], byInstitution: {} } } };
    expect(planDeliveries(esc(2), nobody, PATH, ids)).toEqual([]);
  });
});

describe('the message', () => {
  it('the e-mail says it in Chinese, then English, with the alert id, the rule and where', () => {
    const { subject, text } = escalationEmail(esc(3));
    expect(subject).toBe('[wastetrail] 告警 #42 已升级至监管部门：暂存超时（严重） / Alert #42 escalated to the regulator: storage overdue (critical)');
    expect(text).toContain('医疗废物袋 epc:3074257bf7194e4000002001 已在 hz-h001 暂存间 STORE-1 存放 48 小时（上限 48 小时）。');
    expect(text).toContain('Bag epc:3074257bf7194e4000002001 has been in storage room STORE-1 at hz-h001 for 48 h (limit 48 h).');
    expect(text.indexOf('告警 #42')).toBeLessThan(text.indexOf('Alert #42'));
    expect(text).toContain('hz-h001 / hz-xh-g01');
    expect(text).toContain('2026-03-04T02:00:00.000Z');
  });

  it('an unknown message key falls back to the stored title in both languages', () => {
    const { text } = escalationEmail(esc(2, { messageKey: 'something-new', title: 'Something new happened.' }));
    expect(text.match(/Something new happened\./g)).toHaveLength(2);
  });

  it('the webhook payload holds the alert, in both languages, and nothing about the people who acted on it', () => {
    const payload = escalationPayload(esc(3, { acknowledgedBy: 'keeper-7', acknowledgeNote: 'called Zhang San at 138...', resolvedBy: 'head-1', note: 'n' }), 'dlv-1');
    expect(payload).toMatchObject({
      event: 'alert.escalated',
      delivery: 'dlv-1',
      level: 3,
      audience: 'regulator',
      escalatedAt: '2026-03-04T02:00:00.000Z',
      alert: { id: 42, rule: 'storage-overdue', severity: 'critical', institution: 'hz-h001', jurisdiction: 'hz-xh-g01', message: { 'zh-CN': expect.stringContaining('暂存间 STORE-1') as string, en: expect.stringContaining('storage room STORE-1') as string } },
    });
    const text = JSON.stringify(payload);
    for (const personal of ['keeper-7', 'Zhang San', 'head-1', 'acknowledgedBy', 'note']) expect(text).not.toContain(personal);
  });
});

describe('the signature', () => {
  const body = JSON.stringify({ event: 'alert.escalated', alert: { id: 42, message: '医疗废物' } });
  const t = 1_770_000_000;

  it('is verifiable with nothing but node:crypto, following the recipe in docs/server/notifications.md', () => {
    const header = signatureHeader(SECRET, body, t + 0.9);
    // The recipe: split on ",", take t and v1; HMAC-SHA256 over `${t}.${raw body}` with the secret; compare in constant time; check |now - t|.
    const fields = Object.fromEntries(header.split(',').map((kv) => kv.split('=') as [string, string]));
    expect(fields.t).toBe(String(t));
    const expected = createHmac('sha256', SECRET).update(`${fields.t}.${body}`).digest();
    expect(timingSafeEqual(expected, Buffer.from(fields.v1!, 'hex'))).toBe(true);
    expect(verifySignature(SECRET, Buffer.from(body, 'utf8'), header, t + 10)).toEqual({ ok: true, t });
  });

  it('a tampered body, another secret, a stale timestamp or a malformed header fail', () => {
    const header = signatureHeader(SECRET, body, t);
    const tampered = body.replace('42', '43');
    const v1 = header.split('v1=')[1]!;
    expect(createHmac('sha256', SECRET).update(`${t}.${tampered}`).digest('hex')).not.toBe(v1);
    expect(verifySignature(SECRET, tampered, header, t)).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
    expect(verifySignature('another-secret-0123456789', body, header, t)).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
    // The timestamp is signed too: moving it forward breaks the signature.
    expect(verifySignature(SECRET, body, header.replace(`t=${t}`, `t=${t + 600}`), t + 600)).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
    expect(verifySignature(SECRET, body, header, t + 301)).toEqual({ ok: false, reason: 'STALE' });
    expect(verifySignature(SECRET, body, 'v1=abc', t)).toEqual({ ok: false, reason: 'MALFORMED' });
    expect(verifySignature(SECRET, body, undefined, t)).toEqual({ ok: false, reason: 'MALFORMED' });
  });
});

describe('retry policy', () => {
  it('retries 5xx, 429 and 408; other answers are final', () => {
    expect(classifyHttpStatus(204)).toEqual({ ok: true, status: 204 });
    for (const s of [500, 502, 503, 429, 408]) expect(classifyHttpStatus(s)).toMatchObject({ ok: false, retryable: true });
    for (const s of [301, 400, 401, 403, 404, 410, 422]) expect(classifyHttpStatus(s)).toMatchObject({ ok: false, retryable: false });
  });

  it('backs off exponentially, with full jitter, capped; Retry-After is honoured up to the cap', () => {
    const s = { retryBaseMs: 1000, retryMaxMs: 60_000 };
    expect([1, 2, 3, 4, 7, 12].map((a) => backoffMs(a, s, () => 0.999999))).toEqual([999, 1999, 3999, 7999, 59_999, 59_999]);
    expect(backoffMs(3, s, () => 0)).toBe(0);
    expect(backoffMs(1, s, () => 0.5, 30_000)).toBe(30_000);
    expect(backoffMs(1, s, () => 0.5, 3_600_000)).toBe(60_000);
    expect(parseRetryAfter('120', 0)).toBe(120_000);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:10 GMT', 4000)).toBe(6000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
    expect(parseRetryAfter(null, 0)).toBeUndefined();
  });
});
