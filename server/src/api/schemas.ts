/**
 * Every request and response shape of the HTTP API, in one place (TypeBox, i.e. JSON Schema). Routes
 * validate requests and serialise responses through these, so nothing leaves the server that is not
 * declared here, and the OpenAPI document at /docs is generated from them.
 */
import { Type, type Static, type TEnum, type TSchema } from 'typebox';
import { BADGE_ID_PATTERN, DISPOSAL_METHODS, TAG_ID_PATTERN, WASTE_CATEGORIES } from '@wastetrail/firmware-protocol';
import { ANOMALY_KINDS, CUSTODY_STEPS } from '../custody/index.ts';
import { ALERT_ORDERS, ALERT_SEVERITIES, ALERT_STATUSES, BAG_ORDERS, BAG_STATES, DEVICE_STATES, INSTITUTION_KINDS, MANIFEST_ORDERS, STAFF_ROLES, USER_ROLES } from '../store/vocabulary.ts';
import { ALERT_ACTIONS } from '../auth/alert-permissions.ts';
import { API_ERROR_CODES } from './errors.ts';
import { BAG_OUTCOMES, MANIFEST_STATUSES, MANIFEST_STEPS } from '../manifests/manifest.ts';

const literals = <const T extends readonly string[]>(values: T, options: { description?: string } = {}): TEnum<[...T]> => Type.Enum<[...T]>([...values] as [...T], options);
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const Role = literals(USER_ROLES);
export const BagStateSchema = literals(BAG_STATES);
export const CategorySchema = literals(WASTE_CATEGORIES);
export const StepKindSchema = literals(CUSTODY_STEPS);
export const AlertStatusSchema = literals(ALERT_STATUSES);
export const AlertSeveritySchema = literals(ALERT_SEVERITIES);
export const LocaleSchema = literals(['en', 'zh-CN'] as const, { description: 'language of alert messages (default: from Accept-Language, else en)' });

/** A date (YYYY-MM-DD, a local day) or an RFC 3339 instant. */
const DAY = '^\\d{4}-\\d{2}-\\d{2}$';
export const DaySchema = Type.String({ pattern: DAY, description: 'a local calendar day, YYYY-MM-DD' });
export const DayOrInstant = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,3})?)?(Z|[+-]\\d{2}:\\d{2}))?$',
  description: 'a local day (YYYY-MM-DD, in the time zone) or an RFC 3339 instant',
});
export const TimeZoneParam = Type.String({ maxLength: 64, description: 'IANA time zone for days and times (default Asia/Shanghai)' });
export const Code = Type.String({ minLength: 1, maxLength: 64, pattern: '^[^\\s]+$' });
export const TagParam = Type.String({ pattern: TAG_ID_PATTERN.source, maxLength: 203, description: 'a tag id: epc:<hex> or qr:<label text>' });

// ---- Errors ----

export const ErrorBody = Type.Object(
  { error: Type.Object({ code: literals(API_ERROR_CODES), message: Type.String(), field: Type.Optional(Type.String()), requestId: Type.Optional(Type.String({ description: 'on INTERNAL: the request id the server log has the failure under (also the x-request-id header)' })) }) },
  { description: 'every error: a stable code (docs/server/api.md#errors), a message, and the field at fault for VALIDATION_FAILED' },
);

/**
 * Responses of a route: its own, plus the uniform error body for each error status it can answer; any
 * route can fail (500) or be refused under load or while closing (503).
 */
export function responses<R extends Record<number, TSchema>>(ok: R, errors: readonly number[] = []): R & Record<number, TSchema> {
  const out: Record<number, TSchema> = { ...ok };
  for (const status of new Set([...errors, 500, 503])) out[status] ??= ErrorBody;
  return out as R & Record<number, TSchema>;
}

// ---- Users and sessions ----

export const UserViewSchema = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  role: Role,
  scope: Nullable(Type.String()),
  createdAt: Type.String(),
});

export const LoginBody = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 256 }) },
  { additionalProperties: false },
);

