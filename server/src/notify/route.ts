/**
 * Who is told of what: the alert book's notices in, the deliveries to make out. Pure. Only escalations
 * to the institution head (level 2) and the regulator (level 3) are sent outside; the handler (level 1)
 * sees an alert in the web UI. An alert that climbed two levels in one tick gives two escalations, and
 * each audience gets its own.
 */
import type { AlertNotice } from '../alerting/ledger.ts';
import { escalationEmail, escalationPayload, WEBHOOK_EVENT, type Escalation } from './message.ts';
import type { NotificationRecipients, NotificationsConfig, NotifiedLevel } from './settings.ts';

export type Delivery =
  | { channel: 'webhook'; id: string; url: string; secret: string; event: string; body: string; alertId: number; level: NotifiedLevel }
  | { channel: 'email'; id: string; to: string[]; subject: string; text: string; alertId: number; level: NotifiedLevel };

export type Channel = Delivery['channel'];

/** The escalations among the notices, each with when it happened (from the alert's history, else `nowMs`). */
export function escalationsOf(notices: readonly AlertNotice[], nowMs: number): Escalation[] {
  const out: Escalation[] = [];
  for (const { effect, alert } of notices) {
    if (effect.kind !== 'escalated') continue;
    const history = (alert.details as { escalations?: Array<{ level: number; at: string }> }).escalations;
    const at = Array.isArray(history) ? history.findLast((h) => h.level === effect.level)?.at : undefined;
    out.push({ alert, level: effect.level, at: typeof at === 'string' ? at : new Date(nowMs).toISOString() });
  }
  return out;
}

/**
 * The addresses for an escalation. Level 2: the institution's list, else the default. Level 3: the
 * list of the most specific jurisdiction on the alert's path (grid, then district, then city), else the
 * default. `jurisdictionPath` is broadest first, ending with the alert's own jurisdiction.
 */
export function recipientsFor(e: Escalation, recipients: NotificationRecipients, jurisdictionPath: readonly string[]): string[] {
  let list: readonly string[] | undefined;
  if (e.level === 2) {
    const inst = e.alert.institution;
    list = inst !== null && Object.hasOwn(recipients.institutionHead.byInstitution, inst) ? recipients.institutionHead.byInstitution[inst] : undefined;
    list ??= recipients.institutionHead.default;
  } else {
    const path = jurisdictionPath.length > 0 ? jurisdictionPath : e.alert.jurisdiction !== null ? [e.alert.jurisdiction] : [];
    for (const j of [...path].reverse()) {
      if (Object.hasOwn(recipients.regulator.byJurisdiction, j)) {
        list = recipients.regulator.byJurisdiction[j];
        break;
      }
    }
    list ??= recipients.regulator.default;
  }
  return [...new Set(list ?? [])];
}

/** Every delivery one escalation makes: a POST per webhook that takes its level, one e-mail to its recipients. */
export function planDeliveries(e: Escalation, config: NotificationsConfig, jurisdictionPath: readonly string[], newId: () => string): Delivery[] {
  const out: Delivery[] = [];
  const alertId = e.alert.id;
  for (const hook of config.webhooks) {
    if (!hook.levels.includes(e.level)) continue;
    const id = newId();
    out.push({ channel: 'webhook', id, url: hook.url, secret: hook.secret, event: WEBHOOK_EVENT, body: JSON.stringify(escalationPayload(e, id)), alertId, level: e.level });
  }
  if (config.smtp) {
    const to = recipientsFor(e, config.recipients, jurisdictionPath);
    if (to.length > 0) out.push({ channel: 'email', id: newId(), to, ...escalationEmail(e), alertId, level: e.level });
  }
  return out;
}
