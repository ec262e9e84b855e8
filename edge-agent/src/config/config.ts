/**
 * The agent's configuration: one JSONC file (JSON with comments), checked against one schema
 * (schema.ts) by @wastetrail/runtime, then the checks that span fields, then resolved into what the
 * agent runs with. Every problem names its field, what it must be and what was given;
 * `config/example.jsonc` is the commented reference.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import {
  parseVerifierKey,
  SCALE_LINE_DEFAULTS,
  type BadgeConvention,
  type NoteVerifierKey,
  type ChafonVariant,
  type Parity,
  type ScaleProtocol,
  type WeightUnit,
} from '@wastetrail/firmware-protocol';
import { checkConfig, ConfigError, readConfigFile, type ConfigProblem, type LogSettings, type MetricsListenerSettings } from '@wastetrail/runtime';
import { LANGUAGES } from '../station/messages.ts';
import { MODES_BY_ROLE, type BadgeRole, type StationMode } from '../station/workflow.ts';
import { EdgeConfigSchema, type EdgeConfigFile } from './schema.ts';

export { ConfigError };

/** Chafon readers ship at 57600 8N1; QR scanners in USB-CDC mode at 9600 8N1. */
const CHAFON_LINE_DEFAULTS = { baudRate: 57_600, dataBits: 8, parity: 'none', stopBits: 1 } as const;
const QR_LINE_DEFAULTS = { baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 } as const;
/** RS-WS-N01-style climate sensors ship at 4800 8N1, address 1. */
const CLIMATE_LINE_DEFAULTS = { baudRate: 4800, dataBits: 8, parity: 'none', stopBits: 1 } as const;
/** NMEA 0183 receivers and the cargo I/O module talk at 9600 8N1. */
const NMEA_LINE_DEFAULTS = { baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 } as const;

/** The kiosk's languages are the station messages' languages. */
export const KIOSK_LANGUAGES = LANGUAGES;

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

