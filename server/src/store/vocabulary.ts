/** The closed sets of words the store keeps, shared by every dialect's schema and the repository. */
import { CUSTODY_STEPS } from '../custody/trail.ts';
export { GEOFENCE_KINDS } from '../rules/transport.ts';

export const JURISDICTION_LEVELS = ['city', 'district', 'grid'] as const;
export const INSTITUTION_KINDS = ['hospital', 'clinic', 'transport', 'disposal'] as const;
export const ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const;
export const ALERT_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
/** The orders an alert list comes in: worst first (severity now, then oldest), oldest first, newest first. */
export const ALERT_ORDERS = ['worst', 'oldest', 'newest'] as const;
export const USER_ROLES = ['regulator', 'institution_admin', 'transport', 'disposal', 'public'] as const;
/** What a badge's holder does (staff: ward staff who seal; the rest hand over or dispose). */
export const STAFF_ROLES = ['staff', 'collector', 'keeper', 'crew', 'operator'] as const;
export const DEVICE_STATES = ['online', 'offline'] as const;
/** A bag's state in the projection: its last custody step, or voided (custody/trail.ts BagState). */
export const BAG_STATES = [...CUSTODY_STEPS, 'voided'] as const;
/** How a manifest search is ordered: by the first signature's time, newest or oldest first, or by number. */
export const MANIFEST_ORDERS = ['newest', 'oldest', 'number'] as const;
/** The states whose clocks run (neither disposed nor voided), listed so the state index can find them. */
export const BAG_STATES_IN_CUSTODY = BAG_STATES.filter((s) => s !== 'disposed' && s !== 'voided');
/** The orders a bag search comes in: by sealing time, newest or oldest first (bags never sealed last either way). */
export const BAG_ORDERS = ['newest', 'oldest'] as const;
export type BagOrder = (typeof BAG_ORDERS)[number];

export type JurisdictionLevel = (typeof JURISDICTION_LEVELS)[number];
export type InstitutionKind = (typeof INSTITUTION_KINDS)[number];
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];
export type AlertStatus = (typeof ALERT_STATUSES)[number];
export type AlertOrder = (typeof ALERT_ORDERS)[number];
export type UserRole = (typeof USER_ROLES)[number];
export type StaffRole = (typeof STAFF_ROLES)[number];
export type DeviceState = (typeof DEVICE_STATES)[number];
export type ManifestOrder = (typeof MANIFEST_ORDERS)[number];

/** One public key of a device, as the keyring JSON spells it (stored as JSON on the device row). */
export interface DeviceKeyJson {
  publicKey: string;
  revokedAt?: string;
}

/** What the change feed reports changes of (docs/interop/changes.md); manifests join when their table exists. */
export const CHANGE_KINDS = ['record', 'bag', 'alert', 'manifest'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];
