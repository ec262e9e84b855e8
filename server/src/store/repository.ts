/**
 * What the server keeps, in the domain's words: the repository interface that ingest, custody, rules,
 * alerting and the HTTP API talk to, one interface per aggregate (at the end). queries/ implements them
 * once for both dialects; SQLite (sqlite.ts) and PostgreSQL (pg.ts) add their own transactions, and the
 * same contract tests run on both. Every method is async so the two are swappable, even though
 * better-sqlite3 does its work synchronously.
 */
import type { ChainHead, EventType, Hash, Keyring, NodeAddress, StationRole, WasteCategory } from '@wastetrail/firmware-protocol';
import type { BagState, BagTrail, CustodyStepKind } from '../custody/index.ts';
import type { DrawFrame, DrawResult } from '../supervision/draw.ts';
import type { Manifest, ManifestStatus } from '../manifests/manifest.ts';
import type { AlertOrder, AlertSeverity, AlertStatus, BagOrder, ChangeKind, DeviceState, InstitutionKind, JurisdictionLevel, ManifestOrder, UserRole } from './vocabulary.ts';
import type { GeofenceKind } from '../rules/transport.ts';

export type { AlertOrder, AlertSeverity, AlertStatus, BagOrder, ChangeKind, DeviceState, InstitutionKind, JurisdictionLevel, UserRole };

// ---- Records ----

/** A verified record, ready to store: the exact signed bytes plus what is read from them. */
export interface NewRecord {
  device: string;
  seq: number;
  hash: string;
  prev: string;
  kid: string;
  /** The record's own `time` (device clock). */
  deviceTime: string;
  /** When the server took it in (server clock). */
  receivedAt: string;
  type: EventType;
  bytes: Uint8Array;
  signature: Uint8Array;
  body: unknown;
  /** Every tag the record names (the record_tags index). */
  tags: string[];
}

export interface StoredRecord extends Omit<NewRecord, 'tags'> {
  /** Acceptance order across all devices. */
  id: number;
}

/**
 * What a custody trail reads of a stored record: who signed it where in its chain, its hash, time and
 * event. Not the bytes and signature (exports and proofs read those with the whole StoredRecord): the
 * bag projection reads these after every commit, and the blobs were most of each row.
 */
export type StoredEvent = Pick<StoredRecord, 'id' | 'device' | 'seq' | 'hash' | 'deviceTime' | 'type' | 'body'>;

/** The server's acknowledgement of a device: everything up to `seq` is stored, and `hash` is seq's hash. */
export interface DeviceAck {
  device: string;
  seq: number;
  hash: string;
}

/** Quarantined payloads are kept up to this size; the original size is recorded alongside. */
export const DEFAULT_QUARANTINE_PAYLOAD_LIMIT = 64 * 1024;

/** What a refused payload or record is quarantined with. `code` is a RecordErrorCode or an IngestErrorCode. */
export interface NewQuarantineEntry {
  receivedAt: string;
  topic?: string;
  code: string;
  message: string;
  device?: string;
  seq?: number;
  /** The envelope line, or the raw payload (the store may truncate it; payloadBytes keeps the size). */
  payload: Uint8Array;
  payloadBytes: number;
}

export interface QuarantineEntry extends NewQuarantineEntry {
  id: number;
}

/** One group commit: records in chain order, quarantine entries, the acks they allow, who was heard from. */
export interface RecordBatch {
  records: NewRecord[];
  quarantine: NewQuarantineEntry[];
  acks: DeviceAck[];
  /** Devices that sent records in this batch, and when (device_status.last_seen_at). */
  seen?: Array<{ device: string; at: string }>;
}

export interface AppendOutcome {
  /** Records newly stored. */
  stored: number;
  /** Records already stored with the same hash (another server process got there first). */
  duplicates: Array<{ device: string; seq: number }>;
  /** A different record is already stored at this (device, seq): the chain forks. Not stored. */
  conflicts: Array<{ device: string; seq: number; hash: string; storedHash: string }>;
  /** The acks recorded: only those naming a record stored with that hash, and not behind the recorded one. */
  acks: DeviceAck[];
  /** The log leaf index given to each newly stored record, in the same transaction (what an ack's receipt names). */
  leaves: Array<{ device: string; seq: number; index: number }>;
}

// ---- Reference data ----

export interface Jurisdiction {
  id: string;
  parent: string | null;
  level: JurisdictionLevel;
  name: string;
}

export interface Institution {
  id: string;
  name: string;
  kind: InstitutionKind;
  jurisdiction: string;
}

