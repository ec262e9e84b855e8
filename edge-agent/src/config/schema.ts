/**
 * The agent's config file as one TypeBox schema: each setting's type, range, default and description.
 * `checkConfig` (@wastetrail/runtime) fills the defaults and names the field of any problem; the same
 * schema is written out as edge-agent/config/edge-config.schema.json for editors (by
 * scripts/write-config-schemas.ts at the repo root). Checks that involve several fields are in config.ts.
 *
 * Tagged shapes (`mqtt.auth` by mode, `badges.convention` by scheme) are one object with a mode field
 * here rather than a union: a union's error would name a branch, not the setting that is wrong.
 */
import { Type, type Static } from 'typebox';
import {
  BADGE_ID_PATTERN,
  CHAFON_VARIANTS,
  CODE_PATTERN,
  DEFAULT_STABILITY_RULE,
  DEVICE_ID_PATTERN,
  DISPOSAL_METHODS,
  PARITIES,
  SCALE_PROTOCOLS,
  STATION_ROLES,
  WEIGHT_UNITS,
} from '@wastetrail/firmware-protocol';
import { editorSchema, LogSettingsSchema, MetricsListenerSchema } from '@wastetrail/runtime';
import { LANGUAGES } from '../station/messages.ts';
import { BADGE_ROLES, STATION_MODES } from '../station/workflow.ts';

const code = (description: string, example: string) =>
  Type.String({ pattern: CODE_PATTERN.source, 'x-expected': 'a code of 1 to 64 printable characters without spaces', examples: [example], description });

const filePath = (description: string, example?: string) =>
  Type.String({ minLength: 1, maxLength: 4096, 'x-expected': 'a file path', ...(example ? { examples: [example] } : {}), description });

/** A whole number in a range; `unit` ('' for none) is shown in error messages: "from 20 to 10000 (ms)". */
const whole = (minimum: number, maximum: number, unit: string, fallback: number | undefined, description: string) =>
  Type.Integer({ minimum, maximum, ...(unit ? { 'x-unit': unit } : {}), ...(fallback !== undefined ? { default: fallback } : {}), description });

/** Line settings: each defaults to the protocol's factory setting (SCALE_LINE_DEFAULTS, chafon 57600 8N1). */
const lineFields = (device: string, example: string) => ({
  path: filePath(`The ${device}'s serial port; a stable udev name (docs/edge/README.md), not /dev/ttyUSB0, whose number changes.`, example),
  baudRate: Type.Optional(Type.Integer({ minimum: 50, maximum: 4_000_000, 'x-unit': 'bit/s', examples: [9600], description: "Line speed; the default is the protocol's factory setting." })),
  dataBits: Type.Optional(Type.Enum([7, 8], { description: 'Data bits (A&D indicators often use 7).' })),
  parity: Type.Optional(Type.Enum(PARITIES, { description: 'Parity (A&D indicators often use even).' })),
  stopBits: Type.Optional(Type.Enum([1, 2], { description: 'Stop bits.' })),
});

const ScaleSchema = Type.Object(
  {
    ...lineFields('scale', '/dev/wastetrail-scale'),
    protocol: Type.Enum(SCALE_PROTOCOLS, { description: 'mt-sics (Mettler Toledo, Ohaus), xk3190 (Yaohua, tF=0) or and (A&D, CAS).' }),
    unit: Type.Optional(Type.Enum(WEIGHT_UNITS, { description: 'Unit of frames that carry none (XK3190 frames never do); default g for mt-sics, kg otherwise.' })),
    pollMs: whole(20, 10_000, 'ms', 200, 'mt-sics only: how often the weight is asked for (SI).'),
    staleMs: whole(200, 60_000, 'ms', 2000, 'No reading for this long: the scale is shown as offline and its weight unknown.'),
  },
  { additionalProperties: false, description: 'The scale on its serial line.' },
);

const RfidSchema = Type.Object(
  {
    ...lineFields('RFID reader', '/dev/wastetrail-rfid'),
    protocol: Type.Enum(['chafon'], { default: 'chafon', description: 'The reader family: Chafon / UHFReader18.' }),
    variant: Type.Enum(CHAFON_VARIANTS, { default: 'plain', description: 'Which inventory reply the reader sends (docs/devices/rfid.md).' }),
    address: whole(0, 255, '', 255, "The reader's address; 255 reaches any reader on the line."),
    pollMs: whole(20, 10_000, 'ms', 300, 'An inventory every this often.'),
    replyTimeoutMs: whole(50, 10_000, 'ms', 1000, 'An inventory with no reply for this long is given up.'),
    lostAfterMs: whole(100, 600_000, 'ms', 3000, 'A tag not read for this long has left the field (at least twice pollMs).'),
  },
  { additionalProperties: false, description: 'The UHF RFID reader on its serial line: bag tags and staff badges.' },
);

