/**
 * The SQLite schema (drizzle). Drizzle has no dialect-agnostic schema, so the PostgreSQL schema will be
 * a sibling file with the same tables; both sit behind repository.ts. Migrations are generated from
 * this file by drizzle-kit into server/drizzle/sqlite/ (docs/server/storage.md).
 *
 * Conventions: times are RFC 3339 UTC text (they sort as text), hashes lower-case hex, the signed record
 * bytes and signatures BLOBs, structured values JSON text.
 */
import { sql } from 'drizzle-orm';
import { blob, check, customType, index, integer, primaryKey, real, sqliteTable, text, uniqueIndex, type AnySQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { BagTrail } from '../custody/trail.ts';
import { CUSTODY_STEPS } from '../custody/trail.ts';
import { storedTrailText, trailOfStoredText } from './trail-column.ts';
import { ALERT_SEVERITIES, ALERT_STATUSES, BAG_STATES, CHANGE_KINDS, DEVICE_STATES, GEOFENCE_KINDS, INSTITUTION_KINDS, JURISDICTION_LEVELS, USER_ROLES, type ChangeKind, type DeviceKeyJson } from './vocabulary.ts';
import type { DrawFrame, DrawResult } from '../supervision/draw.ts';
import type { AlertEvidence, Inspection, ViolationEvidence } from './repository.ts';
import { DRAW_STATUSES, INSPECTION_OUTCOMES } from './repository.ts';
import { MANIFEST_STATUSES, type Manifest } from '../manifests/manifest.ts';

/** A bag's trail in its positional layout (trail-column.ts), as JSON text. */
const storedTrail = customType<{ data: BagTrail; driverData: string }>({
  dataType: () => 'text',
  toDriver: storedTrailText,
  fromDriver: trailOfStoredText,
});

/** A CHECK that a text column holds one of a closed set of words. */
const oneOf = (name: string, column: string, values: readonly string[]) =>
  check(name, sql.raw(`${column} in (${values.map((v) => `'${v}'`).join(', ')})`));

/** City > district > grid: the regulator's scope. */
export const jurisdictions = sqliteTable(
  'jurisdictions',
  {
    id: text('id').primaryKey(),
    parent: text('parent').references((): AnySQLiteColumn => jurisdictions.id),
    level: text('level', { enum: JURISDICTION_LEVELS }).notNull(),
    name: text('name').notNull(),
  },
  (t) => [oneOf('jurisdictions_level', 'level', JURISDICTION_LEVELS), index('jurisdictions_parent').on(t.parent)],
);

/** Hospitals, clinics, transport companies and disposal centres: whoever holds a bag or runs a device. */
export const institutions = sqliteTable(
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

/** A department's code is what a `sealed` record carries in `body.department`. */
export const departments = sqliteTable(
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

/** The keyring: a device, what it serves, and its keys (revoked ones stay, with revokedAt). */
export const devices = sqliteTable('devices', {
  id: text('id').primaryKey(),
  institution: text('institution')
    .notNull()
    .references(() => institutions.id),
  stations: text('stations', { mode: 'json' }).$type<string[]>().notNull(),
  site: text('site'),
  keys: text('keys', { mode: 'json' }).$type<DeviceKeyJson[]>().notNull(),
  createdAt: text('created_at').notNull(),
});

/** A badge id is the card's UID as the reader reports it: unique on its own. */
export const staffBadges = sqliteTable(
  'staff_badges',
  {
    badge: text('badge').primaryKey(),
    institution: text('institution')
      .notNull()
      .references(() => institutions.id),
    name: text('name').notNull(),
    role: text('role').notNull(),
    /** A card withdrawn (the person left): kept, so the trails it signed still name the person. */
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    /** When the institution's admin last changed the entry (null: seeded before the registry had an API). */
    updatedAt: text('updated_at'),
  },
  (t) => [index('staff_badges_institution').on(t.institution)],
);

/** A licensed transport company; it is also an institution of kind `transport` (same id), which owns its devices. */
export const transportCompanies = sqliteTable('transport_companies', {
  id: text('id')
    .primaryKey()
    .references(() => institutions.id),
  licence: text('licence').notNull(),
});

/** A vehicle: records name it by its plate (`body.vehicle` of `picked-up` and `received`; vehicleInRecords), not by `id`. */
export const vehicles = sqliteTable(
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
export const vehicleRoutes = sqliteTable('vehicle_routes', {
  vehicle: text('vehicle')
    .primaryKey()
    .references(() => vehicles.id),
  line: text('line', { mode: 'json' }).$type<[number, number][]>().notNull(),
});

/** Where waste may be handled (reference data): a closed ring of [lon, lat] degrees around a hospital, disposal centre or depot. */
export const geofences = sqliteTable(
  'geofences',
  {
    id: text('id').primaryKey(),
    institution: text('institution')
      .notNull()
      .references(() => institutions.id),
    kind: text('kind', { enum: GEOFENCE_KINDS }).notNull(),
    ring: text('ring', { mode: 'json' }).$type<[number, number][]>().notNull(),
  },
  (t) => [oneOf('geofences_kind', 'kind', GEOFENCE_KINDS), index('geofences_institution').on(t.institution)],
);

/**
 * Accepted records, exactly as signed. `id` is the server's acceptance order (a later Merkle log and
 * catch-up readers follow it); (device, seq) is unique, which is what makes ingest idempotent.
 */
export const records = sqliteTable(
  'records',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    device: text('device').notNull(),
    seq: integer('seq').notNull(),
    hash: text('hash').notNull(),
    prev: text('prev').notNull(),
    kid: text('kid').notNull(),
    deviceTime: text('device_time').notNull(),
    receivedAt: text('received_at').notNull(),
    type: text('type').notNull(),
    bytes: blob('bytes', { mode: 'buffer' }).notNull(),
    signature: blob('signature', { mode: 'buffer' }).notNull(),
    body: text('body', { mode: 'json' }).notNull(),
  },
  (t) => [uniqueIndex('records_device_seq').on(t.device, t.seq), index('records_hash').on(t.hash)],
);

/** Which `track` and `door` records are about a vehicle (by plate) and the span of time they cover: how a track is found. */
export const vehicleTrackRecords = sqliteTable(
  'vehicle_track_records',
  {
    vehicle: text('vehicle').notNull(),
    device: text('device').notNull(),
    seq: integer('seq').notNull(),
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

/** Which records name a tag: how a bag's trail is found. */
export const recordTags = sqliteTable(
  'record_tags',
  {
    tag: text('tag').notNull(),
    device: text('device').notNull(),
    seq: integer('seq').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tag, t.device, t.seq] })],
);

/**
 * Which records a correction targets (a correction names no tag, so record_tags cannot find it): how
 * a bag's trail finds the corrections of its records. Filled by appendRecords from the record body.
 */
export const recordCorrections = sqliteTable(
  'record_corrections',
  {
    targetDevice: text('target_device').notNull(),
    targetSeq: integer('target_seq').notNull(),
    device: text('device').notNull(),
    seq: integer('seq').notNull(),
  },
  (t) => [primaryKey({ columns: [t.targetDevice, t.targetSeq, t.device, t.seq] })],
);

/** What ingest refused, as it arrived, with the reason; never merged into a trail. */
export const quarantine = sqliteTable(
  'quarantine',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    receivedAt: text('received_at').notNull(),
    topic: text('topic'),
    code: text('code').notNull(),
    message: text('message').notNull(),
    device: text('device'),
    seq: integer('seq'),
    /** The envelope line, or the raw payload when no envelope could be read (possibly truncated). */
    payload: blob('payload', { mode: 'buffer' }).notNull(),
    payloadBytes: integer('payload_bytes').notNull(),
  },
  (t) => [index('quarantine_code').on(t.code), index('quarantine_device').on(t.device, t.seq)],
);

/** What the server last heard from and acknowledged to each device. */
export const deviceStatus = sqliteTable(
  'device_status',
  {
    device: text('device').primaryKey(),
    state: text('state', { enum: DEVICE_STATES }),
    stateAt: text('state_at'),
    lastSeenAt: text('last_seen_at'),
    agent: text('agent'),
    backlog: integer('backlog'),
    ackedSeq: integer('acked_seq'),
    ackedHash: text('acked_hash'),
  },
  () => [oneOf('device_status_state', 'state', DEVICE_STATES)],
);

/**
 * Storage rooms' climate readings, one row per sample of a signed `climate` record (the record itself
 * is in `records`): tenths of a degree and of a percent, as signed. Written by the projection after the
 * commit, idempotent on (device, seq, sample); the room is keyed by its institution and room code.
 */
export const climateSamples = sqliteTable(
  'climate_samples',
  {
    device: text('device').notNull(),
    seq: integer('seq').notNull(),
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

/**
 * Alerts, as the alert book (server/src/alerts) decides them: the store keeps rows and never decides.
 * `dedupe_key` is unique among alerts that are not resolved (a second process opening the same alert
 * at the same moment is refused); `revision` makes every write conditional on what was read.
 */
export const alerts = sqliteTable(
  'alerts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
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
    details: text('details', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    revision: integer('revision').notNull().default(0),
    currentSeverity: text('current_severity', { enum: ALERT_SEVERITIES }),
    subject: text('subject').notNull().default(''),
    messageKey: text('message_key').notNull().default(''),
    params: text('params', { mode: 'json' }).$type<Record<string, string | number>>().notNull().default(sql`'{}'`),
    evidence: text('evidence', { mode: 'json' }).$type<AlertEvidence[]>().notNull().default(sql`'[]'`),
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

/**
 * The bag projection: one row per bag, the summary of its trail as reconstructTrail rebuilds it from the
 * records (server/src/bags/), and the trail itself as JSON for the time rules. Derived data: it can be
 * rebuilt from `records` at any time.
 */
export const bags = sqliteTable(
  'bags',
  {
    bag: text('bag').primaryKey(),
    tags: text('tags', { mode: 'json' }).$type<string[]>().notNull(),
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

/** Every tag of a bag (its sealing record's tags): how a bag is found by the tag a reader saw. */
export const bagTags = sqliteTable(
  'bag_tags',
  {
    tag: text('tag').notNull(),
    bag: text('bag')
      .notNull()
      .references(() => bags.bag, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.tag, t.bag] }), index('bag_tags_bag').on(t.bag)],
);

/** Web users. `scope` is a jurisdiction id (regulator) or an institution / company id; none for public. */
export const users = sqliteTable(
  'users',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    username: text('username').notNull().unique(),
    passwordHash: text('password_hash').notNull(),
    role: text('role', { enum: USER_ROLES }).notNull(),
    scope: text('scope'),
    createdAt: text('created_at').notNull(),
  },
  () => [oneOf('users_role', 'role', USER_ROLES)],
);

/** Login sessions; only a hash of the session token is stored. */
export const sessions = sqliteTable(
  'sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: text('created_at').notNull(),
    expiresAt: text('expires_at').notNull(),
  },
  (t) => [index('sessions_user').on(t.userId), index('sessions_expires').on(t.expiresAt)],
);

// ---- Supervision (server/src/supervision) ----

/**
 * Violations a regulator confirmed, from an alert or an inspection: the bad-practice points of the
 * institution's credit. One per alert (`alert_id` unique where present); never edited.
 */
export const violations = sqliteTable(
  'violations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    institution: text('institution').notNull(),
    violation: text('violation').notNull(),
    points: integer('points').notNull(),
    alertId: integer('alert_id').references(() => alerts.id),
    inspectionId: integer('inspection_id').references(() => inspections.id),
    note: text('note').notNull(),
    confirmedBy: text('confirmed_by').notNull(),
    confirmedAt: text('confirmed_at').notNull(),
    evidence: text('evidence', { mode: 'json' }).$type<ViolationEvidence>().notNull(),
  },
  (t) => [
    uniqueIndex('violations_alert').on(t.alertId).where(sql.raw('alert_id is not null')),
    index('violations_institution').on(t.institution, t.confirmedAt),
    index('violations_confirmed').on(t.confirmedAt),
  ],
);

/** Inspections and what they found (each finding is also a row of `violations`). */
export const inspections = sqliteTable(
  'inspections',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    institution: text('institution').notNull(),
    drawId: integer('draw_id').references(() => draws.id),
    inspectors: text('inspectors', { mode: 'json' }).$type<string[]>().notNull(),
    date: text('date').notNull(),
    outcome: text('outcome', { enum: INSPECTION_OUTCOMES }).notNull(),
    findings: text('findings', { mode: 'json' }).$type<Inspection['findings']>().notNull(),
    recordedBy: text('recorded_by').notNull(),
    recordedAt: text('recorded_at').notNull(),
  },
  (t) => [index('inspections_institution').on(t.institution, t.date), index('inspections_draw').on(t.drawId), oneOf('inspections_outcome', 'outcome', INSPECTION_OUTCOMES)],
);

/** The inspector pool of a jurisdiction, with declared conflicts of interest (institution ids). */
export const inspectors = sqliteTable(
  'inspectors',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    jurisdiction: text('jurisdiction').notNull(),
    conflicts: text('conflicts', { mode: 'json' }).$type<string[]>().notNull(),
  },
  (t) => [index('inspectors_jurisdiction').on(t.jurisdiction)],
);

