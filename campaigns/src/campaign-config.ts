/**
 * The campaigns' one change to the gateway's defaults: its per-device rate limit (50 messages/s, a
 * burst of 500; docs/gateway/README.md) would hold a campaign's device connections to a crawl and
 * disconnect them. The limit is not what these campaigns test; it has its own tests.
 */
export const CAMPAIGN_RATE = { rate: { messagesPerSecond: 1_000_000, burst: 1_000_000 } } as const;
