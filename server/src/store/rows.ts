/**
 * Rows of the bag projection and the alerts table, to and from the repository's types, and the parts
 * of the supervision queries that do not depend on the dialect. Both dialects' schemas have the same
 * columns (schema.sqlite.ts, schema.pg.ts), so one mapping serves both.
 */
import { and, asc, eq, gte, inArray, isNotNull, lt, lte, ne, sql, type Column, type SQL } from 'drizzle-orm';
import type { EventBody, EventType, WasteCategory } from '@wastetrail/firmware-protocol';
import type { BagTrail } from '../custody/index.ts';
import type { Alert, AlertEvidence, BagSummary, DeviceRegistration, Draw, Inspector, NewAlert, NewDraw, ProjectedBag, StoredRecord } from './repository.ts';
import type { AlertSeverity, AlertStatus, BagOrder } from './vocabulary.ts';

/** The columns of `alerts`, as either dialect's driver reads them. */
export interface AlertRow {
  id: number;
  revision: number;
  rule: string;
  severity: AlertSeverity;
  currentSeverity: AlertSeverity | null;
  dedupeKey: string;
  subject: string;
  title: string;
  messageKey: string;
  params: Record<string, string | number>;
  institution: string | null;
  jurisdiction: string | null;
  bag: string | null;
  device: string | null;
  status: AlertStatus;
  escalationLevel: number;
  openedAt: string;
  awaitingAckSince: string | null;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  acknowledgeNote: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  note: string | null;
  sinceAt: string | null;
  conditionClearedAt: string | null;
  evidence: AlertEvidence[];
  occurrences: number;
  lastSeenAt: string;
  details: Record<string, unknown>;
}

export function alertFromRow(r: AlertRow): Alert {
  return {
    id: r.id,
    revision: r.revision,
    rule: r.rule,
    severity: r.severity,
    // Rows written before the alert book kept these columns fall back to what they had.
    currentSeverity: r.currentSeverity ?? r.severity,
    dedupeKey: r.dedupeKey,
    subject: r.subject,
    title: r.title,
    messageKey: r.messageKey === '' ? r.rule : r.messageKey,
    params: r.params,
    institution: r.institution,
    jurisdiction: r.jurisdiction,
    bag: r.bag,
    device: r.device,
    status: r.status,
    escalationLevel: r.escalationLevel,
    openedAt: r.openedAt,
    awaitingAckSince: r.awaitingAckSince ?? r.openedAt,
    acknowledgedAt: r.acknowledgedAt,
    acknowledgedBy: r.acknowledgedBy,
    acknowledgeNote: r.acknowledgeNote,
    resolvedAt: r.resolvedAt,
    resolvedBy: r.resolvedBy,
    note: r.note,
    since: r.sinceAt ?? r.openedAt,
    conditionClearedAt: r.conditionClearedAt,
    evidence: r.evidence,
    occurrences: r.occurrences,
    lastSeenAt: r.lastSeenAt,
    details: r.details,
  };
}

/**
 * What updateAlert writes: every column the alert book may change. `occurrences` and `last_seen_at`
 * are left out: recordAlertSightings counts them without a revision, so a write-back never undoes one.
 */
export function alertChanges(a: NewAlert): Omit<AlertRow, 'id' | 'revision' | 'occurrences' | 'lastSeenAt'> {
  return {
    rule: a.rule,
    severity: a.severity,
    currentSeverity: a.currentSeverity,
    dedupeKey: a.dedupeKey,
    subject: a.subject,
    title: a.title,
    messageKey: a.messageKey,
    params: a.params,
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
    sinceAt: a.since,
    conditionClearedAt: a.conditionClearedAt,
    evidence: a.evidence,
    details: a.details,
  };
}

export function newAlertRow(a: NewAlert): Omit<AlertRow, 'id'> {
  return { ...alertChanges(a), revision: 0, occurrences: a.occurrences, lastSeenAt: a.lastSeenAt };
}

/** The columns of `bags`: a bag's summary (category as stored text) and its trail. */
export type BagRow = Omit<BagSummary, 'category'> & { category: string | null; trail: BagTrail | null };

export function bagFromRow(r: Omit<BagRow, 'trail'>): BagSummary {
  return {
    bag: r.bag,
    tags: r.tags,
    institution: r.institution,
    department: r.department,
    category: r.category as WasteCategory | null,
    state: r.state,
    sealedAt: r.sealedAt,
    sealedGrams: r.sealedGrams,
    sealedDay: r.sealedDay,
    lastStep: r.lastStep,
    lastStepAt: r.lastStepAt,
    pickedUpAt: r.pickedUpAt,
    receivedAt: r.receivedAt,
    receivedGrams: r.receivedGrams,
    disposedAt: r.disposedAt,
    vehicle: r.vehicle,
    manifest: r.manifest,
    disposalInstitution: r.disposalInstitution,
    anomalies: r.anomalies,
  };
}