/** Inspection draws: the seed and the frame are frozen when announced; the result is added once, when drawn. */
export const draws = sqliteTable(
  'draws',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    jurisdiction: text('jurisdiction').notNull(),
    period: text('period').notNull(),
    ratio: real('ratio').notNull(),
    seed: text('seed').notNull(),
    status: text('status', { enum: DRAW_STATUSES }).notNull(),
    announcedAt: text('announced_at').notNull(),
    announcedBy: text('announced_by').notNull(),
    drawnAt: text('drawn_at'),
    frame: text('frame', { mode: 'json' }).$type<DrawFrame>().notNull(),
    frameHash: text('frame_hash').notNull(),
    result: text('result', { mode: 'json' }).$type<DrawResult>(),
    resultHash: text('result_hash'),
  },
  (t) => [index('draws_jurisdiction').on(t.jurisdiction, t.id), oneOf('draws_status', 'status', DRAW_STATUSES)],
);

// ---- The verifiable log (docs/protocol/log.md, docs/server/storage.md) ----

/** One leaf per stored record, appended in the transaction that stores it: `idx` is dense and in commit order. */
export const logLeaves = sqliteTable(
  'log_leaves',
  {
    index: integer('idx').primaryKey(),
    device: text('device').notNull(),
    seq: integer('seq').notNull(),
    /** recordLogEntry: record hash || signature (96 bytes), what entry bundles publish. */
    entry: blob('entry', { mode: 'buffer' }).notNull(),
    leafHash: blob('leaf_hash', { mode: 'buffer' }).notNull(),
  },
  (t) => [uniqueIndex('log_leaves_device_seq').on(t.device, t.seq)],
);