const QrSchema = Type.Object(lineFields('QR scanner', '/dev/wastetrail-qr'), {
  additionalProperties: false,
  description: 'Optional: a QR scanner in USB-CDC (serial) mode; each code ends with CR.',
});

const ClimateSchema = Type.Object(
  {
    ...lineFields('climate sensor (RS-485 adapter)', '/dev/wastetrail-climate'),
    unit: whole(1, 247, '', 1, "The room sensor's Modbus address (factory setting 1)."),
    outdoorUnit: Type.Optional(whole(1, 247, '', undefined, 'An outdoor probe of the same kind on the same bus, at this address: its reading tells the rules a day above 25 °C (docs/transport/storage-climate.md).')),
    // A number: a simulated city polls at its accelerated pace (10 simulated minutes at 1440x is 0.42 s).
    intervalSeconds: Type.Number({ minimum: 0.1, maximum: 3600, 'x-unit': 's', default: 60, description: 'A reading every this often.' }),
    samplesPerRecord: whole(1, 1440, 'readings', 10, 'Readings signed together in one climate record (10 at 60 s: one record every 10 minutes).'),
    replyTimeoutMs: whole(50, 10_000, 'ms', 1000, 'A request with no valid reply for this long is a failed reading.'),
  },
  { additionalProperties: false, description: 'Storage stations: the room\'s Modbus RTU temperature and humidity sensor on RS-485 (registers as the common RS-WS-N01 kind: docs/transport/storage-climate.md); line default 4800 8N1.' },
);

const VehicleSchema = Type.Object(
  {
    plate: code('The vehicle plate as printed, without spaces, as registered on the server.', '浙A12345'),
    gnss: Type.Object(lineFields('GNSS receiver', '/dev/wastetrail-gnss'), {
      additionalProperties: false,
      description: 'The GNSS receiver: NMEA 0183, GGA and RMC every second (default 9600 8N1).',
    }),
    cargo: Type.Optional(
      Type.Object(lineFields('cargo I/O module', '/dev/wastetrail-cargo'), {
        additionalProperties: false,
        description: 'The cargo box I/O module: door contact and temperature probe as $PWTIO sentences (default 9600 8N1; docs/transport/vehicle.md).',
      }),
    ),
    trackSeconds: whole(5, 600, 's', 60, 'One signed track record per this many seconds of fixes.'),
    temperatureSeconds: whole(1, 3600, 's', 30, 'One cargo temperature sample kept per this many seconds.'),
  },
  { additionalProperties: false, description: 'Vehicle stations: the receiver, the cargo box and how often the track is signed.' },
);

