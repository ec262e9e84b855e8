/**
 * The agent's configuration: one JSONC file (JSON with comments), checked by one schema. Every problem
 * names its field and what would be right; `config/example.jsonc` is the commented reference.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';
import {
  badgeId as badgeIdSchema,
  CHAFON_VARIANTS,
  code as codeSchema,
  DEFAULT_STABILITY_RULE,
  DEVICE_ID_PATTERN,
  DISPOSAL_METHODS,
  PARITIES,
  SCALE_LINE_DEFAULTS,
  SCALE_PROTOCOLS,
  STATION_ROLES,
  WEIGHT_UNITS,
  type BadgeConvention,
  type ChafonVariant,
  type DisposalMethod,
  type Parity,
  type ScaleProtocol,
  type StabilityRule,
  type StationRole,
  type WeightUnit,
} from '@wastetrail/firmware-protocol';
import { LOG_LEVELS, type LogLevel } from '../log.ts';
import { LANGUAGES, type Language } from '../station/messages.ts';
import { BADGE_ROLES, MODES_BY_ROLE, type BadgeRole, type StationMode } from '../station/workflow.ts';
import { arr, bool, formatProblem, int, INVALID, literal, num, obj, oneOf, opt, str, strWhere, tagged, type ConfigProblem } from './schema.ts';

/** The kiosk's languages are the station messages' languages. */
export const KIOSK_LANGUAGES = LANGUAGES;
export type KioskLanguage = Language;

export interface SerialLine {
  path: string;
  baudRate: number;
  dataBits: 7 | 8;
  parity: Parity;
  stopBits: 1 | 2;
}

export interface ScaleConfig extends SerialLine {
  protocol: ScaleProtocol;
  /** Unit of frames that carry none (XK3190; an A&D line with a blank unit). */
  unit: WeightUnit;
  /** MT-SICS: how often the weight is asked for (SI). */
  pollMs: number;
  /** No reading for this long: the scale is offline and its weight unknown. */
  staleMs: number;
}

export interface RfidConfig extends SerialLine {
  protocol: 'chafon';
  variant: ChafonVariant;
  /** The reader's address; 255 reaches any reader on the line. */
  address: number;
  pollMs: number;
  replyTimeoutMs: number;
  /** A tag not seen for this long has left the field. */
  lostAfterMs: number;
}

export interface KnownBadge {
  id: string;
  name?: string;
  /** Which badge slots this person may fill; absent: any. */
  roles?: BadgeRole[];
}

export type MqttAuth = { mode: 'device-token' } | { mode: 'password'; username: string; password: string } | { mode: 'none' };

export interface MqttConfig {
  url: string;
  tls: { ca?: string; cert?: string; key?: string; rejectUnauthorized: boolean };
  auth: MqttAuth;
  keepaliveSeconds: number;
  connectTimeoutSeconds: number;
  reconnect: { minMs: number; maxMs: number };
  batch: { maxRecords: number; maxBytes: number };
  /** Records messages published and not yet PUBACKed by the broker. */
  window: number;
  /** Records sent but not acknowledged by the server for this long are sent again. */
  ackTimeoutSeconds: number;
}

export interface AgentConfig {
  /** The file it came from, absolute; relative paths in it are relative to its folder. */
  file?: string;
  deviceId: string;
  keyFile: string;
  institution: string;
  department?: string;
  site?: string;
  station: {
    role: StationRole;
    mode: StationMode;
    stepTimeoutSeconds: number;
    weighTimeoutSeconds: number;
    minGrams: number;
    maxBags: number;
  };
  serial: { scale: ScaleConfig; rfid: RfidConfig; qr?: SerialLine };
  stability: StabilityRule & { requireScaleFlag: boolean };
  mqtt: MqttConfig;
  heartbeatMinutes: number;
  kiosk: { enabled: boolean; host: string; port: number; language: KioskLanguage };
  dataDir: string;
  badges: { convention: BadgeConvention; known?: KnownBadge[]; refuseUnknown: boolean };
  pickup?: { vehicle: string; manifest?: string };
  disposal: { method: DisposalMethod };
  logLevel: LogLevel;
}