export const SessionResponse = Type.Object({
  token: Type.String({ description: 'send as `Authorization: Bearer <token>`; browsers get the same token as an HttpOnly cookie' }),
  expiresAt: Type.String(),
  user: UserViewSchema,
});

export const MeResponse = Type.Object({
  user: UserViewSchema,
  scopeName: Nullable(Type.String({ description: 'the name of the jurisdiction or institution the user is scoped to' })),
  /** What the role may do, so a UI can hide what would be refused. */
  can: Type.Object({ seeBags: Type.Boolean(), seeAlerts: Type.Boolean(), seeDevices: Type.Boolean(), seeIngestStats: Type.Boolean(), exportRegister: Type.Boolean() }),
});

// ---- Bags ----

export const BagSummarySchema = Type.Object({
  bag: Type.String(),
  tags: Type.Array(Type.String()),
  institution: Nullable(Type.String()),
  department: Nullable(Type.String()),
  category: Nullable(CategorySchema),
  state: BagStateSchema,
  sealedAt: Nullable(Type.String()),
  sealedGrams: Nullable(Type.Integer()),
  sealedDay: Nullable(Type.String()),
  lastStep: Nullable(StepKindSchema),
  lastStepAt: Nullable(Type.String()),
  pickedUpAt: Nullable(Type.String()),
  receivedAt: Nullable(Type.String()),
  receivedGrams: Nullable(Type.Integer()),
  disposedAt: Nullable(Type.String()),
  vehicle: Nullable(Type.String()),
  manifest: Nullable(Type.String()),
  disposalInstitution: Nullable(Type.String()),
  anomalies: Type.Integer({ description: 'how many custody anomalies the trail shows' }),
});

export const BagSearchQuery = Type.Object(
  {
    institution: Type.Optional(Type.Array(Code, { maxItems: 200, description: 'sealing institution(s); repeat the parameter for several' })),
    disposalInstitution: Type.Optional(Code),
    vehicle: Type.Optional(Type.Array(Code, { maxItems: 200 })),
    from: Type.Optional(DayOrInstant),
    to: Type.Optional(DayOrInstant),
    state: Type.Optional(Type.Array(BagStateSchema, { maxItems: BAG_STATES.length })),
    category: Type.Optional(CategorySchema),
    manifest: Type.Optional(Code),
    timeZone: Type.Optional(TimeZoneParam),
    sort: Type.Optional(literals(BAG_ORDERS, { description: 'by sealing time: newest (the default) or oldest first; bags never sealed last' })),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
  },
  { additionalProperties: false },
);

export const BagSearchResponse = Type.Object({ bags: Type.Array(BagSummarySchema), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer() });

const RecordRefSchema = Type.Object({ device: Type.String(), seq: Type.Integer(), hash: Type.String() });

const StepSchema = Type.Object({
  step: StepKindSchema,
  record: RecordRefSchema,
  time: Type.String({ description: 'device time of the record, RFC 3339 UTC' }),
  institution: Type.String({ description: 'the place: the institution whose device signed the step' }),
  site: Type.Optional(Type.String()),
  holder: Type.Object({ kind: literals(['department', 'internal-collector', 'storage-room', 'transport-crew', 'disposal-centre', 'destroyed'] as const), id: Type.String() }),
  badges: Type.Array(Type.String(), { description: 'badges that signed for the step' }),
  grams: Type.Optional(Type.Integer({ description: "this bag's own weight at the step, when known" })),
  handover: Type.Optional(Type.Object({ bags: Type.Integer(), grams: Type.Optional(Type.Integer()) })),
  vehicle: Type.Optional(Type.String()),
  manifest: Type.Optional(Type.String()),
  method: Type.Optional(literals(DISPOSAL_METHODS)),
  batch: Type.Optional(Type.String()),
  viaBox: Type.Optional(Type.String()),
  amended: Type.Optional(Type.Object({ by: RecordRefSchema, reason: Type.String() })),
  dwellMs: Type.Optional(Type.Integer({ description: 'milliseconds until the next step' })),
});