/** Every complete subtree above the leaves (level >= 1), written once when its last leaf is appended: tiles and proofs read it. */
export const logNodes = sqliteTable(
  'log_nodes',
  {
    level: integer('level').notNull(),
    index: integer('idx').notNull(),
    hash: blob('hash', { mode: 'buffer' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.level, t.index] })],
);

/** One row (id 1, made by the migration): the tree size. Appends lock it, so indexes are never handed out twice. */
export const logHead = sqliteTable(
  'log_head',
  {
    id: integer('id').primaryKey(),
    /** Records with ids up to this were stored before the log: the store sequences them when it opens, then sets 0. */
    backlogThrough: integer('backlog_through').notNull(),
    size: integer('size').notNull(),
  },
  () => [check('log_head_one_row', sql`id = 1`)],
);

/** Every checkpoint the server signed (a C2SP signed note), kept: each one is a promise the log keeps. */
export const logCheckpoints = sqliteTable('log_checkpoints', {
  size: integer('size').primaryKey(),
  note: text('note').notNull(),
  signedAt: text('signed_at').notNull(),
});

/** Witness cosignatures of kept checkpoints (c2sp.org/tlog-cosignature): one line per witness and size. */
export const logCosignatures = sqliteTable(
  'log_cosignatures',
  {
    size: integer('size')
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

/**
 * The manifest projection (server/src/manifests/): one row per transfer manifest, rebuilt from the
 * records that name it; the columns searches filter on, and the whole manifest as JSON. Derived data.
 */
export const manifests = sqliteTable(
  'manifests',
  {
    manifest: text('manifest').primaryKey(),
    status: text('status', { enum: MANIFEST_STATUSES }).notNull(),
    producer: text('producer'),
    transporter: text('transporter'),
    receiver: text('receiver'),
    vehicle: text('vehicle'),
    /** The first signature's time. */
    startedAt: text('started_at').notNull(),
    lastAt: text('last_at').notNull(),
    closedAt: text('closed_at'),
    /** Discrepancies (not warnings) found. */
    discrepancies: integer('discrepancies').notNull(),
    data: text('data', { mode: 'json' }).$type<Manifest>().notNull(),
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
 * of the change itself: `id` (AUTOINCREMENT: never reused) is the feed's durable, monotonic cursor.
 */
export const changes = sqliteTable(
  'changes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind', { enum: CHANGE_KINDS }).notNull(),
    /** The record's id, the bag's id, the alert's id (as text). */
    key: text('key').notNull(),
  },
  () => [oneOf('changes_kind', 'kind', CHANGE_KINDS)],
);

/** Webhook subscriptions to the change feed: what each subscriber acknowledged, and when to try again. */
export const subscriptions = sqliteTable(
  'subscriptions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    /** The HMAC-SHA256 key of the signatures (kept to sign with; shown to the subscriber once). */
    secret: text('secret').notNull(),
    kinds: text('kinds', { mode: 'json' }).$type<ChangeKind[]>().notNull(),
    createdAt: text('created_at').notNull(),
    /** The last change id the subscriber acknowledged with a 2xx: never sent again. */
    deliveredThrough: integer('delivered_through').notNull(),
    /** Failed attempts in a row, and when the next may be made. */
    failures: integer('failures').notNull(),
    nextAttemptAt: text('next_attempt_at').notNull(),
    lastError: text('last_error'),
    /** One deliverer at a time (several server processes on one database): a lease until then. */
    leaseUntil: text('lease_until'),
  },
  (t) => [index('subscriptions_user').on(t.userId)],
);