export class ConfigError extends Error {
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[], file?: string) {
    super(`${file ? `${file}: ` : ''}invalid configuration:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

// ---- the schema ----

const deviceId = strWhere((s) => DEVICE_ID_PATTERN.test(s), 'a device id: a-z, 0-9 and -, 3-64 characters, as in keyring.json');
const code = strWhere((s) => codeSchema.check(s, '').ok, 'a code of 1-64 printable characters without spaces (a plate as printed, e.g. 浙A12345)');
const filePath = str({ max: 4096, describe: 'a file path' });
const lineFields = {
  path: filePath,
  baudRate: opt(int({ min: 50, max: 4_000_000 })),
  dataBits: opt(oneOf([7, 8] as const)),
  parity: opt(oneOf(PARITIES)),
  stopBits: opt(oneOf([1, 2] as const)),
};

const scaleSchema = obj({
  ...lineFields,
  protocol: oneOf(SCALE_PROTOCOLS),
  unit: opt(oneOf(WEIGHT_UNITS)),
  pollMs: opt(int({ min: 20, max: 10_000 }), 200),
  staleMs: opt(int({ min: 200, max: 60_000 }), 2000),
});
const rfidSchema = obj({
  ...lineFields,
  protocol: opt(oneOf(['chafon'] as const), 'chafon'),
  variant: opt(oneOf(CHAFON_VARIANTS), 'plain'),
  address: opt(int({ min: 0, max: 255 }), 255),
  pollMs: opt(int({ min: 20, max: 10_000 }), 300),
  replyTimeoutMs: opt(int({ min: 50, max: 10_000 }), 1000),
  lostAfterMs: opt(int({ min: 100, max: 600_000 }), 3000),
});
const qrSchema = obj(lineFields);

const tlsSchema = obj({ ca: opt(filePath), cert: opt(filePath), key: opt(filePath), rejectUnauthorized: opt(bool(), true) });
const authSchema = tagged('mode', {
  'device-token': obj({ mode: literal('device-token') }),
  password: obj({ mode: literal('password'), username: str({ max: 256 }), password: opt(str({ max: 4096 })), passwordFile: opt(filePath) }),
  none: obj({ mode: literal('none') }),
});

const schema = obj({
  deviceId,
  keyFile: filePath,
  institution: code,
  department: opt(code),
  site: opt(code),
  station: obj({
    role: oneOf(STATION_ROLES),
    mode: opt(oneOf(Object.values(MODES_BY_ROLE).flat())),
    stepTimeoutSeconds: opt(int({ min: 10, max: 86_400 }), 120),
    weighTimeoutSeconds: opt(int({ min: 3, max: 3600 }), 30),
    minGrams: opt(int({ min: 1, max: 1_000_000 }), 10),
    maxBags: opt(int({ min: 1, max: 500 }), 100),
  }),
  serial: obj({ scale: scaleSchema, rfid: rfidSchema, qr: opt(qrSchema) }),
  stability: opt(
    obj({
      minSamples: opt(int({ min: 1, max: 256 }), DEFAULT_STABILITY_RULE.minSamples),
      toleranceGrams: opt(int({ min: 0, max: 100_000 }), DEFAULT_STABILITY_RULE.toleranceGrams),
      minDurationMs: opt(int({ min: 0, max: 60_000 }), DEFAULT_STABILITY_RULE.minDurationMs),
      maxGapMs: opt(int({ min: 10, max: 60_000 }), DEFAULT_STABILITY_RULE.maxGapMs),
      requireScaleFlag: opt(bool(), true),
    }),
    { ...DEFAULT_STABILITY_RULE, requireScaleFlag: true },
  ),
  mqtt: obj({
    url: str({ pattern: /^(mqtt|mqtts|ws|wss):\/\/[^\s]+$/, max: 2048, describe: 'a broker URL: mqtt://, mqtts://, ws:// or wss:// and a host' }),
    tls: opt(tlsSchema, { rejectUnauthorized: true }),
    auth: opt(authSchema, { mode: 'device-token' as const }),
    keepaliveSeconds: opt(int({ min: 5, max: 3600 }), 30),
    connectTimeoutSeconds: opt(int({ min: 1, max: 600 }), 30),
    reconnect: opt(obj({ minMs: opt(int({ min: 10, max: 600_000 }), 1000), maxMs: opt(int({ min: 10, max: 3_600_000 }), 60_000) }), { minMs: 1000, maxMs: 60_000 }),
    batch: opt(obj({ maxRecords: opt(int({ min: 1, max: 5000 }), 200), maxBytes: opt(int({ min: 1024, max: 262_144 }), 131_072) }), { maxRecords: 200, maxBytes: 131_072 }),
    window: opt(int({ min: 1, max: 256 }), 8),
    ackTimeoutSeconds: opt(int({ min: 1, max: 86_400 }), 60),
  }),
  heartbeatMinutes: opt(num({ min: 0, max: 1440 }), 5),
  kiosk: opt(
    obj({
      enabled: opt(bool(), true),
      host: opt(str({ max: 255, describe: 'an address to listen on, e.g. 127.0.0.1' }), '127.0.0.1'),
      port: opt(int({ min: 0, max: 65_535 }), 8080),
      language: opt(oneOf(KIOSK_LANGUAGES), 'zh-CN'),
    }),
    { enabled: true, host: '127.0.0.1', port: 8080, language: 'zh-CN' as const },
  ),
  dataDir: filePath,
  badges: opt(
    obj({
      convention: opt(
        tagged('scheme', {
          'giai-96': obj({ scheme: literal('giai-96'), companyPrefixes: opt(arr(str({ pattern: /^[0-9]{6,12}$/, describe: 'a GS1 company prefix of 6-12 digits' }), { min: 1, max: 100 })) }),
          'epc-prefix': obj({ scheme: literal('epc-prefix'), prefixHex: str({ pattern: /^(?:[0-9a-f]{2}){1,31}$/, describe: 'lower-case hex, whole bytes' }) }),
        }),
        { scheme: 'giai-96' as const },
      ),
      known: opt(
        arr(
          obj({
            id: strWhere((s) => badgeIdSchema.check(s, '').ok, 'a badge id as the reader reports it, e.g. giai:0614141.100742'),
            name: opt(str({ max: 64 })),
            roles: opt(arr(oneOf(BADGE_ROLES), { min: 1, max: BADGE_ROLES.length })),
          }),
          { max: 100_000 },
        ),
      ),
      refuseUnknown: opt(bool(), true),
    }),
    { convention: { scheme: 'giai-96' as const }, refuseUnknown: true },
  ),
  pickup: opt(obj({ vehicle: code, manifest: opt(code) })),
  disposal: opt(obj({ method: opt(oneOf(DISPOSAL_METHODS), 'incineration') }), { method: 'incineration' as const }),
  logLevel: opt(oneOf(LOG_LEVELS), 'info'),
});

/** Checks a parsed configuration object; relative paths resolve against `baseDir`. Throws ConfigError. */
export function parseConfig(value: unknown, baseDir: string = process.cwd(), file?: string): AgentConfig {
  const problems: ConfigProblem[] = [];
  const c = schema.check(value, '', problems);
  if (c === INVALID) throw new ConfigError(problems, file);

  const at = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const line = (l: { path: string; baudRate?: number; dataBits?: 7 | 8; parity?: Parity; stopBits?: 1 | 2 }, d: { baudRate: number; dataBits: 7 | 8; parity: Parity; stopBits: 1 | 2 }): SerialLine => ({
    path: l.path,
    baudRate: l.baudRate ?? d.baudRate,
    dataBits: l.dataBits ?? d.dataBits,
    parity: l.parity ?? d.parity,
    stopBits: l.stopBits ?? d.stopBits,
  });

  const role = c.station.role;
  const mode = c.station.mode ?? MODES_BY_ROLE[role][0]!;
  if (!MODES_BY_ROLE[role].includes(mode)) problems.push({ path: 'station.mode', message: `must be one of ${MODES_BY_ROLE[role].join(', ')} for a ${role} station (got "${mode}")` });
  if (role === 'department' && c.department === undefined) problems.push({ path: 'department', message: 'is required for a department station: the department code written into sealed records, e.g. "ICU"' });
  if (role === 'storage' && c.site === undefined) problems.push({ path: 'site', message: 'is required for a storage station: the storage room code written into stored records, e.g. "STORE-1"' });
  if (role === 'pickup' && c.pickup === undefined) problems.push({ path: 'pickup', message: 'is required for a pickup station: { "vehicle": "<plate, e.g. 浙A12345>" }' });

  const scaleDefaults = SCALE_LINE_DEFAULTS[c.serial.scale.protocol];
  const scale: ScaleConfig = {
    ...line(c.serial.scale, scaleDefaults),
    protocol: c.serial.scale.protocol,
    unit: c.serial.scale.unit ?? (c.serial.scale.protocol === 'mt-sics' ? 'g' : 'kg'),
    pollMs: c.serial.scale.pollMs,
    staleMs: c.serial.scale.staleMs,
  };
  const r = c.serial.rfid;
  const rfid: RfidConfig = {
    ...line(r, { baudRate: 57_600, dataBits: 8, parity: 'none', stopBits: 1 }),
    protocol: r.protocol,
    variant: r.variant,
    address: r.address,
    pollMs: r.pollMs,
    replyTimeoutMs: r.replyTimeoutMs,
    lostAfterMs: r.lostAfterMs,
  };
  if (rfid.lostAfterMs < 2 * rfid.pollMs) problems.push({ path: 'serial.rfid.lostAfterMs', message: `must be at least twice pollMs (${2 * rfid.pollMs}), or one missed read would drop a bag` });
  const qr = c.serial.qr ? line(c.serial.qr, { baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 }) : undefined;
  const paths = [['serial.scale.path', scale.path], ['serial.rfid.path', rfid.path], ['serial.qr.path', qr?.path]] as const;
  for (let i = 0; i < paths.length; i++) {
    for (let j = 0; j < i; j++) {
      if (paths[i]![1] !== undefined && paths[i]![1] === paths[j]![1]) problems.push({ path: paths[i]![0], message: `is the same port as ${paths[j]![0]}: each device needs its own serial port` });
    }
  }

  const m = c.mqtt;
  let auth: MqttAuth = { mode: 'device-token' };
  if (m.auth.mode === 'password') {
    const a = m.auth as { username: string; password?: string; passwordFile?: string };
    if ((a.password === undefined) === (a.passwordFile === undefined)) {
      problems.push({ path: 'mqtt.auth', message: 'password mode needs exactly one of "password" or "passwordFile"' });
    } else {
      let password = a.password;
      if (a.passwordFile !== undefined) {
        try {
          password = readFileSync(at(a.passwordFile), 'utf8').replace(/\r?\n$/, '');
        } catch (e) {
          problems.push({ path: 'mqtt.auth.passwordFile', message: `cannot be read: ${(e as NodeJS.ErrnoException).code ?? String(e)} (${at(a.passwordFile)})` });
        }
      }
      auth = { mode: 'password', username: a.username, password: password ?? '' };
    }
  } else if (m.auth.mode === 'none') auth = { mode: 'none' };
  const secure = /^(mqtts|wss):/.test(m.url);
  const hasTlsFiles = m.tls.ca !== undefined || m.tls.cert !== undefined || m.tls.key !== undefined;
  if (hasTlsFiles && !secure) problems.push({ path: 'mqtt.tls', message: 'is only used with an mqtts:// or wss:// url: change mqtt.url or remove mqtt.tls' });
  if ((m.tls.cert === undefined) !== (m.tls.key === undefined)) problems.push({ path: 'mqtt.tls', message: 'a client certificate needs both "cert" and "key"' });
  if (m.reconnect.minMs > m.reconnect.maxMs) problems.push({ path: 'mqtt.reconnect.minMs', message: `must not exceed maxMs (${m.reconnect.maxMs})` });
  if (c.heartbeatMinutes > 0 && c.heartbeatMinutes < 0.0001) problems.push({ path: 'heartbeatMinutes', message: 'must be 0 (off) or at least 0.0001' });

  const known = c.badges.known;
  if (known) {
    const seen = new Set<string>();
    known.forEach((b, i) => {
      if (seen.has(b.id)) problems.push({ path: `badges.known[${i}].id`, message: `"${b.id}" is listed twice` });
      seen.add(b.id);
    });
  }
  if (problems.length > 0) throw new ConfigError(problems, file);

  const tls = {
    rejectUnauthorized: m.tls.rejectUnauthorized,
    ...(m.tls.ca !== undefined ? { ca: at(m.tls.ca) } : {}),
    ...(m.tls.cert !== undefined ? { cert: at(m.tls.cert) } : {}),
    ...(m.tls.key !== undefined ? { key: at(m.tls.key) } : {}),
  };
  return {
    ...(file !== undefined ? { file } : {}),
    deviceId: c.deviceId,
    keyFile: at(c.keyFile),
    institution: c.institution,
    ...(c.department !== undefined ? { department: c.department } : {}),
    ...(c.site !== undefined ? { site: c.site } : {}),
    station: { ...c.station, mode },
    serial: { scale, rfid, ...(qr ? { qr } : {}) },
    stability: c.stability,
    mqtt: { ...m, tls, auth },
    heartbeatMinutes: c.heartbeatMinutes,
    kiosk: c.kiosk,
    dataDir: at(c.dataDir),
    badges: c.badges as AgentConfig['badges'],
    ...(c.pickup ? { pickup: c.pickup } : {}),
    disposal: c.disposal,
    logLevel: c.logLevel,
  };
}

/** Parses JSONC text: comments and trailing commas are allowed; syntax errors name line and column. */
export function parseConfigText(text: string, baseDir: string = process.cwd(), file?: string): AgentConfig {
  const errors: ParseError[] = [];
  const value: unknown = parseJsonc(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true });
  if (errors.length > 0) {
    throw new ConfigError(
      errors.slice(0, 5).map((e) => {
        const { line, column } = lineColumn(text, e.offset);
        return { path: '', message: `line ${line}, column ${column}: ${explainSyntax(printParseErrorCode(e.error))}` };
      }),
      file,
    );
  }
  if (value === undefined) throw new ConfigError([{ path: '', message: 'the file is empty: start from config/example.jsonc' }], file);
  return parseConfig(value, baseDir, file);
}

export function loadConfigFile(file: string): AgentConfig {
  const abs = resolve(file);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (e) {
    throw new ConfigError([{ path: '', message: `cannot read the file: ${(e as NodeJS.ErrnoException).code ?? String(e)}` }], abs);
  }
  return parseConfigText(text, dirname(abs), abs);
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

function explainSyntax(code: string): string {
  const hints: Record<string, string> = {
    CommaExpected: 'a comma is missing between two values',
    ColonExpected: 'a colon is missing after a field name',
    PropertyNameExpected: 'a field name in double quotes was expected',
    ValueExpected: 'a value was expected',
    CloseBraceExpected: 'a closing } is missing',
    CloseBracketExpected: 'a closing ] is missing',
    InvalidSymbol: 'this is not JSON (strings need double quotes)',
    UnexpectedEndOfString: 'a string is not closed with a double quote',
    EndOfFileExpected: 'there is text after the end of the configuration',
  };
  return hints[code] ?? code;
}
