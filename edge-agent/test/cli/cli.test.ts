/**
 * The wastetrail-edge command: keygen, configuration errors, status, export checked by the real
 * `wastetrail verify` CLI, and the bin shim itself.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createPublicKey } from 'node:crypto';
import { keyId, KEYRING_FORMAT, parseKeyring, type CustodyEvent } from '@wastetrail/firmware-protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.ts';
import { Outbox } from '../../src/outbox/outbox.ts';
import { tempDir, testIdentity, writeIdentityFiles } from '../support/identity.ts';
import { BIN, runNode, VERIFY } from '../support/processes.ts';

const t = tempDir('wt-edge-cli-');
const later: (() => void)[] = [];
const cleanupLater = (c: () => void) => later.push(c);
afterAll(() => {
  for (const c of later) c();
  t.cleanup();
});

function writeConfig(name: string, value: Record<string, unknown>): string {
  const file = join(t.dir, name);
  writeFileSync(file, `// test configuration\n${JSON.stringify(value, null, 2)}\n`);
  return file;
}

function baseConfig(deviceId: string, dataDir: string, keyFile = 'device.key') {
  return {
    deviceId,
    keyFile,
    institution: 'hz-h001',
    department: 'ICU',
    station: { role: 'department' },
    serial: { scale: { path: '/dev/null-scale', protocol: 'mt-sics' }, rfid: { path: '/dev/null-rfid' } },
    mqtt: { url: 'mqtt://127.0.0.1:1' },
    dataDir,
    log: { level: 'warn' },
  };
}

const sealed = (i: number): CustodyEvent => ({
  type: 'sealed',
  body: { tags: [`epc:30${i.toString(16).padStart(22, '0')}`], category: 'pathological', weight: { value: 300 + i, unit: 'g' }, department: 'ICU', staff: 'giai:0614141.100742' },
});

describe('wastetrail-edge keygen', () => {
  it('writes device.key (0600) and device.pub and prints the keyring entry', async () => {
    const dir = join(t.dir, 'keys-a');
    const r = await cli('keygen', '--out', dir, '--device', 'hz-h001-icu-01', '--institution', 'hz-h001', '--station', 'department', '--site', 'ICU');
    expect(r.code).toBe(0);
    expect(statSync(join(dir, 'device.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'device.key'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const pub = readFileSync(join(dir, 'device.pub'), 'utf8');
    expect(pub).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    const entry = JSON.parse(r.stdout) as Record<string, { institution: string; stations: string[]; site: string; keys: { publicKey: string }[] }>;
    expect(Object.keys(entry)).toEqual(['hz-h001-icu-01']);
    expect(entry['hz-h001-icu-01']).toMatchObject({ institution: 'hz-h001', stations: ['department'], site: 'ICU' });
    // The entry is a valid keyring as it stands, and its key is the one in device.pub.
    const keyring = parseKeyring({ format: KEYRING_FORMAT, devices: entry });
    expect(keyring.ok).toBe(true);
    const spki = new Uint8Array(createPublicKey(pub).export({ format: 'der', type: 'spki' }));
    expect(keyring.ok && keyring.value.devices.get('hz-h001-icu-01')!.keys[0]!.kid).toBe(keyId(spki));
    expect(r.stderr).toContain(`key id ${keyId(spki)}`);
  });

  it('never overwrites a key; without an identity it prints placeholders', async () => {
    const dir = join(t.dir, 'keys-b');
    expect((await cli('keygen', '--out', dir)).stdout).toContain('"<device-id>"');
    const again = await cli('keygen', '--out', dir);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/device\.key exists already/);
    expect((await cli('keygen')).stderr).toMatch(/--out is required/);
    expect((await cli('keygen', '--out', join(t.dir, 'keys-c'), '--device', 'x-1', '--institution', 'i', '--station', 'ward')).stderr).toMatch(/"ward" is not one of department/);
  });

  it('takes the identity from a configuration file', async () => {
    const cfg = writeConfig('keygen.jsonc', baseConfig('hz-h001-icu-02', 'data-k'));
    const r = await cli('keygen', '--out', join(t.dir, 'keys-d'), '--config', cfg);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ 'hz-h001-icu-02': { institution: 'hz-h001', stations: ['department'] } });
  });
});

describe('wastetrail-edge with a bad configuration', () => {
  it('refuses to run and names the file, the field, what it must be and what was given', async () => {
    const cfg = baseConfig('hz-h001-icu-03', 'data-bad') as Record<string, any>;
    cfg.serial.scale.parity = 'evn';
    const file = writeConfig('bad.jsonc', cfg);
    const r = await cli('run', '--config', file);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`wastetrail-edge run: ${file}: serial.scale.parity: must be one of "none", "even", "odd", got "evn"\n`);
    const misspelt = baseConfig('hz-h001-icu-03', 'data-bad') as Record<string, any>;
    misspelt.station.stepTimeoutSecs = 60;
    const unknown = await cli('run', '--config', writeConfig('misspelt.jsonc', misspelt));
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('station.stepTimeoutSecs: is not a setting here; the settings are "role", "mode", "stepTimeoutSeconds",');
  });

  it('says where the key is missing and how to make one', async () => {
    const file = writeConfig('nokey.jsonc', baseConfig('hz-h001-icu-04', 'data-nokey', 'no/such.key'));
    const r = await cli('run', '--config', file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/keyFile: cannot read .*no\/such\.key: ENOENT \(create it with: wastetrail-edge keygen --out <dir>\)/);
  });

  it('names an unreadable TLS file by its field', async () => {
    const id = testIdentity();
    const own = tempDir();
    const { keyFile } = writeIdentityFiles(id, own.dir);
    cleanupLater(own.cleanup);
    const cfg = { ...baseConfig(id.deviceId, 'data-tls', keyFile), mqtt: { url: 'mqtts://127.0.0.1:8883', tls: { ca: 'missing-ca.pem' } } };
    const r = await cli('run', '--config', writeConfig('tls.jsonc', cfg));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`mqtt.tls.ca: cannot be read: ENOENT (${join(t.dir, 'missing-ca.pem')})`);
  });

  it('through the installed command too (the bin shim runs the TypeScript with tsx)', async () => {
    const r = await runNode([BIN, 'status', '--config', join(t.dir, 'bad.jsonc')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('serial.scale.parity: must be one of "none", "even", "odd", got "evn"');
  });
});

describe('wastetrail-edge run: its log and its metrics', () => {
  it('writes JSON lines where log.destination says and serves /metrics where metrics says', async () => {
    const id = testIdentity();
    const { keyFile } = writeIdentityFiles(id, t.dir);
    const cfg = {
      ...baseConfig(id.deviceId, 'data-run', keyFile),
      kiosk: { enabled: false },
      log: { level: 'info', destination: 'logs/agent.log' },
      metrics: { port: 0 },
    };
    const file = writeConfig('run.jsonc', cfg);
    const child = spawn(process.execPath, [BIN, 'run', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = once(child, 'exit');
    cleanupLater(() => child.kill('SIGKILL'));
    const [first] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    const url = /; metrics (http:\/\/127\.0\.0\.1:\d+\/metrics)$/.exec(first)?.[1];
    expect(url, first).toBeDefined();
    const metrics = await (await fetch(url!)).text();
    expect(metrics).toMatch(/^wastetrail_edge_outbox_depth 0$/m);
    expect(metrics).toMatch(/^wastetrail_edge_uplink_connected 0$/m);
    expect(metrics).toMatch(/^process_resident_memory_bytes \d+/m);
    child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);

    // Relative to the config file's folder, one JSON object a line, each with the device.
    const lines = readFileSync(join(t.dir, 'logs/agent.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.every((l) => l.name === 'wastetrail-edge' && l.device === id.deviceId)).toBe(true);
    expect(lines).toContainEqual(expect.objectContaining({ level: 40, component: 'scale', path: '/dev/null-scale', msg: 'cannot open serial port; will retry' }));
    expect(lines).toContainEqual(expect.objectContaining({ level: 30, component: 'outbox', msg: 'outbox open', head: 0 }));
    expect(lines.at(-1)).toMatchObject({ msg: 'stopped' });
  });
});

describe('wastetrail-edge status and export', () => {
  it('reports backlog and acks, and exports a chain the verify CLI accepts', async () => {
    const id = testIdentity();
    const dir = join(t.dir, 'station-e');
    const { keyFile, keyringFile } = writeIdentityFiles(id, t.dir);
    const file = writeConfig('e.jsonc', baseConfig(id.deviceId, dir, keyFile));
    expect((await cli('status', '--config', file)).stderr).toMatch(/no outbox at .*: the agent has not run/);

    const outbox = new Outbox(join(dir, 'outbox.sqlite'), { deviceId: id.deviceId, signer: id.signer });
    const recs = outbox.appendMany(Array.from({ length: 25 }, (_, i) => sealed(i)));
    outbox.acknowledge(20, recs[19]!.hash);
    outbox.close();

    const status = await cli('status', '--config', file);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('records:       25');
    expect(status.stdout).toContain('acknowledged:  up to #20');
    expect(status.stdout).toContain('backlog:       5');
    expect(status.stdout).toContain('connection:    agent not running');
    expect(JSON.parse((await cli('status', '--config', file, '--json')).stdout)).toMatchObject({ head: 25, acknowledged: 20, backlog: 5, headHash: recs[24]!.hash });

    const out = join(t.dir, 'e.jsonl');
    const exp = await cli('export', '--config', file, '--out', out);
    expect(exp.code).toBe(0);
    expect(exp.stderr).toContain('exported 25 records (seq 1..25)');
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(25);
    const verified = await runNode([VERIFY, 'verify', out, '--keys', keyringFile]);
    expect(verified).toMatchObject({ code: 0 });
    expect(verified.stdout).toContain(`valid: 25 records from 1 device(s); chain heads: ${id.deviceId}#25 ${recs[24]!.hash.slice(0, 16)}`);

    // A tampered export is caught by the same verifier: the check above can fail.
    const lines = readFileSync(out, 'utf8').split('\n');
    lines.splice(10, 1);
    writeFileSync(out, lines.join('\n'));
    const gap = await runNode([VERIFY, 'verify', out, '--keys', keyringFile]);
    expect(gap.code).toBe(1);
    expect(gap.stdout).toMatch(/SEQUENCE_GAP|OUT_OF_ORDER/);
  });
});
