/**
 * The PostgreSQL schema (drizzle): the same tables as schema.sqlite.ts, in PostgreSQL's types (bytea for
 * the signed bytes and signatures, jsonb, bigint seqs). Migrations: server/drizzle/pg/, generated with
 * `WASTETRAIL_DIALECT=pg npx drizzle-kit generate --config server/drizzle.config.ts`.
 * Times stay RFC 3339 UTC text, as in SQLite, so both stores return the same values.
 */
import { sql } from 'drizzle-orm';
import { bigint, boolean, check, customType, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex, type AnyPgColumn } from 'drizzle-orm/pg-core';
import type { BagTrail } from '../custody/trail.ts';
import { CUSTODY_STEPS } from '../custody/trail.ts';
import { decodeStoredTrail, storedTrailText, trailOfStoredText } from './trail-column.ts';
import { ALERT_SEVERITIES, ALERT_STATUSES, BAG_STATES, CHANGE_KINDS, DEVICE_STATES, GEOFENCE_KINDS, INSTITUTION_KINDS, JURISDICTION_LEVELS, USER_ROLES, type ChangeKind, type DeviceKeyJson } from './vocabulary.ts';
import type { DrawFrame, DrawResult } from '../supervision/draw.ts';
import type { AlertEvidence, Inspection, ViolationEvidence } from './repository.ts';
import { DRAW_STATUSES, INSPECTION_OUTCOMES } from './repository.ts';
import { MANIFEST_STATUSES, type Manifest } from '../manifests/manifest.ts';

/** node-postgres reads and writes bytea as Buffer. */
const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

/** A bag's trail in its positional layout (trail-column.ts); node-postgres parses jsonb it reads. */
const storedTrail = customType<{ data: BagTrail; driverData: unknown }>({
  dataType: () => 'jsonb',
  toDriver: storedTrailText,
  fromDriver: (value) => (typeof value === 'string' ? trailOfStoredText(value) : decodeStoredTrail(value)),
});

/** A CHECK that a text column holds one of a closed set of words. */
const oneOf = (name: string, column: string, values: readonly string[]) =>
  check(name, sql.raw(`${column} in (${values.map((v) => `'${v}'`).join(', ')})`));

export const jurisdictions = pgTable(
  'jurisdictions',
  {
    id: text('id').primaryKey(),
    parent: text('parent').references((): AnyPgColumn => jurisdictions.id),
    level: text('level', { enum: JURISDICTION_LEVELS }).notNull(),
    name: text('name').notNull(),
  },
  (t) => [oneOf('jurisdictions_level', 'level', JURISDICTION_LEVELS), index('jurisdictions_parent').on(t.parent)],
);

export const institutions = pgTable(
  'institutions',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    kind: text('kind', { enum: INSTITUTION_KINDS }).notNull(),
    jurisdiction: text('jurisdiction')
      .notNull()
      .references(() => jurisdictions.id),
  },
  (t) => [oneOf('institutions_kind', 'kind', INSTITUTION_KINDS), index('institutions_jurisdiction').on(t.jurisdiction)],
);

export const departments = pgTable(
  'departments',
  {
    institution: text('institution')
      .notNull()
      .references(() => institutions.id),
    code: text('code').notNull(),
    name: text('name').notNull(),
  },
  (t) => [primaryKey({ columns: [t.institution, t.code] })],
);

export const devices = pgTable('devices', {
  id: text('id').primaryKey(),
  institution: text('institution')
    .notNull()
    .references(() => institutions.id),
  stations: jsonb('stations').$type<string[]>().notNull(),
  site: text('site'),
  keys: jsonb('keys').$type<DeviceKeyJson[]>().notNull(),
  createdAt: text('created_at').notNull(),
});

export const staffBadges = pgTable(
  'staff_badges',
  {
    badge: text('badge').primaryKey(),
    institution: text('institution')
      .notNull()
      .references(() => institutions.id),
    name: text('name').notNull(),
    role: text('role').notNull(),
    /** A card withdrawn (the person left): kept, so the trails it signed still name the person. */
    active: boolean('active').notNull().default(true),
    /** When the institution's admin last changed the entry (null: seeded before the registry had an API). */
    updatedAt: text('updated_at'),
  },
  (t) => [index('staff_badges_institution').on(t.institution)],
);