export interface Department {
  institution: string;
  code: string;
  name: string;
}

/** An entry of an institution's staff registry: who carries a badge (docs/server/staff.md). */
export interface StaffBadge {
  badge: string;
  institution: string;
  name: string;
  role: string;
  /** False once the card is withdrawn; absent in an upsert means active. */
  active?: boolean;
  updatedAt?: string | null;
}

export interface TransportCompany {
  /** Also the id of its institution (kind `transport`). */
  id: string;
  licence: string;
}

export interface Vehicle {
  /** The registry's own key (hz-t01-v1); records never carry it. */
  id: string;
  company: string;
  /** As printed (浙A27819): what custody records name the vehicle by (vehicleInRecords). */
  plate: string;
}

/**
 * How `picked-up` and `received` records name a vehicle (`body.vehicle`): by its plate, as the crew's
 * station and the transfer manifest write it. Every match of a record to the registry goes through here.
 */
export function vehicleInRecords(v: Pick<Vehicle, 'plate'>): string {
  return v.plate;
}

/** A vehicle's registered route: [lon, lat] degrees along the roads it is licensed to take. */
export interface VehicleRouteEntry {
  /** The registry's vehicle id. */
  vehicle: string;
  line: [number, number][];
}

/** A place where waste may be handled, as a closed ring of [lon, lat] degrees. */
export interface GeofenceEntry {
  id: string;
  institution: string;
  kind: GeofenceKind;
  ring: [number, number][];
}

/** A device in the keyring, as the keyring JSON spells it (base64 SPKI keys). */
export interface DeviceRegistration {
  id: string;
  institution: string;
  stations: StationRole[];
  site?: string;
  keys: Array<{ publicKey: string; revokedAt?: string }>;
}

// ---- Device status ----

export interface DeviceStatus {
  device: string;
  state: DeviceState | null;
  stateAt: string | null;
  lastSeenAt: string | null;
  agent: string | null;
  backlog: number | null;
  ackedSeq: number | null;
  ackedHash: string | null;
}

export type DeviceStatusPatch = Partial<Omit<DeviceStatus, 'device'>>;

// ---- Bags (the custody projection) ----

/**
 * One bag as the projection keeps it: a summary of its reconstructed trail (server/src/bags/), for the
 * searches, lists and daily figures that must not rebuild trails. Rebuilt from the records after every
 * commit that touches the bag, so it is the same whatever order the records arrived in.
 */
export interface BagSummary {
  bag: string;
  tags: string[];
  institution: string | null;
  department: string | null;
  category: WasteCategory | null;
  state: BagState;
  sealedAt: string | null;
  sealedGrams: number | null;
  /** Local calendar day (rule config time zone, default Asia/Shanghai) of sealing, YYYY-MM-DD: mass balance and disclosure group by it. */
  sealedDay: string | null;
  lastStep: CustodyStepKind | null;
  lastStepAt: string | null;
  pickedUpAt: string | null;
  receivedAt: string | null;
  receivedGrams: number | null;
  disposedAt: string | null;
  vehicle: string | null;
  manifest: string | null;
  disposalInstitution: string | null;
  anomalies: number;
}

/** A summary with the trail it was made from: the time rules read trails back from the projection. */
export interface ProjectedBag extends BagSummary {
  trail?: BagTrail;
}

export interface BagFilter {
  institutions?: string[];
  disposalInstitution?: string;
  vehicles?: string[];
  /** sealedAt range, ISO: from <= sealedAt < to. */
  from?: string;
  to?: string;
  states?: BagState[];
  category?: WasteCategory;
  manifest?: string;
  /** By sealing time, default newest first (bags never sealed last), then by bag id. */
  order?: BagOrder;
  /** Default limit 100. */
  limit?: number;
  offset?: number;
}

/** One local day of an institution's waste, by the day the bags were sealed (voided bags left out). */
export interface DailyMass {
  day: string;
  bags: number;
  sealedGrams: number;
  /** Bags weighed in at disposal, and what they weighed there (bags of unknown received weight count 0 g). */
  received: number;
  receivedGrams: number;
}

/** Which inspections: of these institutions (empty: none), of this draw, with this outcome. */
export interface InspectionFilter {
  institutions?: readonly string[];
  drawId?: number;
  outcome?: Inspection['outcome'];
}

// ---- Transfer manifests (the manifest projection, server/src/manifests) ----

