/**
 * Reconnect delays: exponential, capped, with "equal jitter" (half fixed, half random) so a fleet that
 * lost the broker at the same moment does not come back at the same moment.
 */
export interface BackoffRule {
  minMs: number;
  maxMs: number;
}

/** Delay before reconnect attempt `attempt` (0 for the first retry); `random` in [0, 1). */
export function backoffDelay(attempt: number, rule: BackoffRule, random: () => number): number {
  const exp = Math.min(rule.maxMs, rule.minMs * 2 ** Math.min(Math.max(0, attempt), 30));
  return Math.round(exp / 2 + (exp / 2) * random());
}