export const transportCompanies = pgTable('transport_companies', {
  id: text('id')
    .primaryKey()
    .references(() => institutions.id),
  licence: text('licence').notNull(),
});

export const vehicles = pgTable(
  'vehicles',
  {
    id: text('id').primaryKey(),
    company: text('company')
      .notNull()
      .references(() => transportCompanies.id),
    plate: text('plate').notNull(),
  },
  (t) => [index('vehicles_company').on(t.company)],
);

/** A vehicle's registered route (reference data): [lon, lat] degrees along the roads it is licensed to take. */
export const vehicleRoutes = pgTable('vehicle_routes', {
  vehicle: text('vehicle')
    .primaryKey()
    .references(() => vehicles.id),
  line: jsonb('line').$type<[number, number][]>().notNull(),
});

/** Where waste may be handled (reference data): a closed ring of [lon, lat] degrees around a hospital, disposal centre or depot. */
export const geofences = pgTable(
  'geofences',
  {
    id: text('id').primaryKey(),
    institution: text('institution')
      .notNull()
      .references(() => institutions.id),
    kind: text('kind', { enum: GEOFENCE_KINDS }).notNull(),
    ring: jsonb('ring').$type<[number, number][]>().notNull(),
  },
  (t) => [oneOf('geofences_kind', 'kind', GEOFENCE_KINDS), index('geofences_institution').on(t.institution)],
);

/** Which `track` and `door` records are about a vehicle (by plate) and the span of time they cover: how a track is found. */
export const vehicleTrackRecords = pgTable(
  'vehicle_track_records',
  {
    vehicle: text('vehicle').notNull(),
    device: text('device').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    fromTime: text('from_time').notNull(),
    toTime: text('to_time').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.device, t.seq] }),
    index('vehicle_track_records_vehicle_to').on(t.vehicle, t.toTime),
    // The tick reads every vehicle's recent track: without this SQLite walked all records in id order.
    index('vehicle_track_records_to').on(t.toTime),
  ],
);

export const records = pgTable(
  'records',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    device: text('device').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    hash: text('hash').notNull(),
    prev: text('prev').notNull(),
    kid: text('kid').notNull(),
    deviceTime: text('device_time').notNull(),
    receivedAt: text('received_at').notNull(),
    type: text('type').notNull(),
    bytes: bytea('bytes').notNull(),
    signature: bytea('signature').notNull(),
    body: jsonb('body').notNull(),
  },
  (t) => [uniqueIndex('records_device_seq').on(t.device, t.seq), index('records_hash').on(t.hash)],
);

export const recordTags = pgTable(
  'record_tags',
  {
    tag: text('tag').notNull(),
    device: text('device').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.tag, t.device, t.seq] })],
);

export const recordCorrections = pgTable(
  'record_corrections',
  {
    targetDevice: text('target_device').notNull(),
    targetSeq: bigint('target_seq', { mode: 'number' }).notNull(),
    device: text('device').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.targetDevice, t.targetSeq, t.device, t.seq] })],
);

export const quarantine = pgTable(
  'quarantine',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    receivedAt: text('received_at').notNull(),
    topic: text('topic'),
    code: text('code').notNull(),
    message: text('message').notNull(),
    device: text('device'),
    seq: bigint('seq', { mode: 'number' }),
    payload: bytea('payload').notNull(),
    payloadBytes: integer('payload_bytes').notNull(),
  },
  (t) => [index('quarantine_code').on(t.code), index('quarantine_device').on(t.device, t.seq)],
);

export const deviceStatus = pgTable(
  'device_status',
  {
    device: text('device').primaryKey(),
    state: text('state', { enum: DEVICE_STATES }),
    stateAt: text('state_at'),
    lastSeenAt: text('last_seen_at'),
    agent: text('agent'),
    backlog: bigint('backlog', { mode: 'number' }),
    ackedSeq: bigint('acked_seq', { mode: 'number' }),
    ackedHash: text('acked_hash'),
  },
  () => [oneOf('device_status_state', 'state', DEVICE_STATES)],
);

/**
 * Storage rooms' climate readings, one row per sample of a signed `climate` record (the record itself
 * is in `records`): tenths of a degree and of a percent, as signed. Written by the projection after the
 * commit, idempotent on (device, seq, sample); the room is keyed by its institution and room code.
 */
