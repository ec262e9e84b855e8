/**
 * Request and response shapes of the interop routes (TypeBox): the EPCIS query (/epcis/events), the
 * change feed and its webhook subscriptions (/api/v1/changes, /api/v1/subscriptions).
 */
import { Type, type Static } from 'typebox';
import { EVENT_QUERY_PARAMETERS } from '../interop/event-query.ts';
import { CHANGE_KINDS } from '../store/vocabulary.ts';
import { AlertViewSchema, BagSummarySchema, LocaleSchema, ManifestSchema } from './schemas.ts';

const ChangeKindSchema = Type.Enum([...CHANGE_KINDS]);

// ---- EPCIS ----

export const MAX_PER_PAGE = 1000;

export const EpcisEventsQuery = Type.Object(
  {
    ...Object.fromEntries(EVENT_QUERY_PARAMETERS.map((name) => [name, Type.Optional(Type.String({ minLength: 1, maxLength: 4000, description: `GS1 ${name}; several values separated by "|"` }))])),
    perPage: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PER_PAGE, default: 30, description: 'events per page (GS1 default 30; at most 1000)' })),
    nextPageToken: Type.Optional(Type.String({ minLength: 1, maxLength: 8000, description: "the next page's token, from the Link header of the page before (expires: GS1-Next-Page-Token-Expires)" })),
  },
  { additionalProperties: false },
);
export type EpcisEventsQueryT = Static<typeof EpcisEventsQuery>;

/** An EPCISQueryDocument (GS1's EPCIS-JSON-Schema.json has the whole shape; the tests validate against it). */
export const EpcisQueryDocumentSchema = Type.Object(
  {
    '@context': Type.Unknown(),
    type: Type.Literal('EPCISQueryDocument'),
    schemaVersion: Type.String(),
    creationDate: Type.String(),
    epcisBody: Type.Object({
      queryResults: Type.Object({ queryName: Type.String(), resultsBody: Type.Object({ eventList: Type.Array(Type.Unknown(), { description: 'EPCIS 2.0 ObjectEvents and AggregationEvents (docs/interop/epcis.md)' }) }) }),
    }),
  },
  { description: 'an EPCIS 2.0 EPCISQueryDocument (JSON-LD)' },
);

// ---- The change feed ----

export const ChangesQuery = Type.Object(
  {
    after: Type.Optional(Type.Integer({ minimum: 0, default: 0, description: "the cursor: changes after it (a previous answer's `next`; 0 from the start)" })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'changes looked at, at most (out-of-scope ones are left out of the answer)' })),
    kind: Type.Optional(Type.Array(ChangeKindSchema, { minItems: 1, description: 'only these kinds (repeat the parameter)' })),
    lang: Type.Optional(LocaleSchema),
  },
  { additionalProperties: false },
);
export type ChangesQueryT = Static<typeof ChangesQuery>;

const RecordChangeSchema = Type.Object({
  id: Type.Integer({ description: 'the acceptance id' }),
  device: Type.String(),
  seq: Type.Integer(),
  hash: Type.String(),
  type: Type.String(),
  time: Type.String(),
  receivedAt: Type.String(),
  body: Type.Unknown({ description: 'the signed body (docs/protocol/record.md)' }),
  events: Type.Array(Type.Unknown(), { description: 'its EPCIS 2.0 events' }),
});

export const FeedEntrySchema = Type.Object({
  id: Type.Integer({ description: 'the cursor of this change' }),
  kind: ChangeKindSchema,
  key: Type.String({ description: 'the record id, bag id, alert id or manifest number' }),
  record: Type.Optional(RecordChangeSchema),
  bag: Type.Optional(BagSummarySchema),
  alert: Type.Optional(AlertViewSchema),
  manifest: Type.Optional(ManifestSchema),
  removed: Type.Optional(Type.Literal(true, { description: 'the bag row was removed (regulators only)' })),
});

export const ChangesResponse = Type.Object({
  changes: Type.Array(FeedEntrySchema),
  next: Type.Integer({ description: 'ask after this next' }),
});

// ---- Webhook subscriptions ----

export const SubscriptionBody = Type.Object(
  {
    url: Type.String({ minLength: 8, maxLength: 2000, pattern: '^https?://[^\\s]+$', description: 'where to POST the changes (http or https)' }),
    kinds: Type.Optional(Type.Array(ChangeKindSchema, { minItems: 1, uniqueItems: true, description: 'default: every kind' })),
    after: Type.Optional(Type.Integer({ minimum: 0, description: 'deliver changes after this cursor (0: from the start); default: from now on' })),
  },
  { additionalProperties: false },
);
export type SubscriptionBodyT = Static<typeof SubscriptionBody>;

export const SubscriptionViewSchema = Type.Object({
  id: Type.Integer(),
  url: Type.String(),
  kinds: Type.Array(ChangeKindSchema),
  createdAt: Type.String(),
  deliveredThrough: Type.Integer({ description: 'the last change the subscriber acknowledged (2xx)' }),
  failures: Type.Integer({ description: 'failed deliveries in a row' }),
  nextAttemptAt: Type.String(),
  lastError: Type.Union([Type.String(), Type.Null()]),
});

export const CreatedSubscriptionSchema = Type.Object({ ...SubscriptionViewSchema.properties, secret: Type.String({ description: 'the HMAC-SHA256 key of the X-Wastetrail-Signature header: shown this once' }) });
export const SubscriptionListResponse = Type.Object({ subscriptions: Type.Array(SubscriptionViewSchema) });
export const SubscriptionParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