export interface ManifestFilter {
  /** The caller's scope: a manifest one of whose parties is in `institutions`, or carried by one of `vehicles`. Both empty: nothing. */
  parties?: { institutions: readonly string[]; vehicles: readonly string[] };
  producer?: string;
  transporter?: string;
  receiver?: string;
  vehicle?: string;
  manifest?: string;
  statuses?: ManifestStatus[];
  /** First signature's time, ISO: from <= startedAt < to. */
  from?: string;
  to?: string;
  /** Only manifests with (true) or without (false) a discrepancy. */
  discrepant?: boolean;
  /** Only manifests not closed (true) or closed (false). */
  open?: boolean;
  /** Default `newest`: newest started first; ties by number. */
  order?: ManifestOrder;
  /** Default limit 100. */
  limit?: number;
  offset?: number;
}

// ---- Alerts ----

/** A record an alert rests on; `hash` is absent only where no record exists (a sequence gap). */
export interface AlertEvidence {
  device: string;
  seq: number;
  hash?: string;
}

/**
 * An alert row. The alert book (server/src/alerts) decides every change; the store only keeps rows and
 * refuses a write over a revision it did not read. server/src/alerting/ maps rows to the book's alerts
 * (times here are RFC 3339 text, the book's milliseconds).
 */
export interface Alert {
  id: number;
  /** Bumped by every write: updateAlert writes only over the revision it was given. */
  revision: number;
  rule: string;
  /** The highest severity the alert reached: it never falls, and escalation follows it. */
  severity: AlertSeverity;
  /** The severity of the latest evaluation that found the condition (may fall below `severity`). */
  currentSeverity: AlertSeverity;
  /** At most one alert per key is not resolved. */
  dedupeKey: string;
  /** What the alert is about: `bag:<tag>`, `site:<institution>/<room>`, `device:<id>`, ... */
  subject: string;
  /** English text; messageKey + params render it in any supported language (server/src/rules/messages.ts). */
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
  /** The escalation clock: opening, or the severity rise that sent an acknowledged alert back to open. */
  awaitingAckSince: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  /** What the person said on acknowledging, if anything. */
  acknowledgeNote: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  /** The resolution note. */
  note: string | null;
  /** When the condition or event behind the alert began (its latest episode). */
  since: string;
  /** Set when an evaluation that looked at the subject no longer found the condition. */
  conditionClearedAt: string | null;
  evidence: AlertEvidence[];
  /** How many evaluations (ingest commits, ticks) found the condition while the alert was not resolved. */
  occurrences: number;
  lastSeenAt: string;
  /** History: severity rises (`raised`) and escalations (`escalations`), times as RFC 3339 text. */
  details: Record<string, unknown>;
}

export type NewAlert = Omit<Alert, 'id' | 'revision'>;

export interface AlertFilter {
  status?: AlertStatus | AlertStatus[];
  severity?: AlertSeverity | AlertSeverity[];
  rule?: string;
  device?: string;
  bag?: string;
  subject?: string;
  institution?: string;
  institutions?: string[];
  jurisdiction?: string;
  jurisdictions?: string[];
  /** Default oldest first (id order). */
  order?: AlertOrder;
  /** Default limit 1000. */
  limit?: number;
  offset?: number;
}

// ---- Users and sessions ----

export interface NewUser {
  username: string;
  passwordHash: string;
  role: UserRole;
  scope?: string;
  createdAt: string;
}

export interface User extends Omit<NewUser, 'scope'> {
  id: number;
  scope: string | null;
}

export interface Session {
  tokenHash: string;
  userId: number;
  createdAt: string;
  expiresAt: string;
}

// ---- Supervision (server/src/supervision, docs/server/supervision.md) ----

/** What a confirmed violation rests on: the bags and the records of the alert (an inspection finding has none). */
export interface ViolationEvidence {
  bags: string[];
  records: AlertEvidence[];
}

/** A violation a regulator confirmed (from an alert, or found by an inspection): it costs bad-practice points. */
export interface ConfirmedViolation {
  id: number;
  institution: string;
  /** The violation type's code (supervision/points.ts). */
  violation: string;
  /** The points at the time of confirmation (a later change of the table does not rewrite history). */
  points: number;
  alertId: number | null;
  inspectionId: number | null;
  note: string;
  confirmedBy: string;
  confirmedAt: string;
  evidence: ViolationEvidence;
}

export type NewViolation = Omit<ConfirmedViolation, 'id' | 'inspectionId'>;

export const INSPECTION_OUTCOMES = ['pass', 'violations'] as const;
export type InspectionOutcome = (typeof INSPECTION_OUTCOMES)[number];

