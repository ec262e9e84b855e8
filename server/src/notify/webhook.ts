/**
 * One attempt at a webhook delivery: a signed JSON POST. Redirects are not followed (a 3xx is a refusal:
 * the body is signed for the URL configured, not for wherever it points).
 */
import { SIGNATURE_HEADER, signatureHeader } from './signature.ts';
import { classifyHttpStatus, parseRetryAfter, type AttemptResult } from './retry.ts';
import type { Delivery } from './route.ts';

export type WebhookDelivery = Extract<Delivery, { channel: 'webhook' }>;

export async function postWebhook(d: Pick<WebhookDelivery, 'id' | 'url' | 'secret' | 'event' | 'body'>, o: { timeoutMs: number; signal: AbortSignal; wallClockMs: () => number }): Promise<AttemptResult> {
  const nowMs = o.wallClockMs();
  // One signal for "too slow" and "shutting down" (AbortSignal.any needs Node 20.3).
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(new DOMException(`no answer within ${o.timeoutMs} ms`, 'TimeoutError')), o.timeoutMs);
  const onAbort = () => ctl.abort(o.signal.reason);
  if (o.signal.aborted) onAbort();
  else o.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const res = await fetch(d.url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'wastetrail-notify/1',
        'X-Wastetrail-Event': d.event,
        'X-Wastetrail-Delivery': d.id,
        [SIGNATURE_HEADER]: signatureHeader(d.secret, d.body, nowMs / 1000),
      },
      body: d.body,
      redirect: 'manual',
      signal: ctl.signal,
    });
    // The status is the answer; the body is not read (a receiver could send anything, of any size).
    await res.body?.cancel().catch(() => undefined);
    const result = classifyHttpStatus(res.status);
    if (result.ok) return result;
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), o.wallClockMs());
    return retryAfterMs !== undefined ? { ...result, retryAfterMs } : result;
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const reason = e.name === 'TimeoutError' ? `no answer within ${o.timeoutMs} ms` : e.name === 'AbortError' ? 'aborted' : (e.cause?.code ?? e.cause?.message ?? e.message);
    return { ok: false, retryable: true, reason };
  } finally {
    clearTimeout(timer);
    o.signal.removeEventListener('abort', onAbort);
  }
}
