/**
 * The webhook signature: X-Wastetrail-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>.
 * The receiver recomputes the HMAC over the raw bytes it received (before any JSON parsing), compares
 * in constant time, and refuses a `t` outside its replay window (docs/server/notifications.md).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Wastetrail-Signature';
/** Five minutes either way, as receivers are told to allow. */
export const DEFAULT_REPLAY_WINDOW_S = 300;

export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  const t = Math.floor(unixSeconds);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`, 'utf8').digest('hex')}`;
}

export type SignatureCheck = { ok: true; t: number } | { ok: false; reason: 'MALFORMED' | 'BAD_SIGNATURE' | 'STALE' };

/** What a receiver does (and what the tests do): the recipe of the docs, in code. */
export function verifySignature(secret: string, rawBody: string | Buffer, header: string | undefined, nowSeconds: number, windowS = DEFAULT_REPLAY_WINDOW_S): SignatureCheck {
  const parts = new Map((header ?? '').split(',').map((p) => [p.slice(0, p.indexOf('=')).trim(), p.slice(p.indexOf('=') + 1).trim()] as const));
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1') ?? '';
  if (!Number.isSafeInteger(t) || !/^[0-9a-f]{64}$/.test(v1)) return { ok: false, reason: 'MALFORMED' };
  const expected = createHmac('sha256', secret).update(`${t}.`, 'utf8').update(rawBody).digest();
  if (!timingSafeEqual(expected, Buffer.from(v1, 'hex'))) return { ok: false, reason: 'BAD_SIGNATURE' };
  if (Math.abs(nowSeconds - t) > windowS) return { ok: false, reason: 'STALE' };
  return { ok: true, t };
}
