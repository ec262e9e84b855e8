import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfigFile, parseConfig } from '../../src/config/config.ts';
import { minimalConfig } from '../support/minimal-config.ts';

const EXAMPLE = fileURLToPath(new URL('../../config/example.jsonc', import.meta.url));

/** The problems a config has, one a line: the field, what it must be, what was given. */
function problems(value: unknown): string[] {
  try {
    parseConfig(value, '/etc/wt');
  } catch (e) {
    if (e instanceof ConfigError) return e.message.split('\n');
    throw e;
  }
  throw new Error('expected a ConfigError');
}

const dir = mkdtempSync(join(tmpdir(), 'wt-edge-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('configuration', () => {
  it('the committed example is valid and says what it means', () => {
    const c = loadConfigFile(EXAMPLE);
    expect(c.deviceId).toBe('hz-h001-icu-01');
    expect(c.station).toMatchObject({ role: 'department', mode: 'seal', stepTimeoutSeconds: 120 });
    expect(c.serial!.scale).toMatchObject({ protocol: 'xk3190', baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1, unit: 'kg' });
    expect(c.serial!.rfid).toMatchObject({ protocol: 'chafon', baudRate: 57600, variant: 'plain' });
    expect(c.mqtt.auth).toEqual({ mode: 'device-token' });
    expect(c.mqtt.tls).toEqual({ ca: '/etc/wastetrail-edge/ca.pem', rejectUnauthorized: true });
    expect(c.kiosk).toEqual({ enabled: true, host: '127.0.0.1', port: 8080, language: 'zh-CN' });
    expect(c.badges.known?.[0]).toEqual({ id: 'giai:0614141.100742', name: '李娜', roles: ['staff'] });
    expect(c.log).toEqual({ level: 'info', destination: 'stderr', format: 'json' });
    expect(c.metrics).toEqual({ host: '127.0.0.1', port: 9464 });
  });

  it('fills in protocol line defaults and resolves relative paths against the file', () => {
    const c = parseConfig(minimalConfig(), '/etc/wt');
    // A&D indicators ship at 2400 7E1 (firmware-protocol SCALE_LINE_DEFAULTS).
    expect(c.serial!.scale).toMatchObject({ baudRate: 2400, dataBits: 7, parity: 'even', stopBits: 1 });
    expect(c.keyFile).toBe('/etc/wt/keys/device.key');
    expect(c.dataDir).toBe('/etc/wt/data');
    expect(c.heartbeatMinutes).toBe(5);
    expect(c.stability).toMatchObject({ minSamples: 5, toleranceGrams: 0, minDurationMs: 500, maxGapMs: 1000, requireScaleFlag: true });
    expect(c.mqtt).toMatchObject({ window: 8, batch: { maxRecords: 200 }, reconnect: { minMs: 1000, maxMs: 60_000 }, auth: { mode: 'device-token' } });
    expect(c.log).toEqual({ level: 'info', destination: 'stderr', format: 'json' });
    expect(c.metrics).toBeUndefined();
  });

  it('names the field, what it must be and what was given', () => {
    const c = minimalConfig();
    c.serial.scale.parity = 'evn';
    expect(problems(c)).toEqual(['serial.scale.parity: must be one of "none", "even", "odd", got "evn"']);
  });

  it('says the range, unit and default of a number, and does not take "5" for 5', () => {
    expect(problems({ ...minimalConfig(), station: { role: 'department', stepTimeoutSeconds: 5 } })).toEqual(['station.stepTimeoutSeconds: must be a whole number from 10 to 86400 (s); the default is 120, got 5']);
    expect(problems({ ...minimalConfig(), heartbeatMinutes: '5' })).toEqual(['heartbeatMinutes: must be a number from 0 to 1440 (min); the default is 5, got "5"']);
    expect(problems({ ...minimalConfig(), metrics: { port: 99999 } })).toEqual(['metrics.port: must be a whole number from 0 to 65535, got 99999']);
    expect(problems({ ...minimalConfig(), log: { level: 'loud' } })).toEqual(['log.level: must be one of "fatal", "error", "warn", "info", "debug", "trace", "silent"; the default is "info", got "loud"']);
  });

  it('names each wrong field with an example of a right value, a missing one, and an unknown one with the settings there are', () => {
    const cases: [(c: Record<string, any>) => void, string][] = [
      [(c) => (c.deviceId = 'HZ H001'), 'deviceId: must be a device id: a-z, 0-9 and -, 3 to 64 characters, as in keyring.json, e.g. "hz-h001-icu-01", got "HZ H001"'],
      [(c) => (c.station.role = 'ward'), 'station.role: must be one of "department", "collection", "storage", "pickup", "disposal", "vehicle", got "ward"'],
      [(c) => (c.mqtt.url = 'http://broker'), 'mqtt.url: must be a broker URL: mqtt://, mqtts://, ws:// or wss:// and a host, e.g. "mqtts://gateway.example.org:8883", got "http://broker"'],
      [(c) => delete c.dataDir, 'dataDir: is required; must be a file path'],
      [
        (c) => (c.serial.rfid.baudrate = 57600),
        'serial.rfid.baudrate: is not a setting here; the settings are "path", "baudRate", "dataBits", "parity", "stopBits", "protocol", "variant", "address", "pollMs", "replyTimeoutMs", "lostAfterMs"',
      ],
      [(c) => (c.logLevel = 'warn'), 'logLevel: has moved: write "log": { "level": "info" } (or another level) instead'],
    ];
    for (const [change, message] of cases) {
      const c = minimalConfig();
      change(c);
      expect(problems(c)).toEqual([message]);
    }
  });

  it('checks rules that span fields', () => {
    const c = minimalConfig();
    delete c.department;
    c.station.mode = 'dispose';
    c.serial.rfid.path = '/dev/ttyS90';
    c.mqtt.tls = { ca: 'ca.pem' };
    c.mqtt.auth = { mode: 'password', username: 'u' };
    c.mqtt.reconnect = { minMs: 5000, maxMs: 1000 };
    // Checks that span fields report every problem at once.
    expect(problems(c)).toEqual([
      'station.mode: must be one of "seal", "pack", "unpack" for a department station, got "dispose"',
      'department: is required for a department station: the department code written into sealed records, e.g. "ICU"',
      'serial.rfid.path: is the same port as serial.scale.path: each device needs its own serial port',
      'mqtt.auth: password mode needs exactly one of "password" or "passwordFile"',
      'mqtt.tls: is only used with an mqtts:// or wss:// url: change mqtt.url or remove mqtt.tls',
      'mqtt.reconnect.minMs: must not exceed maxMs (1000), got 5000',
    ]);
    const storage = { ...minimalConfig(), station: { role: 'storage' } };
    expect(problems(storage)).toEqual(['site: is required for a storage station: the storage room code written into stored records, e.g. "STORE-1"']);
    const pickup = { ...minimalConfig(), station: { role: 'pickup' } };
    expect(problems(pickup)).toEqual(['pickup: is required for a pickup station: { "vehicle": "<plate, e.g. 浙A12345>" }']);
    expect(parseConfig({ ...minimalConfig(), station: { role: 'pickup' }, pickup: { vehicle: '浙A12345' } }, '/etc/wt').pickup?.vehicle).toBe('浙A12345');
    expect(problems({ ...minimalConfig(), station: { role: 'pickup' }, pickup: { vehicle: '浙A 12345' } })).toEqual(['pickup.vehicle: must be a code of 1 to 64 printable characters without spaces, e.g. "浙A12345", got "浙A 12345"']);
    expect(problems({ ...minimalConfig(), serial: { scale: { path: '/dev/ttyS90', protocol: 'and' }, rfid: { path: '/dev/ttyS91', pollMs: 2000 } } })).toEqual([
      'serial.rfid.lostAfterMs: must be at least twice pollMs (4000), or one missed read would drop a bag; got 3000',
    ]);
  });

  it('the climate sensor: storage stations only, its own port, two addresses for two probes, line defaults of the sensor kind', () => {
    const storage = (climate: Record<string, unknown>) => ({ ...minimalConfig(), station: { role: 'storage' }, site: 'STORE-1', serial: { ...minimalConfig().serial, climate } });
    expect(parseConfig(storage({ path: '/dev/ttyS92' }), '/etc/wt').serial?.climate).toEqual({
      path: '/dev/ttyS92',
      baudRate: 4800,
      dataBits: 8,
      parity: 'none',
      stopBits: 1,
      unit: 1,
      intervalSeconds: 60,
      samplesPerRecord: 10,
      replyTimeoutMs: 1000,
    });
    expect(problems({ ...minimalConfig(), serial: { ...minimalConfig().serial, climate: { path: '/dev/ttyS92' } } })).toEqual([
      "serial.climate: is for storage stations (the room's sensor), not a department station",
    ]);
    expect(problems(storage({ path: '/dev/ttyS90', unit: 3, outdoorUnit: 3, intervalSeconds: 5, replyTimeoutMs: 5000 }))).toEqual([
      'serial.climate.outdoorUnit: must differ from unit (3): two sensors on one bus need two addresses',
      'serial.climate.replyTimeoutMs: must be shorter than intervalSeconds (5000 ms)',
      'serial.climate.path: is the same port as serial.scale.path: each device needs its own serial port',
    ]);
    expect(problems(storage({ path: '/dev/ttyS92', unit: 0 }))[0]).toMatch(/^serial\.climate\.unit: /);
  });

  it('auth modes, badge lists and conventions: each field checked, and what goes with which mode', () => {
    expect(problems({ ...minimalConfig(), mqtt: { url: 'mqtt://h', auth: { mode: 'token' } } })).toEqual(['mqtt.auth.mode: must be one of "device-token", "password", "none"; the default is "device-token", got "token"']);
    expect(problems({ ...minimalConfig(), mqtt: { url: 'mqtt://h', auth: { mode: 'none', password: 'x' } } })).toEqual(['mqtt.auth.password: is only used in password mode (mode is "none")']);
    expect(problems({ ...minimalConfig(), mqtt: { url: 'mqtt://h', auth: { mode: 'password', password: 'x' } } })).toEqual(['mqtt.auth.username: is required in password mode: the MQTT username, usually the device id']);
    expect(problems({ ...minimalConfig(), badges: { known: [{ id: 'a b' }] } })).toEqual(['badges.known[0].id: must be a badge id as the reader reports it, e.g. "giai:0614141.100742", got "a b"']);
    expect(problems({ ...minimalConfig(), badges: { known: [{ id: 'giai:1.2', roles: ['boss'] }] } })).toEqual(['badges.known[0].roles[0]: must be one of "staff", "collector", "keeper", "crew", "operator", got "boss"']);
    expect(problems({ ...minimalConfig(), badges: { known: [{ id: 'x1' }, { id: 'x1' }] } })).toEqual(['badges.known[1].id: "x1" is listed twice']);
    expect(problems({ ...minimalConfig(), badges: { convention: { scheme: 'epc-prefix' } } })).toEqual(['badges.convention.prefixHex: is required for the epc-prefix scheme: the hex every badge EPC starts with, e.g. "e2801160"']);
    expect(parseConfig({ ...minimalConfig(), badges: { convention: { scheme: 'epc-prefix', prefixHex: 'e280' } } }, '/').badges.convention).toEqual({ scheme: 'epc-prefix', prefixHex: 'e280' });
    const pw = parseConfig({ ...minimalConfig(), mqtt: { url: 'mqtt://h', auth: { mode: 'password', username: 'dev', password: 's3cret' } } }, '/');
    expect(pw.mqtt.auth).toEqual({ mode: 'password', username: 'dev', password: 's3cret' });
  });

  it('reads a password file and says when it cannot', () => {
    const pass = join(dir, 'mqtt.pass');
    writeFileSync(pass, 'from-file\n');
    const ok = parseConfig({ ...minimalConfig(), mqtt: { url: 'mqtt://h', auth: { mode: 'password', username: 'dev', passwordFile: 'mqtt.pass' } } }, dir);
    expect(ok.mqtt.auth).toEqual({ mode: 'password', username: 'dev', password: 'from-file' });
    expect(problems({ ...minimalConfig(), mqtt: { url: 'mqtt://h', auth: { mode: 'password', username: 'dev', passwordFile: '/nonexistent/p' } } })).toEqual([
      'mqtt.auth.passwordFile: cannot be read: ENOENT (/nonexistent/p)',
    ]);
  });

  it('JSONC: comments and trailing commas are fine; a syntax error names the file, line and column', () => {
    const file = join(dir, 'station.jsonc');
    writeFileSync(file, JSON.stringify(minimalConfig(), null, 2).replace('{', '{ // a comment\n').replace(/"data"\n/, '"data",\n'));
    expect(loadConfigFile(file)).toMatchObject({ deviceId: 'hz-h001-icu-01', dataDir: join(dir, 'data'), file });
    writeFileSync(file, '{\n  "deviceId": "hz-h001-icu-01"\n  "keyFile": "k"\n}');
    expect(() => loadConfigFile(file)).toThrow(`${file}: line 3, column 3: CommaExpected; the file must be JSON`);
    writeFileSync(file, JSON.stringify({ ...minimalConfig(), logLevel: 'warn' }));
    expect(() => loadConfigFile(file)).toThrow(`${file}: logLevel: has moved`);
  });

  it('an unreadable file is a ConfigError too', () => {
    expect(() => loadConfigFile(join(dir, 'missing.jsonc'))).toThrow(/missing\.jsonc: cannot read the config file: ENOENT/);
  });

  it('the example stays in step with the README that explains it', () => {
    // Every top-level field of the example is documented in docs/edge/README.md.
    const readme = readFileSync(join(dirname(EXAMPLE), '../../docs/edge/README.md'), 'utf8');
    for (const key of ['deviceId', 'keyFile', 'station', 'serial', 'stability', 'mqtt', 'heartbeatMinutes', 'kiosk', 'dataDir', 'badges', 'pickup', 'disposal', 'log', 'metrics']) {
      expect(readme, key).toContain(`\`${key}\``);
    }
  });
});