export interface Inspection {
  id: number;
  institution: string;
  drawId: number | null;
  /** Inspector ids. */
  inspectors: string[];
  /** The local day of the inspection, YYYY-MM-DD. */
  date: string;
  outcome: InspectionOutcome;
  findings: Array<{ violation: string; points: number; note: string }>;
  recordedBy: string;
  recordedAt: string;
}

export type NewInspection = Omit<Inspection, 'id'>;

export interface Inspector {
  id: string;
  name: string;
  /** The jurisdiction whose pool the inspector is in. */
  jurisdiction: string;
  /** Institutions the inspector declared a conflict of interest with: never drawn for them. */
  conflicts: string[];
}

export const DRAW_STATUSES = ['announced', 'drawn'] as const;
export type DrawStatus = (typeof DRAW_STATUSES)[number];

/** An inspection draw: announced with its seed and frozen frame, then drawn. */
export interface Draw {
  id: number;
  jurisdiction: string;
  period: string;
  ratio: number;
  seed: string;
  status: DrawStatus;
  announcedAt: string;
  announcedBy: string;
  drawnAt: string | null;
  frame: DrawFrame;
  frameHash: string;
  result: DrawResult | null;
  resultHash: string | null;
}

export type NewDraw = Omit<Draw, 'id' | 'status' | 'drawnAt' | 'result' | 'resultHash'>;

/** An institution's bags sealed in a span of local days (voided left out), for the public disclosure. */
export interface SealedMonthTotals {
  institution: string;
  bags: number;
  sealedGrams: number;
  /** Bags whose trail reached `disposed`, and what they weighed when received at disposal. */
  disposedBags: number;
  disposedGrams: number;
  /** Bags picked up within 48 h of sealing. */
  handedOverWithin48h: number;
}

// ---- The verifiable log (docs/protocol/log.md) ----

/** A checkpoint the server signed: the C2SP signed note, and the tree size it signs. */
export interface SignedCheckpoint {
  size: number;
  /** The signed note, verbatim (formatCheckpoint text, blank line, signature lines). */
  note: string;
  signedAt: string;
}

/** A witness's cosignature of the kept checkpoint of `size`. */
export interface StoredCosignature {
  size: number;
  /** The witness's verifier key (<name>+<key id>+<base64 key>). */
  witness: string;
  /** The note signature line, with its newline. */
  line: string;
  addedAt: string;
}

/**
 * The log as stored. appendRecords appends one leaf per newly stored record in its own transaction, so
 * a stored record always has its leaf and an append is durable exactly when the commit is.
 */
export interface LogStore {
  /** Leaves in the log: the largest tree a checkpoint can sign now. */
  logSize(): Promise<number>;
  /** Hashes of complete nodes (level 0: leaf hashes), keyed by nodeKey; a node not complete yet is absent. */
  logNodes(nodes: readonly NodeAddress[]): Promise<Map<string, Hash>>;
  /** Hashes of the complete nodes of `level` from index `from` up to `to` (exclusive), in order: a tile's row. */
  logNodeRow(level: number, from: number, to: number): Promise<Hash[]>;
  /** The entries (recordLogEntry) of leaves `from` up to `to` (exclusive), in order. */
  logEntries(from: number, to: number): Promise<Uint8Array[]>;
  /** Each record's leaf index, aligned with the input; undefined for a record not stored. */
  logIndexes(records: ReadonlyArray<{ device: string; seq: number }>): Promise<Array<number | undefined>>;
  /** Keeps a signed checkpoint; false when one of that size is kept already (another process signed it). */
  addCheckpoint(c: SignedCheckpoint): Promise<boolean>;
  /** The checkpoint of the largest tree signed so far. */
  latestCheckpoint(): Promise<SignedCheckpoint | undefined>;
  /** The kept checkpoint of this tree size, if one was signed. */
  checkpointOf(size: number): Promise<SignedCheckpoint | undefined>;
  /** Keeps a witness's cosignature of a kept checkpoint; false when that witness's for that size is kept already. */
  addCosignature(c: StoredCosignature): Promise<boolean>;
  /** The cosignatures of the checkpoint of `size`, in the order they came. */
  cosignaturesOf(size: number): Promise<StoredCosignature[]>;
  /** The largest kept checkpoint that at least `quorum` (>= 1) of these witnesses (verifier keys) cosigned. */
  latestCheckpointCosignedBy(witnesses: readonly string[], quorum: number): Promise<SignedCheckpoint | undefined>;
}

