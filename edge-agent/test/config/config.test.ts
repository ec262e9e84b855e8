import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfigFile, parseConfig, parseConfigText } from '../../src/config/config.ts';
import { formatProblem } from '../../src/config/schema.ts';

const EXAMPLE = fileURLToPath(new URL('../../config/example.jsonc', import.meta.url));

function minimal(): Record<string, any> {
  return {
    deviceId: 'hz-h001-icu-01',
    keyFile: 'keys/device.key',
    institution: 'hz-h001',
    department: 'ICU',
    station: { role: 'department' },
    serial: { scale: { path: '/dev/ttyS90', protocol: 'and' }, rfid: { path: '/dev/ttyS91' } },
    mqtt: { url: 'mqtt://127.0.0.1:1883' },
    dataDir: 'data',
  };
}

function problems(value: unknown): string[] {
  try {
    parseConfig(value, '/etc/wt');
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map(formatProblem);
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
    expect(c.serial.scale).toMatchObject({ protocol: 'xk3190', baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1, unit: 'kg' });
    expect(c.serial.rfid).toMatchObject({ protocol: 'chafon', baudRate: 57600, variant: 'plain' });
    expect(c.mqtt.auth).toEqual({ mode: 'device-token' });
    expect(c.mqtt.tls).toEqual({ ca: '/etc/wastetrail-edge/ca.pem', rejectUnauthorized: true });
    expect(c.kiosk).toEqual({ enabled: true, host: '127.0.0.1', port: 8080, language: 'zh-CN' });
    expect(c.badges.known?.[0]).toEqual({ id: 'giai:0614141.100742', name: '李娜', roles: ['staff'] });
  });

  it('fills in protocol line defaults and resolves relative paths against the file', () => {
    const c = parseConfig(minimal(), '/etc/wt');
    // A&D indicators ship at 2400 7E1 (firmware-protocol SCALE_LINE_DEFAULTS).
    expect(c.serial.scale).toMatchObject({ baudRate: 2400, dataBits: 7, parity: 'even', stopBits: 1 });
    expect(c.keyFile).toBe('/etc/wt/keys/device.key');
    expect(c.dataDir).toBe('/etc/wt/data');
    expect(c.heartbeatMinutes).toBe(5);
    expect(c.stability).toMatchObject({ minSamples: 5, toleranceGrams: 0, minDurationMs: 500, maxGapMs: 1000, requireScaleFlag: true });
    expect(c.mqtt).toMatchObject({ window: 8, batch: { maxRecords: 200 }, reconnect: { minMs: 1000, maxMs: 60_000 } });
  });

  it('names the field and what it must be', () => {
    const c = minimal();
    c.serial.scale.parity = 'evn';
    expect(problems(c)).toEqual(['serial.scale.parity: must be one of none, even, odd (got "evn")']);
  });

  it('reports every problem at once, with a hint for a mistyped field name', () => {
    const c = minimal();
    delete c.dataDir;
    c.deviceId = 'HZ H001';
    c.serial.rfid.baudrate = 57600;
    c.station.role = 'ward';
    c.mqtt.url = 'http://broker';
    expect(problems(c)).toEqual([
      'deviceId: must be a device id: a-z, 0-9 and -, 3-64 characters, as in keyring.json (got "HZ H001")',
      'station.role: must be one of department, collection, storage, pickup, disposal (got "ward")',
      'serial.rfid.baudrate: unknown field; did you mean "baudRate"?',
      'mqtt.url: must be a broker URL: mqtt://, mqtts://, ws:// or wss:// and a host (got "http://broker")',
      'dataDir: is required: a file path',
    ]);
  });

  it('checks rules that span fields', () => {
    const c = minimal();
    delete c.department;
    c.station.mode = 'dispose';
    c.serial.rfid.path = '/dev/ttyS90';
    c.mqtt.tls = { ca: 'ca.pem' };
    c.mqtt.auth = { mode: 'password', username: 'u' };
    c.mqtt.reconnect = { minMs: 5000, maxMs: 1000 };
    expect(problems(c)).toEqual([
      'station.mode: must be one of seal for a department station (got "dispose")',
      'department: is required for a department station: the department code written into sealed records, e.g. "ICU"',
      'serial.rfid.path: is the same port as serial.scale.path: each device needs its own serial port',
      'mqtt.auth: password mode needs exactly one of "password" or "passwordFile"',
      'mqtt.tls: is only used with an mqtts:// or wss:// url: change mqtt.url or remove mqtt.tls',
      'mqtt.reconnect.minMs: must not exceed maxMs (1000)',
    ]);
    const storage = { ...minimal(), station: { role: 'storage' } };
    expect(problems(storage)).toEqual(['site: is required for a storage station: the storage room code written into stored records, e.g. "STORE-1"']);
    const pickup = { ...minimal(), station: { role: 'pickup' } };
    expect(problems(pickup)).toEqual(['pickup: is required for a pickup station: { "vehicle": "<plate, e.g. 浙A12345>" }']);
    expect(parseConfig({ ...minimal(), station: { role: 'pickup' }, pickup: { vehicle: '浙A12345' } }, '/etc/wt').pickup?.vehicle).toBe('浙A12345');
    expect(problems({ ...minimal(), station: { role: 'pickup' }, pickup: { vehicle: '浙A 12345' } })[0]).toMatch(/^pickup\.vehicle: must be a code of 1-64 printable characters without spaces/);
  });

  it('auth modes, badge lists and conventions are checked as tagged shapes', () => {
    expect(problems({ ...minimal(), mqtt: { url: 'mqtt://h', auth: { mode: 'token' } } })).toEqual(['mqtt.auth.mode: must be one of device-token, password, none (got "token")']);
    expect(problems({ ...minimal(), badges: { known: [{ id: 'a b' }, { id: 'giai:1.2', roles: ['boss'] }] } })).toEqual([
      'badges.known[0].id: must be a badge id as the reader reports it, e.g. giai:0614141.100742 (got "a b")',
      'badges.known[1].roles[0]: must be one of staff, collector, keeper, crew, operator (got "boss")',
    ]);
    expect(problems({ ...minimal(), badges: { known: [{ id: 'x1' }, { id: 'x1' }] } })).toEqual(['badges.known[1].id: "x1" is listed twice']);
    const pw = parseConfig({ ...minimal(), mqtt: { url: 'mqtt://h', auth: { mode: 'password', username: 'dev', password: 's3cret' } } }, '/');
    expect(pw.mqtt.auth).toEqual({ mode: 'password', username: 'dev', password: 's3cret' });
  });

  it('reads a password file and says when it cannot', () => {
    const pass = join(dir, 'mqtt.pass');
    writeFileSync(pass, 'from-file\n');
    const ok = parseConfig({ ...minimal(), mqtt: { url: 'mqtt://h', auth: { mode: 'password', username: 'dev', passwordFile: 'mqtt.pass' } } }, dir);
    expect(ok.mqtt.auth).toEqual({ mode: 'password', username: 'dev', password: 'from-file' });
    expect(problems({ ...minimal(), mqtt: { url: 'mqtt://h', auth: { mode: 'password', username: 'dev', passwordFile: '/nonexistent/p' } } })).toEqual([
      'mqtt.auth.passwordFile: cannot be read: ENOENT (/nonexistent/p)',
    ]);
  });

  it('JSONC: comments and trailing commas are fine; a syntax error names line and column', () => {
    const text = JSON.stringify(minimal(), null, 2).replace('{', '{ // a comment\n').replace(/"data"\n/, '"data",\n');
    expect(parseConfigText(text, '/').deviceId).toBe('hz-h001-icu-01');
    const broken = '{\n  "deviceId": "hz-h001-icu-01"\n  "keyFile": "k"\n}';
    expect(() => parseConfigText(broken, '/', 'station.jsonc')).toThrow('station.jsonc: invalid configuration:\n  line 3, column 3: a comma is missing between two values');
    expect(() => parseConfigText('  // nothing\n', '/')).toThrow(/the file is empty/);
  });

  it('an unreadable file is a ConfigError too', () => {
    expect(() => loadConfigFile(join(dir, 'missing.jsonc'))).toThrow(/cannot read the file: ENOENT/);
  });

  it('the example stays in step with the README that explains it', () => {
    // Every top-level field of the example is documented in docs/edge/README.md.
    const readme = readFileSync(join(dirname(EXAMPLE), '../../docs/edge/README.md'), 'utf8');
    for (const key of ['deviceId', 'keyFile', 'station', 'serial', 'stability', 'mqtt', 'heartbeatMinutes', 'kiosk', 'dataDir', 'badges', 'pickup', 'disposal']) {
      expect(readme, key).toContain(`\`${key}\``);
    }
  });
});
