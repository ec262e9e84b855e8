/** E-mail through an SMTP server (nodemailer). One transport per notifier; one attempt per call. */
import { createRequire } from 'node:module';
import type Nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { AttemptResult } from './retry.ts';
import type { Delivery } from './route.ts';
import type { SmtpSettings } from './settings.ts';

export type EmailDelivery = Extract<Delivery, { channel: 'email' }>;

export interface EmailSender {
  send(d: EmailDelivery): Promise<AttemptResult>;
  close(): void;
}

export function smtpTransportOptions(s: SmtpSettings, timeoutMs: number): SMTPTransport.Options {
  return {
    host: s.host,
    port: s.port,
    secure: s.secure,
    requireTLS: !s.secure && s.starttls === 'required',
    ignoreTLS: !s.secure && s.starttls === 'never',
    ...(s.user !== undefined ? { auth: { user: s.user, pass: s.password ?? '' } } : {}),
    ...(s.ca !== undefined ? { tls: { ca: s.ca } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  };
}

export function smtpSender(s: SmtpSettings, timeoutMs: number): EmailSender {
  // Loaded only when e-mail is configured: most servers never send any (nodemailer is ~40 modules).
  const nodemailer = createRequire(import.meta.url)('nodemailer') as typeof Nodemailer;
  const transport = nodemailer.createTransport(smtpTransportOptions(s, timeoutMs));
  return {
    async send(d) {
      try {
        await transport.sendMail({ from: s.from, to: d.to, subject: d.subject, text: d.text, headers: { 'X-Wastetrail-Delivery': d.id, 'X-Wastetrail-Alert': String(d.alertId) } });
        return { ok: true };
      } catch (err) {
        const e = err as Error & { code?: string; responseCode?: number; response?: string };
        const reason = [e.code, e.responseCode, e.response ?? e.message].filter((x) => x !== undefined).join(' ');
        // The server answered: 4xx is "try later", 5xx (bad address, refused login) is final.
        if (typeof e.responseCode === 'number') return { ok: false, retryable: e.responseCode < 500, status: e.responseCode, reason };
        return { ok: false, retryable: true, reason };
      }
    },
    close() {
      transport.close();
    },
  };
}