export const climateSamples = pgTable(
  'climate_samples',
  {
    device: text('device').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    sample: integer('sample').notNull(),
    hash: text('hash').notNull(),
    institution: text('institution').notNull(),
    room: text('room').notNull(),
    time: text('time').notNull(),
    temperature: integer('temperature').notNull(),
    humidity: integer('humidity').notNull(),
    outdoor: integer('outdoor'),
  },
  (t) => [primaryKey({ columns: [t.device, t.seq, t.sample] }), index('climate_samples_room_time').on(t.institution, t.room, t.time), index('climate_samples_time').on(t.time)],
);

export const alerts = pgTable(
  'alerts',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    rule: text('rule').notNull(),
    severity: text('severity', { enum: ALERT_SEVERITIES }).notNull(),
    dedupeKey: text('dedupe_key').notNull(),
    title: text('title').notNull(),
    institution: text('institution'),
    jurisdiction: text('jurisdiction'),
    bag: text('bag'),
    device: text('device'),
    status: text('status', { enum: ALERT_STATUSES }).notNull(),
    escalationLevel: integer('escalation_level').notNull(),
    occurrences: integer('occurrences').notNull(),
    openedAt: text('opened_at').notNull(),
    lastSeenAt: text('last_seen_at').notNull(),
    acknowledgedAt: text('acknowledged_at'),
    acknowledgedBy: text('acknowledged_by'),
    resolvedAt: text('resolved_at'),
    resolvedBy: text('resolved_by'),
    note: text('note'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull(),
    revision: integer('revision').notNull().default(0),
    currentSeverity: text('current_severity', { enum: ALERT_SEVERITIES }),
    subject: text('subject').notNull().default(''),
    messageKey: text('message_key').notNull().default(''),
    params: jsonb('params').$type<Record<string, string | number>>().notNull().default(sql`'{}'::jsonb`),
    evidence: jsonb('evidence').$type<AlertEvidence[]>().notNull().default(sql`'[]'::jsonb`),
    sinceAt: text('since_at'),
    awaitingAckSince: text('awaiting_ack_since'),
    conditionClearedAt: text('condition_cleared_at'),
    acknowledgeNote: text('acknowledge_note'),
  },
  (t) => [
    uniqueIndex('alerts_dedupe_unresolved').on(t.dedupeKey).where(sql.raw(`status <> 'resolved'`)),
    index('alerts_dedupe').on(t.dedupeKey, t.id),
    index('alerts_unresolved_subject').on(t.rule, t.subject).where(sql.raw(`status <> 'resolved'`)),
    index('alerts_status').on(t.status, t.openedAt),
    index('alerts_institution').on(t.institution),
    index('alerts_jurisdiction').on(t.jurisdiction),
    index('alerts_device').on(t.device),
    index('alerts_bag').on(t.bag),
    oneOf('alerts_severity', 'severity', ALERT_SEVERITIES),
    oneOf('alerts_status_valid', 'status', ALERT_STATUSES),
    check('alerts_escalation_level', sql.raw('escalation_level between 1 and 3')),
  ],
);

export const bags = pgTable(
  'bags',
  {
    bag: text('bag').primaryKey(),
    tags: jsonb('tags').$type<string[]>().notNull(),
    institution: text('institution'),
    department: text('department'),
    category: text('category'),
    state: text('state', { enum: BAG_STATES }).notNull(),
    sealedAt: text('sealed_at'),
    sealedGrams: integer('sealed_grams'),
    sealedDay: text('sealed_day'),
    lastStep: text('last_step', { enum: CUSTODY_STEPS }),
    lastStepAt: text('last_step_at'),
    pickedUpAt: text('picked_up_at'),
    receivedAt: text('received_at'),
    receivedGrams: integer('received_grams'),
    disposedAt: text('disposed_at'),
    vehicle: text('vehicle'),
    manifest: text('manifest'),
    disposalInstitution: text('disposal_institution'),
    anomalies: integer('anomalies').notNull(),
    trail: storedTrail('trail'),
  },
  (t) => [
    index('bags_institution_sealed').on(t.institution, t.sealedAt),
    index('bags_institution_day').on(t.institution, t.sealedDay),
    index('bags_disposal_sealed').on(t.disposalInstitution, t.sealedAt),
    index('bags_sealed').on(t.sealedAt),
    index('bags_state').on(t.state, t.lastStepAt),
    index('bags_last_step_at').on(t.lastStepAt),
    index('bags_manifest').on(t.manifest),
    index('bags_vehicle').on(t.vehicle, t.sealedAt),
    oneOf('bags_state_valid', 'state', BAG_STATES),
  ],
);

