/**
 * When to try a delivery again, and after how long. Pure. Network errors, timeouts, 5xx and 429 (and
 * SMTP 4xx replies) are worth another attempt; any other answer is final: the receiver looked at the
 * request and refused it, and would refuse it again.
 */
import type { DeliverySettings } from './settings.ts';

export type AttemptResult =
  | { ok: true; status?: number }
  | { ok: false; retryable: boolean; reason: string; status?: number; retryAfterMs?: number };

export function classifyHttpStatus(status: number): AttemptResult {
  if (status >= 200 && status < 300) return { ok: true, status };
  const retryable = status >= 500 || status === 429 || status === 408;
  return { ok: false, retryable, status, reason: `HTTP ${status}` };
}

/**
 * The wait before attempt `attempt + 1` (attempt counts from 1): full jitter over an exponential ceiling,
 * min(retryMaxMs, retryBaseMs * 2^(attempt-1)), so receivers that failed together are not hit together.
 * A Retry-After from the receiver is honoured up to retryMaxMs.
 */
export function backoffMs(attempt: number, s: Pick<DeliverySettings, 'retryBaseMs' | 'retryMaxMs'>, random: () => number = Math.random, retryAfterMs?: number): number {
  const ceiling = Math.min(s.retryMaxMs, s.retryBaseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.floor(random() * ceiling);
  return retryAfterMs !== undefined ? Math.min(s.retryMaxMs, Math.max(jittered, retryAfterMs)) : jittered;
}

/** Retry-After as seconds or an HTTP date, in ms from `nowMs`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value == null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
