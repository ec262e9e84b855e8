/**
 * What the server keeps, in the domain's words: the repository interface that ingest, custody, rules
 * and the HTTP API talk to. SQLite (sqlite.ts) implements it; a PostgreSQL implementation can follow
 * with its own schema file and the same interface. Every method is async so the two are swappable,
 * even though better-sqlite3 does its work synchronously.
 */
import type { ChainHead, EventType, Keyring, StationRole } from '@wastetrail/firmware-protocol';
import type { AlertSeverity, AlertStatus, DeviceState, InstitutionKind, JurisdictionLevel, UserRole } from './vocabulary.ts';

export type { AlertSeverity, AlertStatus, DeviceState, InstitutionKind, JurisdictionLevel, UserRole };

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

export interface StaffBadge {
  badge: string;
  institution: string;
  name: string;
  role: string;
}

export interface TransportCompany {
  /** Also the id of its institution (kind `transport`). */
  id: string;
  licence: string;
}

export interface Vehicle {
  id: string;
  company: string;
  plate: string;
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

// ---- Alerts ----

export interface NewAlert {
  rule: string;
  severity: AlertSeverity;
  /** Unique among alerts not yet resolved: raising the same key again updates the open alert. */
  dedupeKey: string;
  title: string;
  institution?: string;
  jurisdiction?: string;
  bag?: string;
  device?: string;
  at: string;
  details?: Record<string, unknown>;
}

export interface Alert {
  id: number;
  rule: string;
  severity: AlertSeverity;
  dedupeKey: string;
  title: string;
  institution: string | null;
  jurisdiction: string | null;
  bag: string | null;
  device: string | null;
  status: AlertStatus;
  escalationLevel: number;
  /** How many times the rule fired while this alert was open. */
  occurrences: number;
  openedAt: string;
  lastSeenAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  note: string | null;
  details: Record<string, unknown>;
}

export interface AlertFilter {
  status?: AlertStatus | AlertStatus[];
  rule?: string;
  device?: string;
  institution?: string;
  jurisdiction?: string;
  limit?: number;
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

// ---- The repository ----

export interface CustodyStore {
  /** Stores a group commit in ONE transaction; idempotent on (device, seq). */
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

  quarantine(entries: readonly NewQuarantineEntry[]): Promise<void>;
  quarantined(filter?: { device?: string; code?: string; limit?: number }): Promise<QuarantineEntry[]>;

  upsertJurisdiction(j: Jurisdiction): Promise<void>;
  jurisdictions(): Promise<Jurisdiction[]>;
  upsertInstitution(i: Institution): Promise<void>;
  institution(id: string): Promise<Institution | undefined>;
  institutions(filter?: { jurisdiction?: string; kind?: InstitutionKind }): Promise<Institution[]>;
  upsertDepartment(d: Department): Promise<void>;
  departments(institution: string): Promise<Department[]>;
  upsertStaffBadge(b: StaffBadge): Promise<void>;
  staffBadge(badge: string): Promise<StaffBadge | undefined>;
  upsertTransportCompany(c: TransportCompany): Promise<void>;
  upsertVehicle(v: Vehicle): Promise<void>;
  vehicle(id: string): Promise<Vehicle | undefined>;

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

  /** Opens an alert, or, if one with the same dedupe key is not resolved, counts another occurrence. */
  openAlert(a: NewAlert): Promise<{ alert: Alert; created: boolean }>;
  /** open -> acknowledged; undefined if there is no such open alert. */
  acknowledgeAlert(id: number, by: string, at: string, note?: string): Promise<Alert | undefined>;
  /** open | acknowledged -> resolved, with a note; undefined if there is no such unresolved alert. */
  resolveAlert(id: number, by: string, at: string, note: string): Promise<Alert | undefined>;
  /** Raises the escalation level (1-3) of an unresolved alert. */
  escalateAlert(id: number, level: 1 | 2 | 3): Promise<Alert | undefined>;
  alert(id: number): Promise<Alert | undefined>;
  alerts(filter?: AlertFilter): Promise<Alert[]>;

  createUser(u: NewUser): Promise<User>;
  userByUsername(username: string): Promise<User | undefined>;
  userById(id: number): Promise<User | undefined>;
  createSession(s: Session): Promise<void>;
  session(tokenHash: string): Promise<Session | undefined>;
  deleteSession(tokenHash: string): Promise<void>;
  deleteExpiredSessions(now: string): Promise<number>;

  close(): Promise<void>;
}