export const RecordViewSchema = Type.Object({
  device: Type.String(),
  seq: Type.Integer(),
  hash: Type.String(),
  type: Type.String(),
  deviceTime: Type.String(),
  receivedAt: Type.String(),
  kid: Type.String(),
  verified: Type.Boolean({ description: 'the stored bytes verify again now: signature, key, hash' }),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
  leaf: Type.Optional(Nullable(Type.Integer({ minimum: 0, description: "the record's leaf index in the verifiable log (null: not in it); absent when the server keeps no log" }))),
});

export const PlaceSchema = Type.Object({ id: Type.String(), name: Nullable(Type.String()), kind: Nullable(literals(INSTITUTION_KINDS)) });

// ---- Staff registry ----

export const StaffRoleSchema = literals(STAFF_ROLES, { description: 'staff: ward staff who seal; collector, keeper, crew, operator: who hand over, store, carry and dispose' });
export const StaffEntry = Type.Object(
  {
    badge: Type.String({ description: 'the badge id as the reader reports it' }),
    institution: Type.String(),
    name: Type.String(),
    role: StaffRoleSchema,
    active: Type.Boolean({ description: 'false once the card is withdrawn; its past steps still name the person' }),
    updatedAt: Nullable(Type.String({ format: 'date-time' })),
  },
);
export const StaffParams = Type.Object({ id: Code });
export const StaffBadgeParams = Type.Object({ id: Code, badge: Type.String({ pattern: BADGE_ID_PATTERN.source, maxLength: 64, description: 'the badge id as the reader reports it' }) });
export const StaffUpsertBody = Type.Object(
  {
    // A name as printed on the card: no control characters, no leading or trailing space.
    name: Type.String({ minLength: 1, maxLength: 100, pattern: '^\\S(?:[^\\p{Cc}]*\\S)?$' }),
    role: StaffRoleSchema,
    active: Type.Optional(Type.Boolean({ default: true })),
  },
  { additionalProperties: false },
);
export const StaffListResponse = Type.Object({ institution: Type.String(), staff: Type.Array(StaffEntry) });

export const TrailResponse = Type.Object({
  bag: Type.String(),
  tags: Type.Array(Type.String()),
  state: BagStateSchema,
  institution: Nullable(Type.String()),
  department: Nullable(Type.String()),
  category: Nullable(CategorySchema),
  sealedGrams: Nullable(Type.Integer()),
  box: Nullable(Type.String()),
  currentDwellMs: Nullable(Type.Integer({ description: 'time in the current step, at the server clock' })),
  steps: Type.Array(StepSchema),
  voided: Type.Array(Type.Object({ step: StepSchema, by: RecordRefSchema, reason: Type.String() })),
  anomalies: Type.Array(Type.Object({ kind: literals(ANOMALY_KINDS), record: RecordRefSchema, message: Type.String() })),
  places: Type.Array(PlaceSchema),
  records: Type.Array(RecordViewSchema),
  verification: Type.Object({ records: Type.Integer(), verified: Type.Integer(), failed: Type.Integer() }),
  staff: Type.Array(StaffEntry, { description: "the staff registry's entries of the badges on this trail (steps and voided steps): who each handler is; badges no registry names are absent" }),
  log: Type.Optional(
    Type.Object(
      {
        key: Type.String({ description: "the log's verifier key" }),
        checkpoint: Nullable(
          Type.Object({
            size: Type.Integer({ description: 'tree size of the checkpoint the bag\'s audit bundle proves its records in' }),
            cosignedBy: Type.Array(Type.String(), { description: 'names of the configured witnesses that cosigned it' }),
            witnesses: Type.Integer({ description: 'witnesses configured (verifiableLog.witnesses)' }),
            quorum: Type.Integer({ description: 'cosignatures required (verifiableLog.quorum)' }),
            quorumMet: Type.Boolean(),
          }),
        ),
      },
      { description: 'the verifiable log: absent when the server keeps none; checkpoint null before the first one' },
    ),
  ),
});

