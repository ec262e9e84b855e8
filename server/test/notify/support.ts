/**
 * Receivers for the notification tests: a real HTTP server and a real SMTP server (smtp-server) on
 * 127.0.0.1 with a free port, and a stored alert to notify about.
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { Alert as StoredAlert } from '../../src/store/index.ts';
import { DEFAULT_DELIVERY, type NotificationsConfig } from '../../src/notify/index.ts';
import { alertRow } from '../api/support.ts';

export const SECRET = 'test-secret-0123456789abcdef';
export const SMTP_USER = 'alerts@wastetrail.test';
export const SMTP_PASS = 'smtp-pass-1';

export function storedAlert(over: Partial<StoredAlert> = {}): StoredAlert {
  const bag = 'epc:3074257bf7194e4000002001';
  return {
    id: 42,
    revision: 3,
    ...alertRow({
      rule: 'storage-overdue',
      severity: 'critical',
      currentSeverity: 'critical',
      dedupeKey: `storage-overdue:bag:${bag}`,
      subject: `bag:${bag}`,
      title: `Bag ${bag} has been in storage room STORE-1 at hz-h001 for 48 h (limit 48 h).`,
      messageKey: 'storage-overdue',
      params: { bag, room: 'STORE-1', institution: 'hz-h001', hours: 48, limitHours: 48 },
      institution: 'hz-h001',
      jurisdiction: 'hz-xh-g01',
      bag,
      escalationLevel: 3,
      openedAt: '2026-03-03T14:00:00.000Z',
      awaitingAckSince: '2026-03-03T14:00:00.000Z',
      since: '2026-03-02T02:00:00.000Z',
      evidence: [{ device: 'hz-h001-store-1', seq: 1, hash: 'ab'.repeat(32) }],
      occurrences: 3,
      lastSeenAt: '2026-03-04T02:00:00.000Z',
      details: { escalations: [{ level: 2, at: '2026-03-03T22:00:00.000Z' }, { level: 3, at: '2026-03-04T02:00:00.000Z' }] },
    }),
    ...over,
  };
}

export function notificationsConfig(over: Partial<NotificationsConfig> = {}): NotificationsConfig {
  return {
    webhooks: [],
    recipients: { institutionHead: { default: [], byInstitution: {} }, regulator: { default: [], byJurisdiction: {} } },
    delivery: { ...DEFAULT_DELIVERY, timeoutMs: 2000, retryBaseMs: 20, retryMaxMs: 50, closeTimeoutMs: 2000 },
    ...over,
  };
}

export interface Received {
  headers: IncomingHttpHeaders;
  /** The raw body, as the signature covers it. */
  body: string;
}

/** An HTTP receiver answering each POST with the next status of `statuses` (the last one repeats); `hang` never answers. */
export async function webhookReceiver(statuses: Array<number | 'hang'>): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const status = statuses[Math.min(received.length - 1, statuses.length - 1)]!;
      if (status === 'hang') return;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'no');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/wastetrail?token=abc`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface Mail {
  from: string | undefined;
  to: string[];
  /** The raw message as it arrived (RFC 5322). */
  raw: string;
}

/** An SMTP server that insists on AUTH (PLAIN/LOGIN with SMTP_USER / SMTP_PASS) and keeps every message. */
export async function smtpReceiver(): Promise<{ port: number; mails: Mail[]; logins: string[]; close(): Promise<void> }> {
  const mails: Mail[] = [];
  const logins: string[] = [];
  const server = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      logins.push(`${auth.username ?? ''}:${auth.password === SMTP_PASS ? 'ok' : 'bad'}`);
      if (auth.username === SMTP_USER && auth.password === SMTP_PASS) return callback(null, { user: auth.username });
      return callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const from = session.envelope.mailFrom;
        mails.push({ from: from ? from.address : undefined, to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  const { port } = server.server.address() as AddressInfo;
  return { port, mails, logins, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The subject and the text body of a single-part message, decoded (RFC 2047 words; base64 or quoted-printable). */
export function decodeMail(raw: string): { subject: string; text: string; headers: Map<string, string> } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const body = raw.slice(split + 4);
  const headers = new Map(head.split('\r\n').map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()] as const));
  const words = (s: string) =>
    s.replace(/=\?utf-8\?([BQ])\?([^?]*)\?=\s*(?==\?)?/gi, (_w, enc: string, data: string) =>
      enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : qp(data.replace(/_/g, ' ')),
    );
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const text = encoding === 'base64' ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8') : encoding === 'quoted-printable' ? qp(body.replace(/=\r\n/g, '')) : body;
  return { subject: words(headers.get('subject') ?? ''), text: text.replace(/\r\n/g, '\n'), headers };
}

function qp(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '=' && /^[0-9A-F]{2}$/i.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(s[i]!, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}