// ---- Storage rooms' climate (docs/transport/storage-climate.md) ----

/** One sample of a signed `climate` record, as the projection keeps it (tenths of °C and %RH). */
export interface ClimateSampleRow {
  device: string;
  seq: number;
  /** Its place in the record's samples, from 0. */
  sample: number;
  /** The record's hash: the evidence an alert cites. */
  hash: string;
  institution: string;
  room: string;
  time: string;
  temperature: number;
  humidity: number;
  outdoor: number | null;
}

/** A storage room with a climate sensor and the time of its newest sample. */
export interface ClimateRoom {
  institution: string;
  room: string;
  lastTime: string;
}

// ---- The change feed (docs/interop/changes.md) ----

/** A change of a record, bag or alert: `id` is the feed's cursor; `key` the record id, bag id or alert id. */
export interface Change {
  id: number;
  kind: ChangeKind;
  key: string;
}

/** A webhook subscription to the change feed, on behalf of a user (whose scope it sees). */
export interface Subscription {
  id: number;
  userId: number;
  url: string;
  /** The HMAC-SHA256 key of its deliveries' signatures. */
  secret: string;
  kinds: ChangeKind[];
  createdAt: string;
  /** The last change id the subscriber acknowledged (a 2xx): nothing up to it is sent again. */
  deliveredThrough: number;
  /** Failed deliveries in a row; the next attempt is not before nextAttemptAt. */
  failures: number;
  nextAttemptAt: string;
  lastError: string | null;
}

export type NewSubscription = Pick<Subscription, 'userId' | 'url' | 'secret' | 'kinds' | 'createdAt' | 'deliveredThrough'>;

/** What a delivery attempt leaves: on success the new deliveredThrough (never moves back), on failure the backoff. */
export type SubscriptionOutcome = { deliveredThrough: number } | { failures: number; nextAttemptAt: string; lastError: string };

export interface ChangeFeedStore {
  /** Changes after the cursor `after`, in id order. */
  changesAfter(after: number, limit: number): Promise<Change[]>;
  /** The newest change id (0 when none). */
  lastChangeId(): Promise<number>;
  /** A stored record by its id (acceptance order). */
  recordById(id: number): Promise<StoredRecord | undefined>;
  insertSubscription(s: NewSubscription): Promise<Subscription>;
  subscription(id: number): Promise<Subscription | undefined>;
  /** Subscriptions, of one user when given, in id order. */
  subscriptions(filter?: { userId?: number }): Promise<Subscription[]>;
  deleteSubscription(id: number): Promise<boolean>;
  /** Takes the subscription's delivery lease until `until` if nobody holds it at `now`; false when another does. */
  leaseSubscription(id: number, now: string, until: string): Promise<boolean>;
  /** Records a delivery's outcome and releases the lease. */
  recordDelivery(id: number, outcome: SubscriptionOutcome): Promise<void>;
  /** Releases the lease with nothing to record (nothing was due). */
  releaseSubscription(id: number): Promise<void>;
}

// ---- The repository, by aggregate: one interface each, implemented once in queries/ where the dialects agree ----

/** Accepted records: the group commit and the reads of custody trails. */
export interface RecordStore {
  /** Stores a group commit in ONE transaction, each new record with its log leaf; idempotent on (device, seq). */
  appendRecords(batch: RecordBatch): Promise<AppendOutcome>;
  /** The highest stored seq of a device and its hash: where its chain continues. */
  headOf(device: string): Promise<ChainHead | undefined>;
  recordAt(device: string, seq: number): Promise<StoredRecord | undefined>;
  /** Every record naming any of these tags, in acceptance order. */
  recordsForTags(tags: readonly string[]): Promise<StoredRecord[]>;
  /** A device's records from `fromSeq` on, in seq order. */
  recordsOfDevice(device: string, fromSeq: number, limit: number): Promise<StoredRecord[]>;
  /** Records accepted after `afterId`, in acceptance order: how a reader catches up. */
  recordsAfter(afterId: number, limit: number): Promise<StoredRecord[]>;
  countRecords(): Promise<number>;
  /** Correction records targeting these records, in acceptance order. */
  correctionsFor(targets: ReadonlyArray<{ device: string; seq: number }>): Promise<StoredRecord[]>;
  /** recordsForTags as trail events (no bytes, no signature): the bag projection's read. */
  eventsForTags(tags: readonly string[]): Promise<StoredEvent[]>;
  /** correctionsFor as trail events (no bytes, no signature): the bag projection's read. */
  correctionEventsFor(targets: ReadonlyArray<{ device: string; seq: number }>): Promise<StoredEvent[]>;
}