export const BagIdParams = Type.Object({ id: TagParam });
export const TagParams = Type.Object({ tag: TagParam });
export const LabelParams = Type.Object({ label: Type.String({ minLength: 1, maxLength: 200, description: 'the text printed under the QR code, e.g. WT1.H330106.ONC.I250314.42R' }) });

export const BundleResponse = Type.Object({
  format: Type.Literal('wastetrail.bundle.v1'),
  bag: Type.String(),
  generatedAt: Type.String(),
  keyring: Type.Object({ format: Type.Literal('wastetrail.keyring.v1'), devices: Type.Record(Type.String(), Type.Unknown()) }),
  records: Type.Array(Type.String({ description: 'an envelope: {"record":"<base64 of the signed bytes>","sig":"<base64>"}' })),
  log: Type.Optional(
    Type.Object({
      key: Type.String({ description: "the log's verifier key (<origin>+<key id>+<base64 key>)" }),
      witnesses: Type.Optional(Type.Array(Type.String(), { description: "the witnesses' cosignature verifier keys (verifiableLog.witnesses)" })),
      quorum: Type.Optional(Type.Integer({ description: 'how many of them cosigned the checkpoint the proofs lead to, at least (verifiableLog.quorum)' })),
      proofs: Type.Array(Type.Union([Type.String(), Type.Null()]), { description: 'per record: a c2sp.org/tlog-proof to the newest checkpoint, or null when the record is not yet in a checkpoint' }),
    }),
  ),
});

export const RegisterQuery = Type.Object(
  {
    institution: Type.Optional(Type.Array(Code, { maxItems: 200 })),
    disposalInstitution: Type.Optional(Code),
    from: DayOrInstant,
    to: DayOrInstant,
    timeZone: Type.Optional(TimeZoneParam),
  },
  { additionalProperties: false },
);

export const CsvResponse = Type.String({ description: 'text/csv; charset=utf-8, with a byte order mark' });

// ---- Alerts ----

export const AlertViewSchema = Type.Object({
  id: Type.Integer(),
  rule: Type.String(),
  severity: AlertSeveritySchema,
  currentSeverity: AlertSeveritySchema,
  subject: Type.String(),
  title: Type.String(),
  message: Type.String({ description: 'the alert text in the requested language' }),
  messageKey: Type.String(),
  params: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()])),
  institution: Nullable(Type.String()),
  jurisdiction: Nullable(Type.String()),
  bag: Nullable(Type.String()),
  device: Nullable(Type.String()),
  status: AlertStatusSchema,
  escalationLevel: Type.Integer(),
  openedAt: Type.String(),
  awaitingAckSince: Type.String(),
  acknowledgedAt: Nullable(Type.String()),
  acknowledgedBy: Nullable(Type.String()),
  acknowledgeNote: Nullable(Type.String()),
  resolvedAt: Nullable(Type.String()),
  resolvedBy: Nullable(Type.String()),
  note: Nullable(Type.String()),
  since: Type.String(),
  conditionClearedAt: Nullable(Type.String()),
  evidence: Type.Array(Type.Object({ device: Type.String(), seq: Type.Integer(), hash: Type.Optional(Type.String()) })),
  occurrences: Type.Integer(),
  lastSeenAt: Type.String(),
  explanations: Type.Array(Type.Object({ by: Type.String(), at: Type.String(), note: Type.String() }), { description: "the parties' explanations, oldest first" }),
  actions: Type.Array(literals(ALERT_ACTIONS), { description: 'what the caller may do to it now (docs/server/alerting.md#who-may-act-on-an-alert)' }),
  details: Type.Record(Type.String(), Type.Unknown()),
});

