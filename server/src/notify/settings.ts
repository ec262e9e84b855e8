/**
 * What the notifications section of the server config holds once validated (server/src/config parses
 * it; docs/server/notifications.md describes every field).
 */

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