/** What ingest refused. */
export interface QuarantineStore {
  quarantine(entries: readonly NewQuarantineEntry[]): Promise<void>;
  quarantined(filter?: { device?: string; code?: string; limit?: number }): Promise<QuarantineEntry[]>;
}

/** Places, institutions and people; carriers, vehicles, their routes and the geofences. */
export interface ReferenceDataStore {
  upsertJurisdiction(j: Jurisdiction): Promise<void>;
  jurisdictions(): Promise<Jurisdiction[]>;
  upsertInstitution(i: Institution): Promise<void>;
  institution(id: string): Promise<Institution | undefined>;
  institutions(filter?: { jurisdiction?: string; kind?: InstitutionKind }): Promise<Institution[]>;
  upsertDepartment(d: Department): Promise<void>;
  departments(institution: string): Promise<Department[]>;
  upsertStaffBadge(b: StaffBadge): Promise<void>;
  staffBadge(badge: string): Promise<StaffBadge | undefined>;
  /** An institution's staff registry, active and withdrawn, by name then badge. */
  staffOf(institution: string): Promise<StaffBadge[]>;
  /** The registry entries of these badges (a trail's handlers), whatever their institution or state. */
  staffByBadges(badges: readonly string[]): Promise<StaffBadge[]>;
  upsertTransportCompany(c: TransportCompany): Promise<void>;
  upsertVehicle(v: Vehicle): Promise<void>;
  vehicle(id: string): Promise<Vehicle | undefined>;
  /** Registered vehicles, of one transport company when given, in id order. */
  vehicles(filter?: { company?: string }): Promise<Vehicle[]>;
  /** Sets a vehicle's registered route (the vehicle must be registered). */
  upsertVehicleRoute(r: VehicleRouteEntry): Promise<void>;
  /** Every registered route, with the plate records name the vehicle by, in vehicle id order. */
  vehicleRoutes(): Promise<Array<VehicleRouteEntry & { plate: string }>>;
  upsertGeofence(g: GeofenceEntry): Promise<void>;
  /** Every geofence, in id order. */
  geofences(): Promise<GeofenceEntry[]>;
}

/** Where vehicles went (track and door records) and storage rooms' climate. */
export interface TrackStore {
  /**
   * The `track` and `door` records about these vehicles (plates; all vehicles when absent) that cover
   * any time from `from` to `to` (RFC 3339, inclusive), in acceptance order.
   */
  vehicleRecords(filter: { vehicles?: readonly string[]; from: string; to: string }): Promise<StoredRecord[]>;
  /** Keeps climate samples; a sample already kept (same device, seq, sample) is left as it is. */
  addClimateSamples(samples: readonly ClimateSampleRow[]): Promise<void>;
  /** A room's samples with from <= time < to, oldest first, at most `limit` (the newest are cut). */
  climateSamples(filter: { institution: string; room: string; from: string; to: string; limit: number }): Promise<ClimateSampleRow[]>;
  /** Every room's samples with time >= since (the rules' window), by institution, room and time. */
  climateSince(since: string): Promise<ClimateSampleRow[]>;
  /** Every room that ever sent a sample, with its newest sample's time, by institution and room. */
  climateRooms(): Promise<ClimateRoom[]>;
}

/** The keyring and what each device last reported. */
export interface DeviceStore {
  /** Adds or replaces a device and its keys (keep revoked keys, with revokedAt, so old records verify). */
  registerDevice(d: DeviceRegistration): Promise<void>;
  /** Marks a key revoked from `at` on; false when the device or key is unknown. */
  revokeDeviceKey(device: string, kid: string, at: string): Promise<boolean>;
  devices(): Promise<DeviceRegistration[]>;
  /** The keyring as verification uses it. */
  keyring(): Promise<Keyring>;
  /** The keyring JSON (docs/protocol/record.md#the-keyring), for the gateway and `wastetrail verify`. */
  exportKeyring(): Promise<unknown>;

  upsertDeviceStatus(device: string, patch: DeviceStatusPatch): Promise<void>;
  deviceStatus(device: string): Promise<DeviceStatus | undefined>;
  deviceStatuses(): Promise<DeviceStatus[]>;
}

