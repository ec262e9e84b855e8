/**
 * The `notifications` section of the server config: its schema, and what it holds once read (secrets
 * from their files, the checks across fields made). docs/server/notifications.md explains it.
 */
import { ConfigError, fieldPath, readConfigSecret } from '@wastetrail/runtime';
import { Type, type Static } from 'typebox';

/** The levels a notification can be about: 2 = institution head, 3 = regulator. */
export type NotifiedLevel = 2 | 3;
export const NOTIFIED_LEVELS: readonly NotifiedLevel[] = [2, 3];

export interface WebhookTarget {
  /** http:// or https:// */
  url: string;
  /** The HMAC-SHA256 key the receiver shares (X-Wastetrail-Signature). */
  secret: string;
  /** Escalations to these levels are posted (default both). */
  levels: NotifiedLevel[];
}

export interface SmtpSettings {
  host: string;
  port: number;
  /** TLS from the first byte (usually port 465). */
  secure: boolean;
  /**
   * Without `secure`: "required" refuses to send unless the server upgrades with STARTTLS;
   * "opportunistic" upgrades when offered; "never" stays in plain text (a relay on localhost).
   */
  starttls: 'required' | 'opportunistic' | 'never';
  user?: string;
  password?: string;
  /** "Name <address>" or an address. */
  from: string;
  /** PEM of a private CA the server's certificate is checked against. */
  ca?: string;
}

export interface NotificationRecipients {
  /** Level 2: the institution's own list, else the default. */
  institutionHead: { default: string[]; byInstitution: Record<string, string[]> };
  /** Level 3: the list of the most specific jurisdiction on the alert's path (grid > district > city), else the default. */
  regulator: { default: string[]; byJurisdiction: Record<string, string[]> };
}

export interface DeliverySettings {
  /** One attempt (connect, send, answer), ms. */
  timeoutMs: number;
  /** Attempts per delivery, the first included. */
  maxAttempts: number;
  /** Backoff before attempt n+1: random in [0, min(retryMaxMs, retryBaseMs * 2^(n-1))] ("full jitter"). */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Deliveries waiting beyond this are dropped (and counted): a slow receiver never holds up alerting. */
  maxQueued: number;
  /** Deliveries in flight at once. */
  concurrency: number;
  /** How long close() waits for deliveries in flight (and queued) before abandoning them. */
  closeTimeoutMs: number;
}

export interface NotificationsConfig {
  webhooks: WebhookTarget[];
  smtp?: SmtpSettings;
  recipients: NotificationRecipients;
  delivery: DeliverySettings;
}

export const DEFAULT_DELIVERY: DeliverySettings = {
  timeoutMs: 10_000,
  maxAttempts: 5,
  retryBaseMs: 1_000,
  retryMaxMs: 60_000,
  maxQueued: 1_000,
  concurrency: 4,
  closeTimeoutMs: 5_000,
};

const ms = (min: number, max: number, d: number, description: string) => Type.Integer({ minimum: min, maximum: max, default: d, 'x-unit': 'ms', description });
const secretFile = (description: string) => Type.Optional(Type.String({ minLength: 1, 'x-expected': 'a file path (relative to the config file)', description }));
const addresses = Type.Array(Type.String({ pattern: '^[^\\s@<>,;]+@[^\\s@<>,;]+$', 'x-expected': 'an e-mail address' }), {
  default: [],
  'x-expected': 'a list of e-mail addresses, e.g. ["waste-office@h001.example.org"]',
});
const addressesBy = (what: string) =>
  Type.Record(Type.String(), addresses, { default: {}, propertyNames: { minLength: 1 }, 'x-expected': `an object of e-mail address lists by ${what}`, description: `Lists by ${what}.` });
const D = DEFAULT_DELIVERY;