export const AlertQuery = Type.Object(
  {
    status: Type.Optional(Type.Array(AlertStatusSchema, { maxItems: 3 })),
    severity: Type.Optional(Type.Array(AlertSeveritySchema, { maxItems: 3 })),
    rule: Type.Optional(Code),
    institution: Type.Optional(Code),
    bag: Type.Optional(TagParam),
    device: Type.Optional(Code),
    sort: Type.Optional(literals(ALERT_ORDERS, { description: 'worst: severity now, then oldest; oldest or newest: by when opened. Default oldest.' })),
    lang: Type.Optional(LocaleSchema),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
    offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
  },
  { additionalProperties: false },
);

export const AlertListResponse = Type.Object({ alerts: Type.Array(AlertViewSchema), total: Type.Integer({ description: 'how many alerts the filters find in the caller\'s scope, over all pages' }), limit: Type.Integer(), offset: Type.Integer() });
export const AlertIdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
export const LangQuery = Type.Object({ lang: Type.Optional(LocaleSchema) }, { additionalProperties: false });
export const AcknowledgeBody = Type.Object({ note: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false });
export const ExplainBody = Type.Object({ note: Type.String({ maxLength: 2000, description: 'the explanation: required, not blank' }) }, { additionalProperties: false });
export const ResolveBody = Type.Object({ note: Type.String({ maxLength: 2000, description: 'what was done: required, not blank' }) }, { additionalProperties: false });

// ---- Institutions ----

export const InstitutionViewSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: literals(INSTITUTION_KINDS),
  jurisdiction: Type.String(),
  jurisdictionPath: Type.Array(Type.Object({ id: Type.String(), name: Nullable(Type.String()) }), { description: 'city > district > grid' }),
});

export const InstitutionQuery = Type.Object({ kind: Type.Optional(literals(INSTITUTION_KINDS)) }, { additionalProperties: false });
export const InstitutionListResponse = Type.Object({ institutions: Type.Array(InstitutionViewSchema) });
export const InstitutionParams = Type.Object({ id: Code });

// ---- Storage rooms' climate ----

export const RoomClimateParams = Type.Object({ id: Code, room: Code });
export const RoomClimateQuery = Type.Object(
  { from: Type.Optional(DayOrInstant), to: Type.Optional(DayOrInstant), tz: Type.Optional(TimeZoneParam) },
  { additionalProperties: false },
);
export const ClimateSampleSchema = Type.Object({
  time: Type.String({ description: 'when the sensor was read (the station clock), RFC 3339 UTC' }),
  temperature: Type.Integer({ description: 'tenths of a degree Celsius, as signed' }),
  humidity: Type.Integer({ description: 'tenths of a percent relative humidity' }),
  outdoor: Nullable(Type.Integer({ description: "the outdoor probe's temperature, tenths of a degree; null: no probe or it did not answer" })),
  device: Type.String(),
  seq: Type.Integer({ description: 'the climate record that signed it' }),
});
export const RoomClimateResponse = Type.Object({
  institution: Type.String(),
  room: Type.String(),
  from: Type.String(),
  to: Type.String({ description: 'exclusive' }),
  samples: Type.Array(ClimateSampleSchema),
  truncated: Type.Boolean({ description: 'more samples than one answer holds: ask for a shorter window' }),
  lastReadingAt: Nullable(Type.String({ description: "the room sensor's newest reading ever; null: the room has no sensor" })),
});
export const ClimateRoomsResponse = Type.Object({
  rooms: Type.Array(Type.Object({ room: Type.String(), lastReadingAt: Type.String() })),
});
export const MassBalanceQuery = Type.Object({ from: Type.Optional(DaySchema), to: Type.Optional(DaySchema) }, { additionalProperties: false });

export const DailyMassSchema = Type.Object({
  day: Type.String(),
  bags: Type.Integer(),
  sealedGrams: Type.Integer(),
  received: Type.Integer({ description: 'bags weighed in at disposal' }),
  receivedGrams: Type.Integer(),
});