/** The bag projection (server/src/bags). */
export interface BagStore {
  /**
   * Stores bag summaries (and their trails, when given), replacing what was kept for those bags and
   * their tags, and deletes the bags in `remove` (ids a later record showed to be another bag's tag,
   * or a turnover box), all in one transaction.
   */
  upsertBags(bags: readonly ProjectedBag[], options?: { remove?: readonly string[] }): Promise<void>;
  bag(bag: string): Promise<BagSummary | undefined>;
  /** The bag one of whose tags (epc:... or qr:...) this is; a bag whose id is the tag comes first. */
  bagByTag(tag: string): Promise<BagSummary | undefined>;
  searchBags(filter: BagFilter): Promise<{ bags: BagSummary[]; total: number }>;
  /** Per local sealing day from fromDay to toDay (inclusive, YYYY-MM-DD), the days with bags only. */
  dailyMassBalance(institution: string, fromDay: string, toDay: string): Promise<DailyMass[]>;
  /** The trail the projection keeps for a bag. */
  bagTrail(bag: string): Promise<BagTrail | undefined>;
  /**
   * Trails the time rules must see (bags neither disposed nor voided, and bags sealed or moved at or after
   * `since`), given to `visit` one at a time in no particular order, so a city's trails are never all in
   * memory; `visit` must not call the store. Resolves with how many were visited.
   */
  eachBagTrailInPlay(since: string, visit: (trail: BagTrail) => void): Promise<number>;
  /** Per institution, its bags sealed from fromDay to toDay (local days, inclusive; voided left out): the public disclosure. */
  sealedTotals(fromDay: string, toDay: string): Promise<SealedMonthTotals[]>;
}

/** The transfer manifest projection (server/src/manifests). */
export interface ManifestStore {
  /** Stores manifests, replacing what was kept under their numbers. */
  upsertManifests(manifests: readonly Manifest[]): Promise<void>;
  manifest(manifest: string): Promise<Manifest | undefined>;
  searchManifests(filter: ManifestFilter): Promise<{ manifests: Manifest[]; total: number }>;
  /** Manifests the rules must see: those not closed, and those signed at or after `since`. */
  manifestsInPlay(since: string): Promise<Manifest[]>;
}

/** Alert rows as the alert book (server/src/alerting) decides them. */
export interface AlertStore {
  /** Inserts a new alert; undefined when an unresolved alert already holds its dedupe key (another process opened it). */
  insertAlert(a: NewAlert): Promise<Alert | undefined>;
  /** Writes back a changed alert, if its revision is still the stored one; undefined otherwise (re-read and decide again). */
  updateAlert(a: Alert): Promise<Alert | undefined>;
  /** For each key, the alert not yet resolved, else the latest resolved one. */
  latestAlerts(dedupeKeys: readonly string[]): Promise<Alert[]>;
  /** Alerts not yet resolved, of these rules and about these subjects (each filter only when given). */
  unresolvedAlerts(filter?: { rules?: readonly string[]; subjects?: readonly string[] }): Promise<Alert[]>;
  /** One more evaluation found these alerts' conditions: occurrences + 1, lastSeenAt moves to `at` (never back). */
  recordAlertSightings(ids: readonly number[], at: string): Promise<void>;
  alert(id: number): Promise<Alert | undefined>;
  alerts(filter?: AlertFilter): Promise<Alert[]>;
  /** How many alerts the filter finds, whatever its page. */
  countAlerts(filter?: AlertFilter): Promise<number>;
  /** Alerts opened from `from` (inclusive) to `to` (exclusive), per institution (alerts about no institution left out). */
  alertsOpenedPerInstitution(from: string, to: string): Promise<Map<string, number>>;
}

/** Accounts and their login sessions. */
export interface UserStore {
  createUser(u: NewUser): Promise<User>;
  userByUsername(username: string): Promise<User | undefined>;
  userById(id: number): Promise<User | undefined>;
  createSession(s: Session): Promise<void>;
  /** A session by its token's hash, with its user. */
  session(tokenHash: string): Promise<(Session & { user: User }) | undefined>;
  deleteSession(tokenHash: string): Promise<void>;
  deleteExpiredSessions(now: string): Promise<number>;
}

