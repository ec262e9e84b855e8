/**
 * The custody events a bag goes through, ward to furnace, and the body each one carries.
 * Weights are integer grams with an explicit unit so a kilogram value can never pass for grams.
 */
import { array, instant, integer, object, oneOf, optional, string, unit, type Infer, type Schema } from './schema.ts';

export const WASTE_CATEGORIES = ['infectious', 'sharps', 'pathological', 'pharmaceutical', 'chemical'] as const;
export type WasteCategory = (typeof WASTE_CATEGORIES)[number];

export const DISPOSAL_METHODS = ['incineration', 'steam-sterilisation', 'chemical-disinfection', 'microwave', 'other'] as const;
export type DisposalMethod = (typeof DISPOSAL_METHODS)[number];

/** Device ids appear in MQTT topic levels, so: lower case, digits and dashes only. */
export const DEVICE_ID_PATTERN = /^[a-z0-9][a-z0-9-]{2,63}$/;
export const deviceId = string({ pattern: DEVICE_ID_PATTERN, max: 64, describe: 'a device id (a-z, 0-9, -; 3-64 characters)' });

/**
 * A bag's tag: `epc:` + the raw EPC in lower-case hex (any header; decoded elsewhere), or `qr:` + the
 * printed label payload. The same bag may carry both; every later step may name either.
 */
export const TAG_ID_PATTERN = /^(epc:(?:[0-9a-f]{2}){4,62}|qr:[\x21-\x7e]{1,200})$/;
export const tagId = string({ pattern: TAG_ID_PATTERN, max: 203, describe: 'a tag id ("epc:<hex>" or "qr:<label>")' });
export type TagId = string;

/** A staff badge number as the reader reports it (an EPC or card UID in hex, or a printed number). */
export const BADGE_ID_PATTERN = /^[A-Za-z0-9:._-]{1,64}$/;
export const badgeId = string({ pattern: BADGE_ID_PATTERN, max: 64, describe: 'a badge id' });
/**
 * Codes for institutions, departments, rooms, vehicles, manifests and batches: any printable characters
 * but spaces, so a plate is written as it is printed (浙A12345).
 */
export const CODE_PATTERN = /^[^\s\p{Cc}\p{Cf}\p{Cs}]{1,64}$/u;
export const code = string({ pattern: CODE_PATTERN, max: 64, describe: 'a code of 1-64 printable characters without spaces' });
export const hash = string({ pattern: /^[0-9a-f]{64}$/, min: 64, max: 64, describe: '64 lower-case hex digits' });

/** At most 10 t in one weighing: anything above is a unit mistake, not a load. */
export const MAX_GRAMS = 10_000_000;
export const weight = object({ value: integer({ min: 0, max: MAX_GRAMS }), unit: unit('g') }, 'a weight {value, unit: "g"}');
export type Weight = Infer<typeof weight>;

const category = oneOf(WASTE_CATEGORIES);
const bagItem = object({ tag: tagId, weight: optional(weight) }, 'a bag {tag, weight?}');
export type BagItem = Infer<typeof bagItem>;
const bags = array(bagItem, { min: 1, max: 500 });

/** Any instant, as record times are written (RFC 3339 UTC, milliseconds, Z). */
const time = instant();
/**
 * One climate reading as the sensor gave it: tenths of a degree Celsius and tenths of a percent relative
 * humidity, integers so nothing is lost to floating point. `outdoor` is the optional outdoor probe's
 * temperature at the same poll (docs/transport/storage-climate.md).
 */
const climateSample = object(
  {
    time,
    temperature: integer({ min: -400, max: 1250 }),
    humidity: integer({ min: 0, max: 1000 }),
    outdoor: optional(integer({ min: -400, max: 1250 })),
  },
  'a climate sample {time, temperature, humidity, outdoor?}',
);
export type ClimateSample = Infer<typeof climateSample>;
/**
 * Positions are WGS-84 microdegrees (about 0.1 m), integers so canonical JSON has exactly one form for
 * a position; a float would have several.
 */
const position = object({ lat: integer({ min: -90_000_000, max: 90_000_000 }), lon: integer({ min: -180_000_000, max: 180_000_000 }) }, 'a position {lat, lon} in microdegrees');
export type Position = Infer<typeof position>;
/** The receiver's fix quality (GGA field 6), for the fixes it reports: no fix is not a position. */
export const FIX_QUALITIES = ['gps', 'dgps', 'pps', 'rtk', 'float-rtk', 'estimated', 'manual', 'simulation'] as const;
export type FixQuality = (typeof FIX_QUALITIES)[number];
const gnssFix = object(
  {
    at: time,
    lat: integer({ min: -90_000_000, max: 90_000_000 }),
    lon: integer({ min: -180_000_000, max: 180_000_000 }),
    /** Tenths of a km/h, over ground. */
    speed: integer({ min: 0, max: 5000 }),
    quality: oneOf(FIX_QUALITIES),
    satellites: integer({ min: 0, max: 99 }),
  },
  'a fix {at, lat, lon, speed, quality, satellites}',
);
export type GnssFix = Infer<typeof gnssFix>;
/** Tenths of a degree Celsius: -50.0 to 100.0 °C covers a probe in any cargo box, frozen or in the sun. */
const cargoTemperature = object({ at: time, value: integer({ min: -500, max: 1000 }) }, 'a cargo temperature {at, value} in tenths of a degree Celsius');
export type CargoTemperature = Infer<typeof cargoTemperature>;
export const DOOR_ACTIONS = ['open', 'close'] as const;
export type DoorAction = (typeof DOOR_ACTIONS)[number];