export interface ClimateConfig extends SerialLine {
  /** The room sensor's Modbus address. */
  unit: number;
  /** An outdoor probe's Modbus address on the same bus, if there is one. */
  outdoorUnit?: number;
  intervalSeconds: number;
  samplesPerRecord: number;
  replyTimeoutMs: number;
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

export interface VehicleConfig {
  plate: string;
  gnss: SerialLine;
  cargo?: SerialLine;
  trackSeconds: number;
  temperatureSeconds: number;
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
  /** The mode is always set: the role's first when the file names none. */
  station: Omit<EdgeConfigFile['station'], 'mode'> & { mode: StationMode };
  /** Custody stations' devices; absent on a vehicle station. */
  serial?: { scale: ScaleConfig; rfid: RfidConfig; qr?: SerialLine; climate?: ClimateConfig };
  /** Vehicle stations only. */
  vehicle?: VehicleConfig;
  stability: EdgeConfigFile['stability'];
  mqtt: MqttConfig;
  heartbeatMinutes: number;
  kiosk: EdgeConfigFile['kiosk'];
  dataDir: string;
  badges: { convention: BadgeConvention; known?: KnownBadge[]; refuseUnknown: boolean };
  pickup?: EdgeConfigFile['pickup'];
  disposal: EdgeConfigFile['disposal'];
  log: LogSettings;
  /** Serve /metrics here; absent: no listener. */
  metrics?: MetricsListenerSettings;
  /** The server's verifiable log to audit, with its verifier key (checked); absent: no audit. */
  verifiableLog?: { url: string; key: NoteVerifierKey; auditMinutes: number };
}

/**
 * Checks a parsed configuration object (what a config file holds) and resolves it: relative paths
 * against `baseDir`, line settings from the protocol, the password from its file. Throws ConfigError.
 */
export function parseConfig(value: unknown, baseDir: string = process.cwd()): AgentConfig {
  return resolveConfig(withRetiredHint(() => checkConfig(EdgeConfigSchema, value)), baseDir);
}

/** Reads, checks and resolves a config file; every error starts with the file's name. */
export function loadConfigFile(file: string): AgentConfig {
  const read = withRetiredHint(() => readConfigFile(EdgeConfigSchema, file), file);
  return resolveConfig(read.value, read.dir, read.file, file);
}

/** A setting older agents read: the error says where it went, not only that it is unknown. */
function withRetiredHint<T>(check: () => T, file?: string): T {
  try {
    return check();
  } catch (e) {
    if (e instanceof ConfigError && e.field === 'logLevel') throw new ConfigError(`${file ? `${file}: ` : ''}logLevel: has moved: write "log": { "level": "info" } (or another level) instead`, 'logLevel');
    throw e;
  }
}

/** The checks that span fields (the schema checks each field on its own), then the resolved config. */
function resolveConfig(c: EdgeConfigFile, baseDir: string, file?: string, shownAs = file): AgentConfig {
  const problems: ConfigProblem[] = [];
  const problem = (field: string, what: string) => problems.push({ field, message: `${field}: ${what}` });
  const at = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const line = (l: { path: string; baudRate?: number; dataBits?: 7 | 8; parity?: Parity; stopBits?: 1 | 2 }, d: { baudRate: number; dataBits: 7 | 8; parity: Parity; stopBits: 1 | 2 }): SerialLine => ({
    path: l.path,
    baudRate: l.baudRate ?? d.baudRate,
    dataBits: l.dataBits ?? d.dataBits,
    parity: l.parity ?? d.parity,
    stopBits: l.stopBits ?? d.stopBits,
  });

  const role = c.station.role;
  // A vehicle station has no custody modes; its mode is never read.
  const mode = c.station.mode ?? MODES_BY_ROLE[role][0] ?? 'pickup';
  if (role !== 'vehicle' && !MODES_BY_ROLE[role].includes(mode)) problem('station.mode', `must be one of ${MODES_BY_ROLE[role].map((m) => `"${m}"`).join(', ')} for a ${role} station, got "${mode}"`);
  if (role === 'department' && c.department === undefined) problem('department', 'is required for a department station: the department code written into sealed records, e.g. "ICU"');
  if (role === 'storage' && c.site === undefined) problem('site', 'is required for a storage station: the storage room code written into stored records, e.g. "STORE-1"');
  if (role === 'pickup' && c.pickup === undefined) problem('pickup', 'is required for a pickup station: { "vehicle": "<plate, e.g. 浙A12345>" }');

  let serial: AgentConfig['serial'];
  let vehicle: VehicleConfig | undefined;
  if (role === 'vehicle') {
    if (c.station.mode !== undefined) problem('station.mode', 'a vehicle station has no modes: remove it');
    if (c.serial !== undefined) problem('serial', 'is for custody stations: a vehicle station has its devices under "vehicle"');
    if (c.vehicle === undefined) problem('vehicle', 'is required for a vehicle station: { "plate": "<plate, e.g. 浙A12345>", "gnss": { "path": "/dev/wastetrail-gnss" } }');
    else {
      const v = c.vehicle;
      vehicle = { plate: v.plate, gnss: line(v.gnss, NMEA_LINE_DEFAULTS), ...(v.cargo ? { cargo: line(v.cargo, NMEA_LINE_DEFAULTS) } : {}), trackSeconds: v.trackSeconds, temperatureSeconds: v.temperatureSeconds };
      if (vehicle.cargo?.path === vehicle.gnss.path) problem('vehicle.cargo.path', 'is the same port as vehicle.gnss.path: each device needs its own serial port');
    }
  } else if (c.serial === undefined) {
    problem('serial', `is required for a ${role} station: { "scale": {...}, "rfid": {...} }`);
  } else {
    if (c.vehicle !== undefined) problem('vehicle', `is for vehicle stations, and this is a ${role} station`);
    const s = c.serial.scale;
    const scale: ScaleConfig = { ...line(s, SCALE_LINE_DEFAULTS[s.protocol]), protocol: s.protocol, unit: s.unit ?? (s.protocol === 'mt-sics' ? 'g' : 'kg'), pollMs: s.pollMs, staleMs: s.staleMs };
    const r = c.serial.rfid;
    const rfid: RfidConfig = { ...line(r, CHAFON_LINE_DEFAULTS), protocol: r.protocol, variant: r.variant, address: r.address, pollMs: r.pollMs, replyTimeoutMs: r.replyTimeoutMs, lostAfterMs: r.lostAfterMs };
    if (rfid.lostAfterMs < 2 * rfid.pollMs) problem('serial.rfid.lostAfterMs', `must be at least twice pollMs (${2 * rfid.pollMs}), or one missed read would drop a bag; got ${rfid.lostAfterMs}`);
    const qr = c.serial.qr ? line(c.serial.qr, QR_LINE_DEFAULTS) : undefined;
    const cl = c.serial.climate;
    const climate: ClimateConfig | undefined = cl
      ? { ...line(cl, CLIMATE_LINE_DEFAULTS), unit: cl.unit, ...(cl.outdoorUnit !== undefined ? { outdoorUnit: cl.outdoorUnit } : {}), intervalSeconds: cl.intervalSeconds, samplesPerRecord: cl.samplesPerRecord, replyTimeoutMs: cl.replyTimeoutMs }
      : undefined;
    if (climate && role !== 'storage') problem('serial.climate', `is for storage stations (the room's sensor), not a ${role} station`);
    if (climate?.outdoorUnit === climate?.unit && climate) problem('serial.climate.outdoorUnit', `must differ from unit (${climate.unit}): two sensors on one bus need two addresses`);
    if (climate && climate.replyTimeoutMs >= climate.intervalSeconds * 1000) problem('serial.climate.replyTimeoutMs', `must be shorter than intervalSeconds (${climate.intervalSeconds * 1000} ms)`);
    const paths = [['serial.scale.path', scale.path], ['serial.rfid.path', rfid.path], ['serial.qr.path', qr?.path], ['serial.climate.path', climate?.path]] as const;
    for (let i = 0; i < paths.length; i++) {
      for (let j = 0; j < i; j++) {
        if (paths[i]![1] !== undefined && paths[i]![1] === paths[j]![1]) problem(paths[i]![0], `is the same port as ${paths[j]![0]}: each device needs its own serial port`);
      }
    }
    serial = { scale, rfid, ...(qr ? { qr } : {}), ...(climate ? { climate } : {}) };
  }

  const m = c.mqtt;
  let auth: MqttAuth = { mode: m.auth.mode === 'none' ? 'none' : 'device-token' };
  const a = m.auth;
  if (a.mode === 'password') {
    if (a.username === undefined) problem('mqtt.auth.username', 'is required in password mode: the MQTT username, usually the device id');
    if ((a.password === undefined) === (a.passwordFile === undefined)) problem('mqtt.auth', 'password mode needs exactly one of "password" or "passwordFile"');
    let password = a.password;
    if (a.passwordFile !== undefined) {
      try {
        password = readFileSync(at(a.passwordFile), 'utf8').replace(/\r?\n$/, '');
      } catch (e) {
        problem('mqtt.auth.passwordFile', `cannot be read: ${(e as NodeJS.ErrnoException).code ?? String(e)} (${at(a.passwordFile)})`);
      }
    }
    auth = { mode: 'password', username: a.username ?? '', password: password ?? '' };
  } else {
    for (const k of ['username', 'password', 'passwordFile'] as const) if (a[k] !== undefined) problem(`mqtt.auth.${k}`, `is only used in password mode (mode is "${a.mode}")`);
  }
  const secure = /^(mqtts|wss):/.test(m.url);
  const hasTlsFiles = m.tls.ca !== undefined || m.tls.cert !== undefined || m.tls.key !== undefined;
  if (hasTlsFiles && !secure) problem('mqtt.tls', 'is only used with an mqtts:// or wss:// url: change mqtt.url or remove mqtt.tls');
  if ((m.tls.cert === undefined) !== (m.tls.key === undefined)) problem('mqtt.tls', 'a client certificate needs both "cert" and "key"');
  if (m.reconnect.minMs > m.reconnect.maxMs) problem('mqtt.reconnect.minMs', `must not exceed maxMs (${m.reconnect.maxMs}), got ${m.reconnect.minMs}`);
  const audit = c.verifiableLog?.auditMinutes ?? 0;
  if (audit > 0 && audit < 0.0001) problem('verifiableLog.auditMinutes', `must be 0 (off) or at least 0.0001, got ${audit}`);
  if (c.heartbeatMinutes > 0 && c.heartbeatMinutes < 0.0001) problem('heartbeatMinutes', `must be 0 (off) or at least 0.0001, got ${c.heartbeatMinutes}`);

  const cv = c.badges.convention;
  let convention: BadgeConvention = { scheme: 'giai-96', ...(cv.companyPrefixes ? { companyPrefixes: cv.companyPrefixes } : {}) };
  if (cv.scheme === 'epc-prefix') {
    if (cv.prefixHex === undefined) problem('badges.convention.prefixHex', 'is required for the epc-prefix scheme: the hex every badge EPC starts with, e.g. "e2801160"');
    if (cv.companyPrefixes !== undefined) problem('badges.convention.companyPrefixes', 'is only used with the giai-96 scheme');
    convention = { scheme: 'epc-prefix', prefixHex: cv.prefixHex ?? '' };
  } else if (cv.prefixHex !== undefined) problem('badges.convention.prefixHex', 'is only used with the epc-prefix scheme');
  const known = c.badges.known;
  if (known) {
    const seen = new Set<string>();
    known.forEach((b, i) => {
      if (seen.has(b.id)) problem(`badges.known[${i}].id`, `"${b.id}" is listed twice`);
      seen.add(b.id);
    });
  }
  let logKey: NoteVerifierKey | undefined;
  if (c.verifiableLog) {
    const k = parseVerifierKey(c.verifiableLog.key);
    if (k.ok) logKey = k.value;
    else problem('verifiableLog.key', `is not a log verifier key (${k.error.message}): copy it from the server's "log key" start line or GET /log/v1/key`);
  }
  if (problems.length > 0) {
    const prefix = shownAs !== undefined ? `${shownAs}: ` : '';
    throw new ConfigError(problems.map((p) => `${prefix}${p.message}`).join('\n'), problems[0]!.field);
  }

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
    ...(serial ? { serial } : {}),
    ...(vehicle ? { vehicle } : {}),
    stability: c.stability,
    mqtt: { ...m, tls, auth },
    heartbeatMinutes: c.heartbeatMinutes,
    kiosk: c.kiosk,
    dataDir: at(c.dataDir),
    badges: { convention, ...(known ? { known } : {}), refuseUnknown: c.badges.refuseUnknown },
    ...(c.pickup ? { pickup: c.pickup } : {}),
    disposal: c.disposal,
    log: c.log,
    ...(c.metrics ? { metrics: c.metrics } : {}),
    ...(c.verifiableLog && logKey ? { verifiableLog: { url: c.verifiableLog.url, key: logKey, auditMinutes: c.verifiableLog.auditMinutes } } : {}),
  };
}