export const NotificationsSettingsSchema = Type.Object(
  {
    webhooks: Type.Array(
      Type.Object(
        {
          url: Type.String({ pattern: '^https?://[^\\s/]+\\S*$', 'x-expected': 'an http:// or https:// URL such as "https://hooks.example.org/wastetrail"', description: 'Where the signed POST goes.' }),
          secret: Type.Optional(Type.String({ minLength: 16, 'x-expected': 'at least 16 characters; make one with `openssl rand -hex 32`', description: 'The HMAC-SHA256 key the receiver shares; better in secretFile.' })),
          secretFile: secretFile('A file holding the secret (e.g. the output of `openssl rand -hex 32`).'),
          levels: Type.Array(Type.Union([Type.Literal(2), Type.Literal(3)]), {
            minItems: 1,
            default: [...NOTIFIED_LEVELS],
            'x-expected': 'a non-empty list of escalation levels, 2 (institution head) and/or 3 (regulator), e.g. [2, 3]',
            description: 'Escalations to these levels are posted.',
          }),
        },
        { additionalProperties: false },
      ),
      { default: [], 'x-expected': 'a list like [{ "url": "https://hooks.example.org/wastetrail", "secretFile": "secrets/webhook" }]', description: 'Signed webhook POSTs (X-Wastetrail-Signature).' },
    ),
    smtp: Type.Optional(
      Type.Object(
        {
          host: Type.String({ minLength: 1, examples: ['smtp.example.org'], description: 'The SMTP server.' }),
          port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, description: 'Default 587, or 465 with "secure": true.' })),
          secure: Type.Boolean({ default: false, description: 'TLS from the first byte (usually port 465).' }),
          starttls: Type.Union([Type.Literal('required'), Type.Literal('opportunistic'), Type.Literal('never')], {
            default: 'required',
            description: 'Without "secure": "required" refuses to send unless the server upgrades with STARTTLS; "opportunistic" upgrades when offered; "never" stays in plain text (a relay on localhost).',
          }),
          user: Type.Optional(Type.String({ minLength: 1, examples: ['wastetrail@example.org'] })),
          password: Type.Optional(Type.String({ minLength: 1, description: 'Better in passwordFile.' })),
          passwordFile: secretFile('A file holding the password.'),
          from: Type.String({
            pattern: '^\\s*(?:[^<>]*<[^\\s@<>]+@[^\\s@<>]+>|[^\\s@<>]+@[^\\s@<>]+)\\s*$',
            'x-expected': 'an address or "Name <address>", e.g. "wastetrail <alerts@example.org>"',
            description: 'The sender.',
          }),
          caFile: secretFile("PEM of a private CA the SMTP server's certificate is checked against."),
        },
        { additionalProperties: false, description: 'E-mail, in Chinese and English, to the recipients.' },
      ),
    ),
    recipients: Type.Object(
      {
        institutionHead: Type.Object({ default: addresses, byInstitution: addressesBy('institution id') }, { additionalProperties: false, default: {}, description: "Level 2: the institution's own list, else the default." }),
        regulator: Type.Object({ default: addresses, byJurisdiction: addressesBy('jurisdiction id') }, { additionalProperties: false, default: {}, description: 'Level 3: the list of the most specific jurisdiction on the alert\'s path (grid > district > city), else the default.' }),
      },
      { additionalProperties: false, default: {}, description: 'Who gets the e-mails.' },
    ),
    delivery: Type.Object(
      {
        timeoutMs: ms(100, 300_000, D.timeoutMs, 'One attempt: connect, send, answer.'),
        maxAttempts: Type.Integer({ minimum: 1, maximum: 20, default: D.maxAttempts, 'x-unit': 'attempts', description: 'Attempts per delivery, the first included; network errors, timeouts, 5xx and 429 are retried.' }),
        retryBaseMs: ms(1, 600_000, D.retryBaseMs, 'Backoff before attempt n+1: random up to min(retryMaxMs, retryBaseMs * 2^(n-1)).'),
        retryMaxMs: ms(1, 3600_000, D.retryMaxMs, 'The longest backoff; at least retryBaseMs.'),
        maxQueued: Type.Integer({ minimum: 1, maximum: 1_000_000, default: D.maxQueued, 'x-unit': 'escalations', description: 'Deliveries waiting beyond this are dropped (and counted).' }),
        concurrency: Type.Integer({ minimum: 1, maximum: 256, default: D.concurrency, 'x-unit': 'escalations at once', description: 'Deliveries in flight at once.' }),
        closeTimeoutMs: ms(0, 600_000, D.closeTimeoutMs, 'On shutdown, how long to wait for deliveries in flight.'),
      },
      { additionalProperties: false, default: {}, description: 'Retries, timeouts and queue bounds.' },
    ),
  },
  { additionalProperties: false, description: 'Escalation webhooks and e-mail (docs/server/notifications.md). Leave out for none.' },
);
export type NotificationsSettings = Static<typeof NotificationsSettingsSchema>;