export const EdgeConfigSchema = Type.Object(
  {
    deviceId: Type.String({
      pattern: DEVICE_ID_PATTERN.source,
      'x-expected': 'a device id: a-z, 0-9 and -, 3 to 64 characters, as in keyring.json',
      examples: ['hz-h001-icu-01'],
      description: "This station's device id, exactly as in the server's keyring.json; also its MQTT client id and a level of its topics.",
    }),
    keyFile: filePath('The Ed25519 private key from `wastetrail-edge keygen` (mode 0600).'),
    institution: code('The hospital or disposal company, as in the keyring.', 'hz-h001'),
    department: Type.Optional(code('Department stations: the department code written into every sealed record.', 'ICU')),
    site: Type.Optional(code('What the station serves; storage stations: the room code written into stored records.', 'STORE-1')),
    station: Type.Object(
      {
        role: Type.Enum(STATION_ROLES, { description: 'What the station does: department seals bags, collection, storage, pickup and disposal take them over; vehicle signs the track and cargo door.' }),
        mode: Type.Optional(Type.Enum(STATION_MODES, { description: "The starting mode; one of the role's modes (department: seal, pack or unpack; storage: store-in, store-out, pack or unpack; disposal: receive or dispose). Default: the role's first." })),
        stepTimeoutSeconds: whole(10, 86_400, 's', 120, 'A transaction with no progress for this long is cancelled (nothing is recorded).'),
        weighTimeoutSeconds: whole(3, 3600, 's', 30, '"Weight never stable": the weighing step gives up after this long.'),
        minGrams: whole(1, 1_000_000, 'g', 10, 'Lighter than this is "nothing on the scale".'),
        maxBags: whole(1, 500, 'bags', 100, 'Bags in one handover (collection, storage, pickup, disposal).'),
      },
      { additionalProperties: false, description: 'The station workflow.' },
    ),
    serial: Type.Optional(
      Type.Object(
        { scale: ScaleSchema, rfid: RfidSchema, qr: Type.Optional(QrSchema), climate: Type.Optional(ClimateSchema) },
        { additionalProperties: false, description: 'Serial devices of a custody station (every role but vehicle); line settings default to the protocol\'s factory settings.' },
      ),
    ),
    vehicle: Type.Optional(VehicleSchema),
    stability: Type.Object(
      {
        minSamples: whole(1, 256, 'readings', DEFAULT_STABILITY_RULE.minSamples, 'A steady weight needs at least this many latest readings.'),
        toleranceGrams: whole(0, 100_000, 'g', DEFAULT_STABILITY_RULE.toleranceGrams, 'The latest readings span at most this many grams.'),
        minDurationMs: whole(0, 60_000, 'ms', DEFAULT_STABILITY_RULE.minDurationMs, 'The latest readings cover at least this long.'),
        maxGapMs: whole(10, 60_000, 'ms', DEFAULT_STABILITY_RULE.maxGapMs, 'A silence longer than this starts the count again.'),
        requireScaleFlag: Type.Boolean({ default: true, description: 'mt-sics and A&D: the scale\'s own "stable" flag must agree as well.' }),
      },
      { additionalProperties: false, default: {}, description: 'When a weight is steady enough to record.' },
    ),
    mqtt: Type.Object(
      {
        url: Type.String({
          pattern: '^(mqtt|mqtts|ws|wss)://[^\\s]+$',
          maxLength: 2048,
          'x-expected': 'a broker URL: mqtt://, mqtts://, ws:// or wss:// and a host',
          examples: ['mqtts://gateway.example.org:8883'],
          description: 'The gateway or broker.',
        }),
        tls: Type.Object(
          {
            ca: Type.Optional(filePath('A private CA that signed the broker\'s certificate (PEM).')),
            cert: Type.Optional(filePath('A client certificate (PEM), if the broker asks for one; needs key.')),
            key: Type.Optional(filePath("The client certificate's private key (PEM).")),
            rejectUnauthorized: Type.Boolean({ default: true, description: 'Refuse a broker whose certificate does not check out.' }),
          },
          { additionalProperties: false, default: {}, description: 'TLS files, for an mqtts:// or wss:// url.' },
        ),
        auth: Type.Object(
          {
            mode: Type.Enum(['device-token', 'password', 'none'], {
              default: 'device-token',
              description: 'device-token: the wastetrail gateway (a fresh token signed with the device key); password: a broker with a password per device (Mosquitto); none: anonymous (development only).',
            }),
            username: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'password mode: the MQTT username.' })),
            password: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'password mode: the password (or passwordFile).' })),
            passwordFile: Type.Optional(filePath('password mode: a file holding the password (or password).')),
          },
          { additionalProperties: false, default: {}, description: 'How the agent logs in to the broker.' },
        ),
        keepaliveSeconds: whole(5, 3600, 's', 30, 'MQTT keepalive.'),
        connectTimeoutSeconds: whole(1, 600, 's', 30, 'A connection attempt with no CONNACK for this long is given up.'),
        reconnect: Type.Object(
          { minMs: whole(10, 600_000, 'ms', 1000, 'The first wait before reconnecting.'), maxMs: whole(10, 3_600_000, 'ms', 60_000, 'The longest wait.') },
          { additionalProperties: false, default: {}, description: 'Exponential backoff with jitter between connection attempts.' },
        ),
        batch: Type.Object(
          { maxRecords: whole(1, 5000, 'records', 200, 'Records per MQTT message.'), maxBytes: whole(1024, 262_144, 'bytes', 131_072, 'Bytes per MQTT message.') },
          { additionalProperties: false, default: {}, description: 'Records per MQTT message during catch-up.' },
        ),
        window: whole(1, 256, 'messages', 8, 'Messages in flight (not yet PUBACKed by the broker) at once.'),
        ackTimeoutSeconds: whole(1, 86_400, 's', 60, 'No server ack for this long: send again from the last ack.'),
      },
      { additionalProperties: false, description: 'The uplink to the gateway.' },
    ),
    heartbeatMinutes: Type.Number({ minimum: 0, maximum: 1440, 'x-unit': 'min', default: 5, description: 'A signed heartbeat record every this often (0: none); the server\'s "device silent" rule watches it.' }),
    kiosk: Type.Object(
      {
        enabled: Type.Boolean({ default: true, description: 'Serve the station\'s screen.' }),
        host: Type.String({ minLength: 1, maxLength: 255, default: '127.0.0.1', 'x-expected': 'an address to listen on, e.g. 127.0.0.1', description: 'Address of the kiosk page: this machine only, by default.' }),
        port: whole(0, 65_535, '', 8080, 'TCP port of the kiosk page (0: any free port).'),
        language: Type.Enum(LANGUAGES, { default: 'zh-CN', description: 'The screen\'s first language (the operator can switch).' }),
      },
      { additionalProperties: false, default: {}, description: 'The station\'s screen: a page on this machine.' },
    ),
    dataDir: filePath('The outbox (outbox.sqlite) lives here: back it up, never edit it.'),
    badges: Type.Object(
      {
        convention: Type.Object(
          {
            scheme: Type.Enum(['giai-96', 'epc-prefix'], { default: 'giai-96', description: 'giai-96: a badge is a GIAI-96 EPC; epc-prefix: any EPC starting with prefixHex (docs/devices/rfid.md).' }),
            companyPrefixes: Type.Optional(
              Type.Array(Type.String({ pattern: '^[0-9]{6,12}$', 'x-expected': 'a GS1 company prefix of 6 to 12 digits' }), { minItems: 1, maxItems: 100, description: 'giai-96: only badges under these GS1 company prefixes.' }),
            ),
            prefixHex: Type.Optional(Type.String({ pattern: '^(?:[0-9a-f]{2}){1,31}$', 'x-expected': 'lower-case hex, whole bytes', examples: ['e2801160'], description: 'epc-prefix: the hex every badge EPC starts with.' })),
          },
          { additionalProperties: false, default: {}, description: 'How a staff badge is told from a bag tag.' },
        ),
        known: Type.Optional(
          Type.Array(
            Type.Object(
              {
                id: Type.String({ pattern: BADGE_ID_PATTERN.source, 'x-expected': 'a badge id as the reader reports it', examples: ['giai:0614141.100742'] }),
                name: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Shown on the screen.' })),
                roles: Type.Optional(Type.Array(Type.Enum(BADGE_ROLES), { minItems: 1, maxItems: BADGE_ROLES.length, description: 'Which badge slots this person may fill; absent: any.' })),
              },
              { additionalProperties: false },
            ),
            { maxItems: 100_000, description: 'A local list of badges; with refuseUnknown, any other badge is refused here.' },
          ),
        ),
        refuseUnknown: Type.Boolean({ default: true, description: 'With a known list: refuse badges not on it.' }),
      },
      { additionalProperties: false, default: {}, description: 'Staff badges.' },
    ),
    pickup: Type.Optional(
      Type.Object(
        { vehicle: code('The vehicle plate as printed, without spaces.', '浙A12345'), manifest: Type.Optional(code('A manifest number for every pickup (usually the crew enters each one).', 'M-2026-0001')) },
        { additionalProperties: false, description: 'Pickup stations (on a vehicle).' },
      ),
    ),
    disposal: Type.Object(
      { method: Type.Enum(DISPOSAL_METHODS, { default: 'incineration', description: 'The method preselected for "disposed" records.' }) },
      { additionalProperties: false, default: {}, description: 'Disposal stations.' },
    ),
    verifiableLog: Type.Optional(
      Type.Object(
        {
          url: Type.String({
            pattern: '^https?://[^\\s]+$',
            'x-expected': 'the server\'s http:// or https:// address',
            examples: ['https://wastetrail.example.org'],
            description: "The server's web address: the log is read at <url>/log/v1/checkpoint and <url>/api/v1/log/.",
          }),
          key: Type.String({
            minLength: 1,
            maxLength: 1024,
            'x-expected': 'a verifier key <origin>+<key id>+<base64>, from the server\'s "log key" start line',
            examples: ['wastetrail.local/log+1a2b3c4d+AXq...'],
            description: "The log's verifier key, as the server prints it at start (not as any bundle or HTTP response says).",
          }),
          auditMinutes: Type.Number({ minimum: 0, maximum: 10_080, 'x-unit': 'min', default: 60, description: 'The running agent audits the log every this often (0: only `wastetrail-edge audit`); a failure is an error log line and wastetrail_edge_log_audits_total{outcome=CODE}.' }),
        },
        { additionalProperties: false, description: 'Audit the server\'s verifiable log as a light witness (`wastetrail-edge audit`, and the running agent every auditMinutes; docs/protocol/log.md).' },
      ),
    ),
    log: LogSettingsSchema,
    metrics: Type.Optional(MetricsListenerSchema),
  },
  { additionalProperties: false },
);
export type EdgeConfigFile = Static<typeof EdgeConfigSchema>;

/** The committed JSON Schema's name, next to the example configs in edge-agent/config/. */
export const EDGE_CONFIG_SCHEMA_FILE = 'edge-config.schema.json';

/** edge-config.schema.json: what an editor checks a config file against through its `$schema` (scripts/write-config-schemas.ts writes it). */
export function edgeConfigJsonSchema(): Record<string, unknown> {
  return editorSchema(EdgeConfigSchema, {
    id: `https://wastetrail.example/schemas/${EDGE_CONFIG_SCHEMA_FILE}`,
    title: 'wastetrail edge agent configuration',
    description: 'The config file of `wastetrail-edge run --config FILE` (docs/edge/README.md).',
  });
}