export const InstitutionDetailResponse = Type.Object({
  institution: InstitutionViewSchema,
  departments: Type.Array(Type.Object({ code: Type.String(), name: Type.String() })),
  massBalance: Type.Object({
    from: Type.String(),
    to: Type.String(),
    days: Type.Array(DailyMassSchema, { description: 'days with sealed bags only, by local sealing day' }),
    total: Type.Object({ bags: Type.Integer(), sealedGrams: Type.Integer(), received: Type.Integer(), receivedGrams: Type.Integer() }),
  }),
});

// ---- Devices ----

export const DeviceStatusSchema = Type.Object({
  state: Nullable(literals(DEVICE_STATES)),
  stateAt: Nullable(Type.String()),
  lastSeenAt: Nullable(Type.String()),
  agent: Nullable(Type.String()),
  backlog: Nullable(Type.Integer()),
  ackedSeq: Nullable(Type.Integer()),
  ackedHash: Nullable(Type.String()),
});

export const DeviceViewSchema = Type.Object({
  id: Type.String(),
  institution: Type.String(),
  stations: Type.Array(Type.String()),
  site: Nullable(Type.String()),
  keys: Type.Array(Type.Object({ kid: Type.String(), publicKey: Type.String(), revokedAt: Nullable(Type.String()) })),
  status: Nullable(DeviceStatusSchema),
});

export const DeviceQuery = Type.Object(
  {
    institution: Type.Optional(Code),
    state: Type.Optional(literals(DEVICE_STATES, { description: 'online or offline by the last status heard' })),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
    offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
  },
  { additionalProperties: false },
);
export const DeviceListResponse = Type.Object({ devices: Type.Array(DeviceViewSchema), total: Type.Integer({ description: 'devices the filters find in the caller\'s scope, over all pages' }), limit: Type.Integer(), offset: Type.Integer() });
export const DeviceParams = Type.Object({ id: Code });

// ---- Operations ----

export const IngestStatsResponse = Type.Object({ stats: Type.Record(Type.String(), Type.Unknown()) });
export const HealthResponse = Type.Object({
  status: literals(['ok', 'overloaded', 'unavailable'] as const),
  store: literals(['ok', 'unavailable'] as const),
  time: Type.String(),
  load: Type.Object(
    {
      overloaded: Type.Boolean(),
      eventLoopDelayMs: Nullable(Type.Number({ description: 'mean over the last sample; null when the event loop was blocked through all of it' })),
      heapUsedBytes: Type.Number(),
      rssBytes: Type.Number(),
    },
    { description: 'the last load sample; while `overloaded`, other routes answer 503 OVERLOADED' },
  ),
});
export const MetricsResponse = Type.String({ description: 'Prometheus text exposition format 0.0.4' });

export type BagSearchQueryT = Static<typeof BagSearchQuery>;
export type TrailResponseT = Static<typeof TrailResponse>;
export type StaffEntryT = Static<typeof StaffEntry>;
export type AlertViewT = Static<typeof AlertViewSchema>;
export type InstitutionViewT = Static<typeof InstitutionViewSchema>;
export type DeviceViewT = Static<typeof DeviceViewSchema>;

// ---- Transfer manifests (server/src/manifests, docs/transport/manifest.md) ----

const ManifestStatusSchema = literals(MANIFEST_STATUSES);
const ManifestStepSchema = literals(MANIFEST_STEPS);
const ManifestRecordRef = Type.Object({ device: Type.String(), seq: Type.Integer(), hash: Type.String() });