/**
 * The checked section as the notifier takes it: secrets read from their files (relative to `baseDir`),
 * the checks across fields made; `at` is the section's path in the config.
 */
export function readNotificationsSettings(n: NotificationsSettings, baseDir: string, at: string): NotificationsConfig {
  const field = (name: string) => fieldPath(at, name);
  const webhooks = n.webhooks.map((w, i): WebhookTarget => {
    const here = field(`webhooks[${i}]`);
    if (!URL.canParse(w.url)) throw ConfigError.at(`${here}.url`, `must be an http:// or https:// URL such as "https://hooks.example.org/wastetrail", got ${JSON.stringify(w.url)}`);
    if (w.secret !== undefined && w.secretFile !== undefined) throw ConfigError.at(`${here}.secretFile`, 'give either "secret" or "secretFile", not both');
    if (w.secret === undefined && w.secretFile === undefined) {
      throw ConfigError.at(`${here}.secret`, 'is required (the HMAC key the receiver shares); e.g. "secretFile": "secrets/webhook" holding the output of `openssl rand -hex 32`');
    }
    const secret = w.secret ?? readConfigSecret(`${here}.secretFile`, w.secretFile!, baseDir);
    if (secret.length < 16) throw ConfigError.at(`${here}.secretFile`, 'must hold at least 16 characters; make one with `openssl rand -hex 32`');
    return { url: w.url, secret, levels: [...new Set(w.levels)].sort() };
  });

  let smtp: SmtpSettings | undefined;
  if (n.smtp) {
    const { password, passwordFile, caFile, port, from, ...rest } = n.smtp;
    if (password !== undefined && passwordFile !== undefined) throw ConfigError.at(field('smtp.passwordFile'), 'give either "password" or "passwordFile", not both');
    if ((password ?? passwordFile) !== undefined && rest.user === undefined) throw ConfigError.at(field('smtp.user'), 'is required with a password; e.g. "user": "wastetrail@example.org"');
    const secret = password ?? (passwordFile !== undefined ? readConfigSecret(field('smtp.passwordFile'), passwordFile, baseDir) : undefined);
    const ca = caFile !== undefined ? readConfigSecret(field('smtp.caFile'), caFile, baseDir) : undefined;
    smtp = { ...rest, port: port ?? (rest.secure ? 465 : 587), from: from.trim(), ...(secret !== undefined ? { password: secret } : {}), ...(ca !== undefined ? { ca } : {}) };
  }

  const r = n.recipients;
  const anyone = [r.institutionHead.default, r.regulator.default, ...Object.values(r.institutionHead.byInstitution), ...Object.values(r.regulator.byJurisdiction)].some((l) => l.length > 0);
  if (anyone && !smtp) throw ConfigError.at(field('smtp'), 'is required to send e-mail to the recipients; e.g. "smtp": { "host": "smtp.example.org", "from": "alerts@example.org" }');
  if (smtp && !anyone) throw ConfigError.at(field('recipients'), 'names nobody: with "smtp", give "institutionHead" and/or "regulator" addresses');
  if (webhooks.length === 0 && !smtp) throw ConfigError.at(at, 'give "webhooks" and/or "smtp" with "recipients" (or leave the section out)');
  if (n.delivery.retryMaxMs < n.delivery.retryBaseMs) throw ConfigError.at(field('delivery.retryMaxMs'), `must be at least retryBaseMs (${n.delivery.retryBaseMs}), got ${n.delivery.retryMaxMs}`);
  return { webhooks, ...(smtp ? { smtp } : {}), recipients: r, delivery: n.delivery };
}