/** Confirmed violations, inspections, the inspector pools and the inspection draws (docs/server/supervision.md). */
export interface SupervisionStore {
  /** Stores a confirmed violation; undefined when its alert was confirmed already (one confirmation per alert). */
  insertViolation(v: NewViolation): Promise<ConfirmedViolation | undefined>;
  violationOfAlert(alertId: number): Promise<ConfirmedViolation | undefined>;
  /** Confirmed violations, newest confirmed first; `from <= confirmedAt < to` when given. */
  violations(filter?: { institutions?: readonly string[]; from?: string; to?: string }): Promise<ConfirmedViolation[]>;
  /** Stores an inspection and, in the same transaction, each finding as a confirmed violation. */
  insertInspection(i: NewInspection, findings: readonly NewViolation[]): Promise<{ inspection: Inspection; violations: ConfirmedViolation[] }>;
  /** Inspections, newest (by date, then id) first. */
  inspections(filter?: InspectionFilter): Promise<Inspection[]>;
  /** One page of inspections, newest (by date, then id) first, and how many match in all. */
  searchInspections(filter: InspectionFilter & { limit: number; offset: number }): Promise<{ inspections: Inspection[]; total: number }>;
  upsertInspector(i: Inspector): Promise<void>;
  inspector(id: string): Promise<Inspector | undefined>;
  /** Inspectors, in id order. */
  inspectors(filter?: { jurisdictions?: readonly string[] }): Promise<Inspector[]>;
  insertDraw(d: NewDraw): Promise<Draw>;
  draw(id: number): Promise<Draw | undefined>;
  /** Draws, newest first. */
  draws(filter?: { jurisdictions?: readonly string[] }): Promise<Draw[]>;
  /** Records a draw's result, only while it is still announced; undefined when it was drawn already or does not exist. */
  completeDraw(id: number, result: DrawResult, resultHash: string, drawnAt: string): Promise<Draw | undefined>;
}

/** Everything the server keeps: what ingest, custody, rules, alerting and the API are given. */
// ---- The regulator's dashboard (server/src/dashboard) ----

/**
 * What the dashboard's daily figures count, per institution and local day. "In time" is judged against
 * `nowIso`: a bag not yet handed over, or an alert not yet resolved, counts as late only once its time is
 * up; before that it is not yet due (left out of both counts).
 */
export interface DailyFiguresQuery {
  institutions: readonly string[];
  /** Alerts routed to these jurisdictions count too (a regulator sees them), under institution null. */
  jurisdictions: readonly string[];
  /** Local days, inclusive: bags by their sealing day, alerts by the local day they were opened. */
  fromDay: string;
  toDay: string;
  /** The time zone's offset from UTC, taken as fixed over the window (Asia/Shanghai has no summer time). */
  utcOffsetMinutes: number;
  nowIso: string;
  /** A bag is handed over in time when picked up (or received) at most this long after sealing. */
  handoverHours: number;
  /** Received and sealed weights agree within max(percent of the sealed weight, minGrams). */
  weightTolerance: { percent: number; minGrams: number };
  /** An alert is closed in time when resolved at most this long after it was opened. */
  alertCloseHours: number;
}

export interface BagDayFigures {
  institution: string;
  day: string;
  bags: number;
  sealedGrams: number;
  received: number;
  receivedGrams: number;
  /** Bags handed over, or sealed more than handoverHours ago, and of those the ones handed over in time. */
  handoverDue: number;
  handedOverInTime: number;
  /** Bags weighed both at sealing and at disposal, and of those the ones within the tolerance. */
  weighed: number;
  reconciled: number;
}

export interface AlertDayFigures {
  institution: string | null;
  day: string;
  /** Alerts opened that day, by their severity when opened. */
  critical: number;
  warning: number;
  info: number;
  /** Alerts resolved, or opened more than alertCloseHours ago, and of those the ones resolved in time. */
  closeDue: number;
  closedInTime: number;
}

export interface DailyFigures {
  bags: BagDayFigures[];
  alerts: AlertDayFigures[];
}

/** The regulator's dashboard: figures counted in the store, and where the vehicles are. */
export interface DashboardStore {
  /**
   * Each of these vehicles' (plates) newest `track` record, the one whose span ends last: where the
   * vehicles are now, without reading their tracks. In the order given; a vehicle without one is left out.
   */
  latestVehicleTracks(vehicles: readonly string[]): Promise<StoredRecord[]>;
  /** Its institutions' bags and alerts counted per local day (DailyFiguresQuery). */
  dailyFigures(q: DailyFiguresQuery): Promise<DailyFigures>;
}

export interface CustodyStore
  extends RecordStore,
    QuarantineStore,
    ReferenceDataStore,
    TrackStore,
    DeviceStore,
    BagStore,
    ManifestStore,
    AlertStore,
    UserStore,
    SupervisionStore,
    LogStore,
    ChangeFeedStore,
    DashboardStore {
  close(): Promise<void>;
}
