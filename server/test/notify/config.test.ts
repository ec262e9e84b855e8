/** The notifications section of the server config: what it accepts, and errors that name the field. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseServerConfig } from '../../src/config/index.ts';
import { DEFAULT_DELIVERY } from '../../src/notify/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'wt-notify-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'webhook-secret'), 'file-secret-0123456789abcdef\n');
writeFileSync(join(dir, 'smtp-password'), 'smtp-pass\n');

const parse = (notifications: unknown) => parseServerConfig(JSON.stringify({ notifications }), dir);
const smtp = { host: 'smtp.example.org', user: 'alerts@example.org', passwordFile: 'smtp-password', from: 'wastetrail <alerts@example.org>' };
const recipients = { institutionHead: { default: ['office@example.org'] }, regulator: { byJurisdiction: { 'hz-xh': ['xihu@wjw.example.org'] } } };

describe('notifications config', () => {
  it('absent: no notifications', () => {
    expect(parseServerConfig('{}', dir).notifications).toBeUndefined();
  });

  it('webhooks and SMTP with recipients, defaults filled in, secrets read from files', () => {
    const c = parse({ webhooks: [{ url: 'https://hooks.example.org/wt', secretFile: 'webhook-secret' }, { url: 'http://127.0.0.1:9000/', secret: 'inline-secret-0123456789', levels: [3, 3] }], smtp, recipients });
    expect(c.notifications).toEqual({
      webhooks: [
        { url: 'https://hooks.example.org/wt', secret: 'file-secret-0123456789abcdef', levels: [2, 3] },
        { url: 'http://127.0.0.1:9000/', secret: 'inline-secret-0123456789', levels: [3] },
      ],
      smtp: { host: 'smtp.example.org', port: 587, secure: false, starttls: 'required', user: 'alerts@example.org', password: 'smtp-pass', from: 'wastetrail <alerts@example.org>' },
      recipients: { institutionHead: { default: ['office@example.org'], byInstitution: {} }, regulator: { default: [], byJurisdiction: { 'hz-xh': ['xihu@wjw.example.org'] } } },
      delivery: DEFAULT_DELIVERY,
    });
    expect(parse({ smtp: { ...smtp, secure: true }, recipients }).notifications?.smtp?.port).toBe(465);
  });

  it('the commented example in server/config/example.jsonc is valid once uncommented', () => {
    const example = readFileSync(new URL('../../config/example.jsonc', import.meta.url), 'utf8').split('\n');
    const start = example.findIndex((l) => l.startsWith('  // "notifications": {'));
    const end = example.findIndex((l, i) => i > start && l === '  // },');
    expect(start).toBeGreaterThan(0);
    expect(end).toBeGreaterThan(start);
    const block = example.slice(start, end + 1).map((l) => l.replace(/^ {2}\/\/ ?/, '')).join('\n');
    mkdirSync(join(dir, 'secrets'), { recursive: true });
    writeFileSync(join(dir, 'secrets', 'webhook'), 'example-secret-0123456789abcdef');
    writeFileSync(join(dir, 'secrets', 'smtp-password'), 'example-password');
    const c = parseServerConfig(`{ ${block.replace(/,\s*$/, '')} }`, dir).notifications!;
    expect(c.webhooks).toEqual([{ url: 'https://hooks.example.org/wastetrail', secret: 'example-secret-0123456789abcdef', levels: [2, 3] }]);
    expect(c.smtp).toMatchObject({ host: 'smtp.example.org', port: 587, starttls: 'required', password: 'example-password' });
    expect(c.recipients.regulator.byJurisdiction).toEqual({ 'hz-xh': ['xihu@wjw.example.gov.cn'] });
    expect(c.delivery).toEqual(DEFAULT_DELIVERY);
  });

  it.each([
    [{}, /^notifications: give "webhooks" and\/or "smtp"/],
    [{ webhook: [] }, /^notifications\.webhook: is not a setting here/],
    [{ webhooks: {} }, /^notifications\.webhooks: must be a list/],
    [{ webhooks: [{ url: 'ftp://x.example.org/', secret: 'inline-secret-0123456789' }] }, /^notifications\.webhooks\[0\]\.url: must be an http:\/\/ or https:\/\/ URL/],
    [{ webhooks: [{ url: 'https://x.example.org/' }] }, /^notifications\.webhooks\[0\]\.secret: is required/],
    [{ webhooks: [{ url: 'https://x.example.org/', secret: 'short' }] }, /^notifications\.webhooks\[0\]\.secret: must be at least 16 characters/],
    [{ webhooks: [{ url: 'https://x.example.org/', secretFile: 'missing' }] }, /^notifications\.webhooks\[0\]\.secretFile: cannot read/],
    [{ webhooks: [{ url: 'https://x.example.org/', secret: 'inline-secret-0123456789', levels: [1] }] }, /^notifications\.webhooks\[0\]\.levels\[0\]: must be one of 2, 3, got 1$/],
    [{ webhooks: [{ url: 'https://x.example.org/', secret: 'inline-secret-0123456789', levels: [] }] }, /^notifications\.webhooks\[0\]\.levels: must be a non-empty list of escalation levels, 2 \(institution head\) and\/or 3 \(regulator\), e\.g\. \[2, 3\], got \[\]$/],
    [{ recipients }, /^notifications\.smtp: is required to send e-mail/],
    [{ smtp }, /^notifications\.recipients: names nobody/],
    [{ smtp: { ...smtp, host: undefined }, recipients }, /^notifications\.smtp\.host: is required/],
    [{ smtp: { ...smtp, port: 0 }, recipients }, /^notifications\.smtp\.port: must be a whole number from 1 to 65535/],
    [{ smtp: { ...smtp, starttls: 'yes' }, recipients }, /^notifications\.smtp\.starttls: must be one of "required", "opportunistic", "never"/],
    [{ smtp: { ...smtp, from: 'nobody' }, recipients }, /^notifications\.smtp\.from: must be an address/],
    [{ smtp: { ...smtp, user: undefined }, recipients }, /^notifications\.smtp\.user: is required with a password/],
    [{ smtp, recipients: { regulator: { byJurisdiction: { hz: ['not an address'] } } } }, /^notifications\.recipients\.regulator\.byJurisdiction\.hz\[0\]: must be an e-mail address, got "not an address"$/],
    [{ smtp, recipients: { institutionHead: { default: 'office@example.org' } } }, /^notifications\.recipients\.institutionHead\.default: must be a list of e-mail addresses/],
    [{ smtp, recipients: { head: {} } }, /^notifications\.recipients\.head: is not a setting here/],
    [{ smtp, recipients, delivery: { maxAttempts: 0 } }, /^notifications\.delivery\.maxAttempts: must be a whole number from 1 to 20/],
    [{ smtp, recipients, delivery: { retryBaseMs: 5000, retryMaxMs: 1000 } }, /^notifications\.delivery\.retryMaxMs: must be at least retryBaseMs/],
  ])('%j is refused, naming the field', (section, message) => {
    expect(() => parse(section)).toThrow(message);
  });
});