export const bagTags = pgTable(
  'bag_tags',
  {
    tag: text('tag').notNull(),
    bag: text('bag')
      .notNull()
      .references(() => bags.bag, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.tag, t.bag] }), index('bag_tags_bag').on(t.bag)],
);

export const users = pgTable(
  'users',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    username: text('username').notNull().unique(),
    passwordHash: text('password_hash').notNull(),
    role: text('role', { enum: USER_ROLES }).notNull(),
    scope: text('scope'),
    createdAt: text('created_at').notNull(),
  },
  () => [oneOf('users_role', 'role', USER_ROLES)],
);

export const sessions = pgTable(
  'sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: bigint('user_id', { mode: 'number' })
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: text('created_at').notNull(),
    expiresAt: text('expires_at').notNull(),
  },
  (t) => [index('sessions_user').on(t.userId), index('sessions_expires').on(t.expiresAt)],
);

// ---- Supervision (server/src/supervision) ----

export const violations = pgTable(
  'violations',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    institution: text('institution').notNull(),
    violation: text('violation').notNull(),
    points: integer('points').notNull(),
    alertId: bigint('alert_id', { mode: 'number' }).references(() => alerts.id),
    inspectionId: bigint('inspection_id', { mode: 'number' }).references(() => inspections.id),
    note: text('note').notNull(),
    confirmedBy: text('confirmed_by').notNull(),
    confirmedAt: text('confirmed_at').notNull(),
    evidence: jsonb('evidence').$type<ViolationEvidence>().notNull(),
  },
  (t) => [
    uniqueIndex('violations_alert').on(t.alertId).where(sql.raw('alert_id is not null')),
    index('violations_institution').on(t.institution, t.confirmedAt),
    index('violations_confirmed').on(t.confirmedAt),
  ],
);

export const inspections = pgTable(
  'inspections',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    institution: text('institution').notNull(),
    drawId: bigint('draw_id', { mode: 'number' }).references(() => draws.id),
    inspectors: jsonb('inspectors').$type<string[]>().notNull(),
    date: text('date').notNull(),
    outcome: text('outcome', { enum: INSPECTION_OUTCOMES }).notNull(),
    findings: jsonb('findings').$type<Inspection['findings']>().notNull(),
    recordedBy: text('recorded_by').notNull(),
    recordedAt: text('recorded_at').notNull(),
  },
  (t) => [index('inspections_institution').on(t.institution, t.date), index('inspections_draw').on(t.drawId), oneOf('inspections_outcome', 'outcome', INSPECTION_OUTCOMES)],
);

export const inspectors = pgTable(
  'inspectors',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    jurisdiction: text('jurisdiction').notNull(),
    conflicts: jsonb('conflicts').$type<string[]>().notNull(),
  },
  (t) => [index('inspectors_jurisdiction').on(t.jurisdiction)],
);

export const draws = pgTable(
  'draws',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    jurisdiction: text('jurisdiction').notNull(),
    period: text('period').notNull(),
    ratio: doublePrecision('ratio').notNull(),
    seed: text('seed').notNull(),
    status: text('status', { enum: DRAW_STATUSES }).notNull(),
    announcedAt: text('announced_at').notNull(),
    announcedBy: text('announced_by').notNull(),
    drawnAt: text('drawn_at'),
    frame: jsonb('frame').$type<DrawFrame>().notNull(),
    frameHash: text('frame_hash').notNull(),
    result: jsonb('result').$type<DrawResult>(),
    resultHash: text('result_hash'),
  },
  (t) => [index('draws_jurisdiction').on(t.jurisdiction, t.id), oneOf('draws_status', 'status', DRAW_STATUSES)],
);

// ---- The verifiable log (docs/protocol/log.md, docs/server/storage.md) ----

/** One leaf per stored record, appended in the transaction that stores it: `idx` is dense and in commit order. */
export const logLeaves = pgTable(
  'log_leaves',
  {
    index: bigint('idx', { mode: 'number' }).primaryKey(),
    device: text('device').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    /** recordLogEntry: record hash || signature (96 bytes), what entry bundles publish. */
    entry: bytea('entry').notNull(),
    leafHash: bytea('leaf_hash').notNull(),
  },
  (t) => [uniqueIndex('log_leaves_device_seq').on(t.device, t.seq)],
);

