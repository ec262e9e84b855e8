/**
 * What the API shows of the domain's values: trails, alerts, devices, institutions, mapped to the
 * response schemas (schemas.ts). Pure.
 */
import { fromBase64, keyId } from '@wastetrail/firmware-protocol';
import { currentDwellMs, type CustodyStep } from '../custody/index.ts';
import { explanationsOf } from '../alerting/stored-alert.ts';
import { jurisdictionPath, type AlertAction } from '../auth/index.ts';
import { isMessageKey, renderAlertMessage, type Locale } from '../rules/messages.ts';
import type { Alert, DeviceRegistration, DeviceStatus, Institution, Jurisdiction, StaffBadge } from '../store/index.ts';
import type { LoadedBag } from '../exports/index.ts';
import type { TrailLog } from './trail-log.ts';
import type { AlertViewT, DeviceViewT, InstitutionViewT, StaffEntryT, TrailResponseT } from './schemas.ts';

type StepView = TrailResponseT['steps'][number];

function stepView(s: CustodyStep): StepView {
  return { ...s, badges: [...s.badges], record: { ...s.record } } as StepView;
}

/** A staff registry entry as the API shows it. */
export function staffView(b: StaffBadge): StaffEntryT {
  return { badge: b.badge, institution: b.institution, name: b.name, role: b.role as StaffEntryT['role'], active: b.active ?? true, updatedAt: b.updatedAt ?? null };
}

/** Every badge a trail names: its steps' and its voided steps' handlers. */
export function trailBadges(loaded: LoadedBag): string[] {
  const { trail } = loaded;
  return [...new Set([...trail.steps, ...trail.voided.map((v) => v.step)].flatMap((s) => s.badges))].sort();
}

/**
 * The trail as the API shows it; with the log (trailLog), each record's leaf and the proving checkpoint;
 * `staff`: the registry's entries of the trail's badges (trailBadges).
 */
export function trailView(loaded: LoadedBag, institutions: ReadonlyMap<string, Institution>, nowMs: number, log?: TrailLog, staff: readonly StaffBadge[] = []): TrailResponseT {
  const { trail, records } = loaded;
  const placeIds = new Set<string>();
  if (trail.institution) placeIds.add(trail.institution);
  for (const s of trail.steps) placeIds.add(s.institution);
  const dwell = trail.state === 'disposed' || trail.state === 'voided' ? undefined : currentDwellMs(trail, nowMs);
  const verified = records.filter((r) => r.verified).length;
  return {
    bag: trail.bag,
    tags: [...trail.tags],
    state: trail.state,
    institution: trail.institution ?? null,
    department: trail.department ?? null,
    category: trail.category ?? null,
    sealedGrams: trail.sealedGrams ?? null,
    box: trail.box ?? null,
    currentDwellMs: dwell === undefined ? null : Math.max(0, dwell),
    steps: trail.steps.map(stepView),
    voided: trail.voided.map((v) => ({ step: stepView(v.step), by: { ...v.by }, reason: v.reason })),
    anomalies: trail.anomalies.map((a) => ({ kind: a.kind, record: { ...a.record }, message: a.message })),
    places: [...placeIds].sort().map((id) => {
      const inst = institutions.get(id);
      return { id, name: inst?.name ?? null, kind: inst?.kind ?? null };
    }),
    records: records.map((r, i) => ({
      device: r.stored.device,
      seq: r.stored.seq,
      hash: r.stored.hash,
      type: r.stored.type,
      deviceTime: r.stored.deviceTime,
      receivedAt: r.stored.receivedAt,
      kid: r.stored.kid,
      verified: r.verified,
      ...(r.error ? { error: { ...r.error } } : {}),
      ...(log ? { leaf: log.leaves[i] ?? null } : {}),
    })),
    verification: { records: records.length, verified, failed: records.length - verified },
    staff: staff.map(staffView),
    ...(log ? { log: { key: log.key, checkpoint: log.checkpoint } } : {}),
  };
}

/** The locale asked for: `?lang=`, else the first of Accept-Language we speak, else English. */
export function negotiateLocale(lang: Locale | undefined, acceptLanguage: string | undefined): Locale {
  if (lang) return lang;
  for (const part of (acceptLanguage ?? '').split(',')) {
    const tag = part.split(';')[0]!.trim().toLowerCase();
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en';
  }
  return 'en';
}

/** An alert as the API shows it, with what the caller may do to it now (`actions`). */
export function alertView(a: Alert, locale: Locale, actions: readonly AlertAction[]): AlertViewT {
  return {
    id: a.id,
    rule: a.rule,
    severity: a.severity,
    currentSeverity: a.currentSeverity,
    subject: a.subject,
    title: a.title,
    message: isMessageKey(a.messageKey) ? renderAlertMessage(a.messageKey, a.params, locale) : a.title,
    messageKey: a.messageKey,
    params: { ...a.params },
    institution: a.institution,
    jurisdiction: a.jurisdiction,
    bag: a.bag,
    device: a.device,
    status: a.status,
    escalationLevel: a.escalationLevel,
    openedAt: a.openedAt,
    awaitingAckSince: a.awaitingAckSince,
    acknowledgedAt: a.acknowledgedAt,
    acknowledgedBy: a.acknowledgedBy,
    acknowledgeNote: a.acknowledgeNote,
    resolvedAt: a.resolvedAt,
    resolvedBy: a.resolvedBy,
    note: a.note,
    since: a.since,
    conditionClearedAt: a.conditionClearedAt,
    evidence: a.evidence.map((e) => ({ ...e })),
    occurrences: a.occurrences,
    lastSeenAt: a.lastSeenAt,
    explanations: explanationsOf(a),
    actions: [...actions],
    details: { ...a.details },
  };
}

export function institutionView(i: Institution, jurisdictions: readonly Jurisdiction[]): InstitutionViewT {
  const names = new Map(jurisdictions.map((j) => [j.id, j.name]));
  return {
    id: i.id,
    name: i.name,
    kind: i.kind,
    jurisdiction: i.jurisdiction,
    jurisdictionPath: jurisdictionPath(i.jurisdiction, jurisdictions).map((id) => ({ id, name: names.get(id) ?? null })),
  };
}

export function deviceView(d: DeviceRegistration, status: DeviceStatus | undefined): DeviceViewT {
  return {
    id: d.id,
    institution: d.institution,
    stations: [...d.stations],
    site: d.site ?? null,
    keys: d.keys.map((k) => {
      const spki = fromBase64(k.publicKey);
      return { kid: spki ? keyId(spki) : '', publicKey: k.publicKey, revokedAt: k.revokedAt ?? null };
    }),
    status: status
      ? { state: status.state, stateAt: status.stateAt, lastSeenAt: status.lastSeenAt, agent: status.agent, backlog: status.backlog, ackedSeq: status.ackedSeq, ackedHash: status.ackedHash }
      : null,
  };
}
