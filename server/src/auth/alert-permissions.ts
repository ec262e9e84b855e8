/**
 * Who may do what to an alert they can see (canSeeAlert decides that first). Pure: one table, per rule
 * and role. docs/server/alerting.md#who-may-act-on-an-alert has the same table and the reasons.
 *
 * - acknowledge: "we are dealing with it"; it stops the escalation, so a suspect never may.
 * - explain: add a note (what happened, from where the party stands); status and escalation unchanged.
 * - resolve: close it with a note saying what was done.
 *
 * The party concerned explains. Operations (a bag waiting too long, a silent device) are the business
 * of the institution they happen at: it acknowledges and resolves. What concerns dumping, trading
 * (skimmed kilograms), tampering and the integrity of records is resolved by a regulator, or by the
 * head of the hospital the waste came from when the hospital is not itself the suspect (a bag missing
 * on a carrier's vehicle); the suspects only explain. A party not concerned cannot act at all.
 */
import { RULE_IDS, type RuleId } from '../rules/candidate.ts';
import type { UserRole } from '../store/index.ts';
import type { Principal } from './scope.ts';

export const ALERT_ACTIONS = ['acknowledge', 'explain', 'resolve'] as const;
export type AlertAction = (typeof ALERT_ACTIONS)[number];

/** The roles that can see alerts at all; the public never acts on one. */
export type AlertActorRole = Exclude<UserRole, 'public'>;

const ALL: readonly AlertAction[] = ['acknowledge', 'explain', 'resolve'];
const EXPLAIN: readonly AlertAction[] = ['explain'];
const NONE: readonly AlertAction[] = [];

export const ALERT_PERMISSIONS: Record<RuleId, Record<AlertActorRole, readonly AlertAction[]>> = {
  // Operations at the hospital: its own to deal with; the carrier explains a late collection.
  'storage-overdue': { regulator: ALL, institution_admin: ALL, transport: EXPLAIN, disposal: NONE },
  'department-unsent': { regulator: ALL, institution_admin: ALL, transport: NONE, disposal: NONE },
  'collection-overdue': { regulator: ALL, institution_admin: ALL, transport: EXPLAIN, disposal: NONE },
  // The storage room's climate (the 25/20 °C rule, its sensor silent): the hospital's cold room to fix.
  'storage-climate': { regulator: ALL, institution_admin: ALL, transport: NONE, disposal: NONE },
  'climate-silent': { regulator: ALL, institution_admin: ALL, transport: NONE, disposal: NONE },
  // A device's silence: the institution that owns it (every role sees only its own device's).
  'device-silent': { regulator: ALL, institution_admin: ALL, transport: ALL, disposal: ALL },
  // Dumping, suspect the carrier: the hospital's head or a regulator closes it.
  'missing-in-transit': { regulator: ALL, institution_admin: ALL, transport: EXPLAIN, disposal: EXPLAIN },
  // Dumping or trading: a bag nobody sealed reached the furnace; whoever brought or took it explains.
  'unknown-origin': { regulator: ALL, institution_admin: EXPLAIN, transport: EXPLAIN, disposal: EXPLAIN },
  // Trading (skimmed kilograms): every holder of the bag is a suspect.
  'weight-discrepancy': { regulator: ALL, institution_admin: EXPLAIN, transport: EXPLAIN, disposal: EXPLAIN },
  'mass-balance': { regulator: ALL, institution_admin: EXPLAIN, transport: EXPLAIN, disposal: EXPLAIN },
  // Tampering and integrity: of tags, custody order, records and devices.
  'cloned-tag': { regulator: ALL, institution_admin: EXPLAIN, transport: EXPLAIN, disposal: EXPLAIN },
  'out-of-order': { regulator: ALL, institution_admin: EXPLAIN, transport: EXPLAIN, disposal: EXPLAIN },
  integrity: { regulator: ALL, institution_admin: EXPLAIN, transport: EXPLAIN, disposal: EXPLAIN },
  // The transfer manifest: bags missing or refused between parties, and a manifest left open; every
  // party to it explains, a regulator decides (the manifest's alerts are filed under its producer).
  'manifest-discrepancy': { regulator: ALL, institution_admin: EXPLAIN, transport: EXPLAIN, disposal: EXPLAIN },
  'manifest-unclosed': { regulator: ALL, institution_admin: EXPLAIN, transport: EXPLAIN, disposal: EXPLAIN },
  // The vehicle's conduct on the road: the carrier is the suspect and explains; a regulator closes it.
  'route-deviation': { regulator: ALL, institution_admin: NONE, transport: EXPLAIN, disposal: NONE },
  'abnormal-stop': { regulator: ALL, institution_admin: NONE, transport: EXPLAIN, disposal: NONE },
  'door-opened': { regulator: ALL, institution_admin: NONE, transport: EXPLAIN, disposal: NONE },
  // A loaded vehicle gone dark: the carrier's own device, as device-silent, but a regulator closes it.
  'vehicle-silent': { regulator: ALL, institution_admin: NONE, transport: EXPLAIN, disposal: NONE },
};

const isRuleId = (rule: string): rule is RuleId => (RULE_IDS as readonly string[]).includes(rule);

/**
 * What the principal may do to an alert of this rule that it can see. A rule this table does not know
 * (added later, not yet decided) is left to regulators.
 */
export function alertActionsAllowed(p: Pick<Principal, 'role'>, rule: string): readonly AlertAction[] {
  if (p.role === 'public') return NONE;
  if (!isRuleId(rule)) return p.role === 'regulator' ? ALL : NONE;
  return ALERT_PERMISSIONS[rule][p.role];
}

/** What the principal may do to the alert now: the table's actions that its status still allows. */
export function alertActionsNow(p: Pick<Principal, 'role'>, alert: { rule: string; status: string }): AlertAction[] {
  if (alert.status === 'resolved') return [];
  return alertActionsAllowed(p, alert.rule).filter((a) => a !== 'acknowledge' || alert.status === 'open');
}