describe('vehicle station configuration', () => {
  const vehicleConfig = () => {
    const { serial: _, department: __, ...rest } = minimalConfig();
    return { ...rest, institution: 'hz-t01', station: { role: 'vehicle' }, vehicle: { plate: '浙A27819', gnss: { path: '/dev/ttyS80' }, cargo: { path: '/dev/ttyS81', baudRate: 4800 } } };
  };

  it('takes a receiver and a cargo module, at 9600 8N1 unless told, a track a minute', () => {
    const c = parseConfig(vehicleConfig(), '/etc/wastetrail');
    expect(c.vehicle).toEqual({
      plate: '浙A27819',
      gnss: { path: '/dev/ttyS80', baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 },
      cargo: { path: '/dev/ttyS81', baudRate: 4800, dataBits: 8, parity: 'none', stopBits: 1 },
      trackSeconds: 60,
      temperatureSeconds: 30,
    });
    expect(c.serial).toBeUndefined();
  });

  it('names what is missing or misplaced', () => {
    const { vehicle: _, ...noVehicle } = vehicleConfig();
    expect(() => parseConfig(noVehicle)).toThrow('vehicle: is required for a vehicle station');
    expect(() => parseConfig({ ...vehicleConfig(), serial: minimalConfig().serial })).toThrow('serial: is for custody stations');
    expect(() => parseConfig({ ...vehicleConfig(), station: { role: 'vehicle', mode: 'pickup' } })).toThrow('station.mode: a vehicle station has no modes');
    expect(() => parseConfig({ ...minimalConfig(), vehicle: vehicleConfig().vehicle })).toThrow('vehicle: is for vehicle stations, and this is a department station');
    const { serial: __, ...noSerial } = minimalConfig();
    expect(() => parseConfig(noSerial)).toThrow('serial: is required for a department station');
    const same = vehicleConfig();
    same.vehicle.cargo.path = same.vehicle.gnss.path;
    expect(() => parseConfig(same)).toThrow('vehicle.cargo.path: is the same port as vehicle.gnss.path');
    expect(() => parseConfig({ ...vehicleConfig(), vehicle: { ...vehicleConfig().vehicle, trackSeconds: 1 } })).toThrow(/vehicle\.trackSeconds/);
  });
});
