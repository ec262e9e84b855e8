// Escalation notifications: signed webhooks and e-mail (docs/server/notifications.md).
export * from './settings.ts';
export { alertTexts, escalationEmail, escalationPayload, WEBHOOK_EVENT, type EmailMessage, type Escalation } from './message.ts';
export { escalationsOf, planDeliveries, recipientsFor, type Channel, type Delivery } from './route.ts';
export { DEFAULT_REPLAY_WINDOW_S, SIGNATURE_HEADER, signatureHeader, verifySignature, type SignatureCheck } from './signature.ts';
export { backoffMs, classifyHttpStatus, parseRetryAfter, type AttemptResult } from './retry.ts';
export { postWebhook } from './webhook.ts';
export { smtpSender, smtpTransportOptions, type EmailSender } from './email.ts';
export { startNotifier, type DeliveryOutcome, type Notifier, type NotifierOptions, type NotifierStats } from './notifier.ts';
export { storeJurisdictionPath } from './wiring.ts';