export const ManifestSchema = Type.Object({
  manifest: Type.String({ description: 'the 联单 number' }),
  status: ManifestStatusSchema,
  version: Nullable(Type.Integer({ description: 'the version in force (a correction is a new version); null before the issue is stored' })),
  versions: Type.Array(Type.Object({ version: Type.Integer(), record: ManifestRecordRef, time: Type.String(), issuer: Type.String(), reason: Type.Optional(Type.String()), bags: Type.Integer(), declaredGrams: Type.Integer() })),
  producer: Nullable(Type.String()),
  transporter: Nullable(Type.String()),
  receiver: Nullable(Type.String()),
  vehicle: Nullable(Type.String()),
  bags: Type.Array(
    Type.Object({
      tag: Type.String(),
      category: Nullable(CategorySchema),
      declaredGrams: Nullable(Type.Integer()),
      pickedUp: Type.Boolean(),
      receivedGrams: Nullable(Type.Integer()),
      outcome: Nullable(literals(BAG_OUTCOMES)),
      refusalReason: Type.Optional(Type.String()),
    }),
  ),
  declaredBags: Type.Integer(),
  declaredGrams: Type.Integer(),
  acceptedBags: Type.Integer(),
  acceptedGrams: Type.Integer(),
  refusedBags: Type.Integer(),
  refusedGrams: Type.Integer(),
  acceptance: Nullable(literals(['whole', 'partial', 'refused'] as const)),
  signatures: Type.Array(
    Type.Object({
      step: ManifestStepSchema,
      party: literals(['producer', 'transporter', 'receiver'] as const),
      institution: Type.String({ description: 'whose device signed (the place)' }),
      badge: Type.String(),
      time: Type.String(),
      record: ManifestRecordRef,
      version: Type.Optional(Type.Integer()),
      vehicle: Type.Optional(Type.String()),
    }),
    { description: 'in the order of the steps: issued, picked-up (the crew), received, closed' },
  ),
  discrepancies: Type.Array(
    Type.Object({
      kind: literals(['count', 'weight', 'refusal', 'signatory'] as const),
      severity: literals(['discrepancy', 'warning'] as const),
      stage: literals(['issue', 'pickup', 'receipt'] as const),
      missing: Type.Optional(Type.Array(Type.String())),
      undeclared: Type.Optional(Type.Array(Type.String())),
      refused: Type.Optional(Type.Array(Type.String())),
      declaredGrams: Type.Optional(Type.Integer()),
      receivedGrams: Type.Optional(Type.Integer()),
      percent: Type.Optional(Type.Number()),
      step: Type.Optional(ManifestStepSchema),
      institution: Type.Optional(Type.String({ description: 'signatory: where the step was signed' })),
      expected: Type.Optional(Type.String({ description: 'signatory: the party the manifest names for the step' })),
    }),
  ),
  missingSteps: Type.Array(ManifestStepSchema, { description: 'steps not signed though a later one was' }),
  issuedAt: Nullable(Type.String()),
  sentAt: Nullable(Type.String()),
  receivedAt: Nullable(Type.String()),
  closedAt: Nullable(Type.String()),
  lastAt: Type.String(),
  records: Type.Array(ManifestRecordRef),
  partyNames: Type.Record(Type.String(), Type.String(), {
    description: 'institution id -> name for every institution the manifest names (parties and signing places): a 联单 names its parties, so each party sees the others by name',
  }),
});

export const ManifestSearchQuery = Type.Object(
  {
    producer: Type.Optional(Code),
    transporter: Type.Optional(Code),
    receiver: Type.Optional(Code),
    vehicle: Type.Optional(Code),
    status: Type.Optional(Type.Array(ManifestStatusSchema, { maxItems: MANIFEST_STATUSES.length })),
    from: Type.Optional(DayOrInstant),
    to: Type.Optional(DayOrInstant),
    discrepant: Type.Optional(literals(['true', 'false'] as const, { description: 'only manifests with (true) or without (false) a discrepancy' })),
    open: Type.Optional(literals(['true', 'false'] as const, { description: 'only manifests not closed (true) or closed (false)' })),
    sort: Type.Optional(literals(MANIFEST_ORDERS, { description: 'newest (default) or oldest first signature first, or by number' })),
    timeZone: Type.Optional(TimeZoneParam),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
  },
  { additionalProperties: false },
);

export const ManifestSearchResponse = Type.Object({ manifests: Type.Array(ManifestSchema), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer() });
export const ManifestParams = Type.Object({ manifest: Code });
export const ManifestExportQuery = Type.Object({ timeZone: Type.Optional(TimeZoneParam) }, { additionalProperties: false });