export function bagRow(b: ProjectedBag): BagRow {
  const { trail, ...summary } = b;
  return { ...bagFromRow({ ...summary, tags: [...summary.tags] }), trail: trail ?? null };
}

/** The bag_tags rows of a bag: each of its tags once. */
export function bagTagRows(b: BagSummary): Array<{ tag: string; bag: string }> {
  return [...new Set(b.tags)].map((tag) => ({ tag, bag: b.bag }));
}

/** The record a correction targets, read from its body (appendRecords indexes it in record_corrections). */
export function correctionTarget(type: string, body: unknown): { device: string; seq: number } | undefined {
  if (type !== 'correction' || typeof body !== 'object' || body === null) return undefined;
  const target = (body as { target?: unknown }).target;
  if (typeof target !== 'object' || target === null) return undefined;
  const { device, seq } = target as { device?: unknown; seq?: unknown };
  return typeof device === 'string' && typeof seq === 'number' ? { device, seq } : undefined;
}

/**
 * The vehicle a `track` or `door` record is about and the time it covers (appendRecords indexes it in
 * vehicle_track_records): a track from its first fix to its last (the record's own time when it holds
 * none), a door event at its moment. Verified bodies only reach here, so the shape is the format's.
 */
export function vehicleSpanOf(type: string, body: unknown, deviceTime: string): { vehicle: string; fromTime: string; toTime: string } | undefined {
  if (type === 'door') {
    const b = body as EventBody<'door'>;
    return { vehicle: b.vehicle, fromTime: b.at, toTime: b.at };
  }
  if (type !== 'track') return undefined;
  const b = body as EventBody<'track'>;
  const times = [...b.fixes.map((f) => f.at), ...b.temperatures.map((x) => x.at)].sort();
  return { vehicle: b.vehicle, fromTime: times[0] ?? deviceTime, toTime: times.at(-1) ?? deviceTime };
}

/** Splits a list for IN (...) lists and multi-row inserts. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** searchBags' page when no limit is given. */
export const DEFAULT_BAG_PAGE = 100;

/** The ORDER BY of a bag search (BagFilter.order): by sealing time, never-sealed bags last, then by bag id. */
export function bagOrderBy(order: BagOrder | undefined, t: { sealedAt: Column; bag: Column }): SQL[] {
  return order === 'oldest' ? [sql`${t.sealedAt} asc nulls last`, asc(t.bag)] : [sql`${t.sealedAt} desc nulls last`, asc(t.bag)];
}

/** AND of the filter parts that are present; undefined when there are none (no WHERE). */
export function conjunction(parts: Array<SQL | undefined>): SQL | undefined {
  const present = parts.filter((p): p is SQL => p !== undefined);
  return present.length === 0 ? undefined : and(...present);
}

export function listOf<T>(v: T | T[] | undefined): T[] | undefined {
  return v === undefined ? undefined : Array.isArray(v) ? v : [v];
}

/** A device's keyring entry as stored (the keyring JSON's per-device object). */
export function registrationJson(d: DeviceRegistration): unknown {
  return {
    institution: d.institution,
    stations: d.stations,
    ...(d.site !== undefined ? { site: d.site } : {}),
    keys: d.keys.map((k) => ({ publicKey: k.publicKey, ...(k.revokedAt !== undefined ? { revokedAt: k.revokedAt } : {}) })),
  };
}

/** A records row of either dialect (blobs come back as Buffers in both). */
export interface RecordRow {
  id: number;
  device: string;
  seq: number;
  hash: string;
  prev: string;
  kid: string;
  deviceTime: string;
  receivedAt: string;
  type: string;
  bytes: Uint8Array;
  signature: Uint8Array;
  body: unknown;
}

export function storedRecordFromRow(row: RecordRow): StoredRecord {
  return {
    id: row.id,
    device: row.device,
    seq: row.seq,
    hash: row.hash,
    prev: row.prev,
    kid: row.kid,
    deviceTime: row.deviceTime,
    receivedAt: row.receivedAt,
    type: row.type as EventType,
    bytes: new Uint8Array(row.bytes),
    signature: new Uint8Array(row.signature),
    body: row.body,
  };
}

