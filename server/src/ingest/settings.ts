/**
 * The `ingest` and `mqtt` sections of the server config: how records are read (from the embedded
 * gateway or an external broker), verified and committed (docs/server/ingest.md).
 */
import { DEVICE_ID_PATTERN } from '@wastetrail/firmware-protocol';
import { GatewaySettingsSchema, gatewaySettingsFromFile, type GatewaySettings } from '@wastetrail/gateway';
import { checkConfig, ConfigError, fieldPath, readConfigSecret } from '@wastetrail/runtime';
import { Type, type Static } from 'typebox';

const ms = (min: number, max: number, d: number, description: string) => Type.Integer({ minimum: min, maximum: max, default: d, 'x-unit': 'ms', description });
const records = (min: number, max: number, d: number, description: string) => Type.Integer({ minimum: min, maximum: max, default: d, 'x-unit': 'records', description });

export const IngestSettingsSchema = Type.Object(
  {
    batchMs: ms(1, 10_000, 5, 'Group commit: longest a stored record waits for its transaction.'),
    batchMaxRecords: records(1, 100_000, 500, 'A group commit happens at once when this many records and refusals are waiting.'),
    gapTimeoutMs: ms(1, 7 * 24 * 3600_000, 60_000, 'A sequence gap not filled in this time is given up (integrity alert SEQUENCE_GAP).'),
    gapRecheckMs: ms(1, 3600_000, 1_000, 'With a shared subscription group: how often to look whether another process stored the missing records.'),
    maxHeldPerDevice: records(1, 1_000_000, 1024, 'Records held per device behind a gap; beyond it the gap is given up at once.'),
    maxPayloadBytes: Type.Integer({ minimum: 1024, maximum: 256 * 1024 * 1024, default: 256 * 1024, 'x-unit': 'bytes', description: 'Larger records payloads are quarantined (PAYLOAD_TOO_LARGE).' }),
    verifyWorkers: Type.Union([Type.Literal('auto'), Type.Integer({ minimum: 0, maximum: 256 })], {
      default: 'auto',
      'x-expected': '"auto" or a number of worker threads from 0 to 256 (0 verifies on the main thread)',
      description: 'Signature checks on worker threads: "auto" (cores - 1), or a number (0: the main thread only).',
    }),
    workerThreshold: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 200, 'x-unit': 'records/s', description: 'Records per second arriving from which signature checks go to the workers (0: always, when there are workers).' }),
    maxQueuedRecords: records(1, 10_000_000, 20_000, 'Records waiting to be linked before the server stops reading from the broker (backpressure).'),
    keyringReloadMs: ms(0, 24 * 3600_000, 60_000, 'How often the keyring is re-read from the store; 0: only when the server is told.'),
    republishAcks: Type.Boolean({ default: true, description: "At start, publish the stored acks again (retained), e.g. for the embedded broker's devices." }),
  },
  { additionalProperties: false, default: {}, description: 'Verifying and committing records (docs/server/ingest.md).' },
);

export type IngestSettings = Static<typeof IngestSettingsSchema> & {
  /** MQTT 5 shared subscription group ($share/<group>/...), so several server processes split the load (`mqtt.sharedGroup`). */
  sharedGroup?: string;
};

export const DEFAULT_INGEST_SETTINGS: IngestSettings = checkConfig(IngestSettingsSchema, {});

const optionalString = (description: string, o: object = {}) => Type.Optional(Type.String({ minLength: 1, description, ...o }));
const file = (description: string) => optionalString(description, { 'x-expected': 'a file path (relative to the config file)' });