/** Every complete subtree above the leaves (level >= 1), written once when its last leaf is appended: tiles and proofs read it. */
export const logNodes = pgTable(
  'log_nodes',
  {
    level: integer('level').notNull(),
    index: bigint('idx', { mode: 'number' }).notNull(),
    hash: bytea('hash').notNull(),
  },
  (t) => [primaryKey({ columns: [t.level, t.index] })],
);

/** One row (id 1, made by the migration): the tree size. Appends lock it (FOR UPDATE), so concurrent committers never get the same index. */
export const logHead = pgTable(
  'log_head',
  {
    id: integer('id').primaryKey(),
    /** Records with ids up to this were stored before the log: the store sequences them when it opens, then sets 0. */
    backlogThrough: bigint('backlog_through', { mode: 'number' }).notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
  },
  () => [check('log_head_one_row', sql`id = 1`)],
);

/** Every checkpoint the server signed (a C2SP signed note), kept: each one is a promise the log keeps. */
export const logCheckpoints = pgTable('log_checkpoints', {
  size: bigint('size', { mode: 'number' }).primaryKey(),
  note: text('note').notNull(),
  signedAt: text('signed_at').notNull(),
});

/** Witness cosignatures of kept checkpoints (c2sp.org/tlog-cosignature): one line per witness and size. */
export const logCosignatures = pgTable(
  'log_cosignatures',
  {
    size: bigint('size', { mode: 'number' })
      .notNull()
      .references(() => logCheckpoints.size),
    /** The witness's verifier key (<name>+<key id>+<base64 key>). */
    witness: text('witness').notNull(),
    /** The note signature line, with its newline. */
    line: text('line').notNull(),
    addedAt: text('added_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.size, t.witness] })],
);

/** The manifest projection (schema.sqlite.ts has the notes). */
export const manifests = pgTable(
  'manifests',
  {
    manifest: text('manifest').primaryKey(),
    status: text('status', { enum: MANIFEST_STATUSES }).notNull(),
    producer: text('producer'),
    transporter: text('transporter'),
    receiver: text('receiver'),
    vehicle: text('vehicle'),
    startedAt: text('started_at').notNull(),
    lastAt: text('last_at').notNull(),
    closedAt: text('closed_at'),
    discrepancies: integer('discrepancies').notNull(),
    data: jsonb('data').$type<Manifest>().notNull(),
  },
  (t) => [
    index('manifests_producer').on(t.producer, t.startedAt),
    index('manifests_transporter').on(t.transporter, t.startedAt),
    index('manifests_receiver').on(t.receiver, t.startedAt),
    index('manifests_vehicle').on(t.vehicle, t.startedAt),
    index('manifests_started').on(t.startedAt),
    index('manifests_open').on(t.closedAt, t.lastAt),
    oneOf('manifests_status_valid', 'status', MANIFEST_STATUSES),
  ],
);

// ---- The change feed and its webhook subscriptions (docs/interop/changes.md) ----

/**
 * One row per change of a record, bag or alert, written by triggers (migration 0010) in the transaction
 * of the change itself, which first takes the feed's advisory lock: ids are handed out, and committed,
 * in order, so `id` is the feed's durable, monotonic cursor.
 */
export const changes = pgTable(
  'changes',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    kind: text('kind', { enum: CHANGE_KINDS }).notNull(),
    key: text('key').notNull(),
  },
  () => [oneOf('changes_kind', 'kind', CHANGE_KINDS)],
);

export const subscriptions = pgTable(
  'subscriptions',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    userId: bigint('user_id', { mode: 'number' })
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    secret: text('secret').notNull(),
    kinds: jsonb('kinds').$type<ChangeKind[]>().notNull(),
    createdAt: text('created_at').notNull(),
    deliveredThrough: bigint('delivered_through', { mode: 'number' }).notNull(),
    failures: integer('failures').notNull(),
    nextAttemptAt: text('next_attempt_at').notNull(),
    lastError: text('last_error'),
    leaseUntil: text('lease_until'),
  },
  (t) => [index('subscriptions_user').on(t.userId)],
);