// ---- Supervision: what both dialects' queries share (their tables have the same columns) ----

/** violations(): of these institutions, confirmed from `from` (inclusive) to `to` (exclusive). */
export function violationsWhere(v: { institution: Column; confirmedAt: Column }, filter: { institutions?: readonly string[]; from?: string; to?: string }): SQL | undefined {
  return conjunction([
    filter.institutions ? inArray(v.institution, [...filter.institutions]) : undefined,
    filter.from !== undefined ? gte(v.confirmedAt, filter.from) : undefined,
    filter.to !== undefined ? lt(v.confirmedAt, filter.to) : undefined,
  ]);
}

/** inspections(): of these institutions, of this draw. */
export function inspectionsWhere(i: { institution: Column; drawId: Column }, filter: { institutions?: readonly string[]; drawId?: number }): SQL | undefined {
  return conjunction([
    filter.institutions ? inArray(i.institution, [...filter.institutions]) : undefined,
    filter.drawId !== undefined ? eq(i.drawId, filter.drawId) : undefined,
  ]);
}

/** inspectors() and draws(): in these jurisdictions. */
export function jurisdictionsWhere(jurisdiction: Column, jurisdictions: readonly string[] | undefined): SQL | undefined {
  return jurisdictions ? inArray(jurisdiction, [...jurisdictions]) : undefined;
}

/** What upsertInspector writes over an inspector of the same id. */
export function inspectorChanges(i: Inspector): Omit<Inspector, 'id'> {
  return { name: i.name, jurisdiction: i.jurisdiction, conflicts: [...i.conflicts] };
}

/** The row insertDraw writes: announced, not drawn yet. */
export function announcedDrawRow(d: NewDraw): Omit<Draw, 'id'> {
  return { ...d, status: 'announced', drawnAt: null, result: null, resultHash: null };
}

/** alertsOpenedPerInstitution(): the count per institution, of alerts about one opened from `from` to `to`. */
export function alertsOpenedColumns<C extends Column>(alerts: { institution: C }): { institution: C; n: SQL<number> } {
  return { institution: alerts.institution, n: sql<number>`cast(count(*) as integer)` };
}

export function alertsOpenedWhere(alerts: { institution: Column; openedAt: Column }, from: string, to: string): SQL {
  return and(isNotNull(alerts.institution), gte(alerts.openedAt, from), lt(alerts.openedAt, to))!;
}

export function countsPerInstitution(rows: ReadonlyArray<{ institution: string | null; n: number }>): Map<string, number> {
  return new Map(rows.map((r) => [r.institution!, r.n]));
}

type SealedTotalsBags = Record<'institution' | 'state' | 'sealedGrams' | 'receivedGrams' | 'pickedUpAt' | 'sealedAt' | 'sealedDay', Column>;

/** What sealedTotals' query says differently in each dialect. */
export interface SealedTotalsDialect {
  /** The type sums of grams are cast to (they are read back as JavaScript numbers). */
  gramsType: 'bigint' | 'integer';
  /** The count of bags picked up within 48 h of sealing (timestamps are ISO text, subtracted as each dialect can). */
  handedOverWithin48h(bags: SealedTotalsBags): SQL<number>;
}

/** sealedTotals(): per institution, its bags and grams sealed, disposed, and handed over within 48 h. */
export function sealedTotalsColumns(bags: SealedTotalsBags, dialect: SealedTotalsDialect) {
  const disposed = sql`${bags.state} = 'disposed'`;
  const grams = sql.raw(dialect.gramsType);
  return {
    institution: sql<string>`${bags.institution}`,
    bags: sql<number>`cast(count(*) as integer)`,
    sealedGrams: sql<number>`cast(coalesce(sum(${bags.sealedGrams}), 0) as ${grams})`.mapWith(Number),
    disposedBags: sql<number>`cast(sum(case when ${disposed} then 1 else 0 end) as integer)`,
    disposedGrams: sql<number>`cast(coalesce(sum(case when ${disposed} then ${bags.receivedGrams} end), 0) as ${grams})`.mapWith(Number),
    handedOverWithin48h: dialect.handedOverWithin48h(bags),
  };
}

/** sealedTotals(): bags of an institution sealed from fromDay to toDay (inclusive), voided left out. */
export function sealedTotalsWhere(bags: SealedTotalsBags, fromDay: string, toDay: string): SQL {
  return and(isNotNull(bags.institution), gte(bags.sealedDay, fromDay), lte(bags.sealedDay, toDay), ne(bags.state, 'voided'))!;
}