export const EVENT_BODIES = {
  /** Step 1, at the department: a bag is closed, tagged, weighed and signed for by a staff badge. */
  sealed: object({ tags: array(tagId, { min: 1, max: 4 }), category, weight, department: code, staff: badgeId }),
  /** Step 2: department -> internal collector. `weight` is the whole handover (a cart), bags may carry their own. */
  collected: object({ bags, weight, giver: badgeId, receiver: badgeId }),
  /** Step 3: into the temporary storage room; the storage clock starts. */
  stored: object({ bags, weight, keeper: badgeId, room: code }),
  /** Step 4: storage -> transport crew, against a transfer manifest (转移联单). */
  'picked-up': object({ bags, weight, giver: badgeId, crew: badgeId, vehicle: code, manifest: code }),
  /** Step 5: weighed in at the disposal centre. */
  received: object({ bags, weight, operator: badgeId, vehicle: code, manifest: code }),
  /** Step 6: destroyed, in a batch. */
  disposed: object({
    bags: array(tagId, { min: 1, max: 5000 }),
    method: oneOf(DISPOSAL_METHODS),
    batch: code,
    operator: badgeId,
    weight: optional(weight),
  }),
  /** Voids or amends an earlier record, which stays as it was: nothing is edited in place. */
  correction: object({
    target: object({ device: deviceId, seq: integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), hash }),
    action: oneOf(['void', 'amend'] as const),
    reason: string({ max: 500 }),
    authorisedBy: badgeId,
    amend: optional(object({ weight: optional(weight), category: optional(category) })),
  }),
  /** Bags packed into (or taken out of) a reusable turnover box with its own GRAI tag. */
  aggregated: object({ box: tagId, bags: array(tagId, { min: 1, max: 500 }), action: oneOf(['pack', 'unpack'] as const), staff: badgeId }),
  /** The device is alive; its backlog tells the server how much is still to come. */
  heartbeat: object({ uptime: integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), backlog: integer({ min: 0, max: Number.MAX_SAFE_INTEGER }) }),
  /**
   * The storage room's temperature and humidity, polled from its Modbus sensor and signed in batches.
   * `failed` counts the polls since the previous climate record that got no reading (timeout, CRC,
   * exception), so a gap in the samples is a signed fact, not a silence.
   */
  climate: object({ room: code, unit: integer({ min: 1, max: 247 }), samples: array(climateSample, { min: 0, max: 1440 }), failed: integer({ min: 0, max: 1_000_000 }) }),
  // ---- The transfer manifest (转移联单, docs/transport/manifest.md). The crew's signature is the `picked-up`
  // record naming the manifest; these three are the producer's, the receiver's and the closing. ----
  /** The producing hospital issues (or, with a higher version, corrects) a manifest: what leaves, for whom. */
  'manifest-issued': object({
    manifest: code,
    version: integer({ min: 1, max: 999 }),
    producer: code,
    transporter: code,
    receiver: code,
    vehicle: optional(code),
    bags: array(object({ tag: tagId, category, weight }, 'a manifest bag {tag, category, weight}'), { min: 1, max: 500 }),
    weight,
    issuer: badgeId,
    reason: optional(string({ max: 500 })),
  }),
  /** The disposal centre weighs each bag in and accepts it or refuses it with a reason. */
  'manifest-received': object({
    manifest: code,
    vehicle: code,
    accepted: array(object({ tag: tagId, weight }, 'an accepted bag {tag, weight}'), { min: 0, max: 500 }),
    refused: array(object({ tag: tagId, weight: optional(weight), reason: string({ min: 1, max: 500 }) }, 'a refused bag {tag, weight?, reason}'), { min: 0, max: 500 }),
    operator: badgeId,
  }),
  /** Disposal closes the manifest: its accepted bags processed, or the whole load refused. */
  'manifest-closed': object({ manifest: code, outcome: oneOf(['processed', 'refused'] as const), operator: badgeId }),
  /** A vehicle's fixes and cargo-box temperatures over a span (about a minute), signed as one batch. */
  track: object({ vehicle: code, fixes: array(gnssFix, { min: 0, max: 3600 }), temperatures: array(cargoTemperature, { min: 0, max: 3600 }), noFix: integer({ min: 0, max: 86_400 }) }),
  /** The cargo door opened or closed, where the vehicle last knew it was. */
  door: object({ vehicle: code, action: oneOf(DOOR_ACTIONS), at: time, position: optional(position) }),
} satisfies Record<string, Schema<unknown>>;

export type EventType = keyof typeof EVENT_BODIES;
export const EVENT_TYPES = Object.keys(EVENT_BODIES) as EventType[];
export type EventBody<T extends EventType = EventType> = Infer<(typeof EVENT_BODIES)[T]>;
/** An event as a tagged union, so `switch (e.type)` narrows the body. */
export type CustodyEvent = { [T in EventType]: { type: T; body: EventBody<T> } }[EventType];

export function isEventType(s: unknown): s is EventType {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(EVENT_BODIES, s);
}

/** The kinds of station an edge device can serve, and which events each may sign. */
export const STATION_ROLES = ['department', 'collection', 'storage', 'pickup', 'disposal', 'vehicle'] as const;
export type StationRole = (typeof STATION_ROLES)[number];

export const EVENTS_BY_STATION: Record<StationRole, readonly EventType[]> = {
  department: ['sealed', 'aggregated', 'correction', 'heartbeat'],
  collection: ['collected', 'correction', 'heartbeat'],
  storage: ['stored', 'picked-up', 'aggregated', 'correction', 'heartbeat', 'climate', 'manifest-issued'],
  pickup: ['picked-up', 'correction', 'heartbeat'],
  disposal: ['received', 'disposed', 'correction', 'heartbeat', 'manifest-received', 'manifest-closed'],
  vehicle: ['track', 'door', 'heartbeat'],
};