const EmbeddedMqttSchema = Type.Object(
  {
    mode: Type.Literal('embedded', { default: 'embedded', description: '"embedded": the server runs the MQTT gateway itself; devices log in with signed tokens, the keyring comes from the store.' }),
    gateway: Type.Object(GatewaySettingsSchema.properties, {
      additionalProperties: false,
      default: {},
      description: 'The gateway\'s settings, as in its own config file (docs/gateway/README.md) without keyringFile and log.',
      'x-not-here': {
        keyringFile: 'the server keeps the keyring in its store; remove this field',
        log: 'the gateway logs through the server: set the top-level "log"',
        logLevel: 'the gateway logs through the server: set the top-level "log"',
      },
    }),
  },
  {
    additionalProperties: false,
    'x-not-here': { sharedGroup: 'needs an external broker (the embedded gateway has no shared subscriptions); set "mode": "external" and "url"' },
  },
);

const ExternalMqttSchema = Type.Object(
  {
    mode: Type.Literal('external', { description: '"external": read from a broker such as Mosquitto.' }),
    url: Type.String({ pattern: '^(mqtts?|wss?)://\\S+$', 'x-expected': 'a broker URL such as "mqtt://127.0.0.1:1883" (mqtt, mqtts, ws or wss)' }),
    username: optionalString('The server\'s user name at the broker.'),
    password: optionalString('Better in passwordFile; give one of the two.'),
    passwordFile: file('A file holding the password.'),
    clientId: optionalString('Fixed per process, for a persistent session; must not look like a device id.', { examples: ['wastetrail_server_1'] }),
    persistentSession: Type.Boolean({ default: false, description: 'The broker queues records while the server restarts (clean start off, a day\'s expiry).' }),
    sharedGroup: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', 'x-expected': '1-64 letters, digits, "_" or "-", e.g. "ingest"', description: 'Several server processes share the records ($share/<group>/...).' })),
    caFile: file('PEM of the CA that signed the broker\'s certificate (mqtts:// with a private CA).'),
  },
  { additionalProperties: false },
);

export const MqttSettingsSchema = Type.Union([EmbeddedMqttSchema, ExternalMqttSchema], { default: {}, description: 'Where records come from: the embedded gateway, or an external broker.' });
export type MqttSettings = Static<typeof MqttSettingsSchema>;

export type EmbeddedMqttConfig = { mode: 'embedded'; gateway: GatewaySettings };
export type ExternalMqttConfig = Omit<Static<typeof ExternalMqttSchema>, 'password' | 'passwordFile' | 'caFile' | 'sharedGroup'> & {
  password?: string;
  /** PEM text of the CA, read from `caFile`. */
  ca?: string;
};

/**
 * The checked `mqtt` section as the server connects with it: secrets read from their files (relative to
 * `baseDir`), the gateway's paths resolved, the checks across fields made; `sharedGroup` goes to ingest.
 */
export function readMqttSettings(m: MqttSettings, baseDir: string, at: string): { mqtt: EmbeddedMqttConfig | ExternalMqttConfig; sharedGroup?: string } {
  const field = (name: string) => fieldPath(at, name);
  if (m.mode === 'embedded') return { mqtt: { mode: 'embedded', gateway: gatewaySettingsFromFile(m.gateway, baseDir, field('gateway')) } };
  const { password, passwordFile, caFile, sharedGroup, ...rest } = m;
  if (password !== undefined && passwordFile !== undefined) throw ConfigError.at(field('passwordFile'), 'give either "password" or "passwordFile", not both');
  if (rest.clientId !== undefined && DEVICE_ID_PATTERN.test(rest.clientId)) {
    throw ConfigError.at(field('clientId'), `must not look like a device id (a device could take over the session); use e.g. "wastetrail_server_1", got "${rest.clientId}"`);
  }
  const secret = password ?? (passwordFile !== undefined ? readConfigSecret(field('passwordFile'), passwordFile, baseDir) : undefined);
  const ca = caFile !== undefined ? readConfigSecret(field('caFile'), caFile, baseDir) : undefined;
  return { mqtt: { ...rest, ...(secret !== undefined ? { password: secret } : {}), ...(ca !== undefined ? { ca } : {}) }, ...(sharedGroup !== undefined ? { sharedGroup } : {}) };
}
