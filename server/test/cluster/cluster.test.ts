/**
 * Many servers, one truth (issue #16): three compiled `wastetrail server` processes on one PostgreSQL
 * schema and one Mosquitto (started here, on free ports, from docs/gateway/mosquitto/), a load of
 * simulated devices that keep every record until the server's ack covers it (as the edge agent's outbox
 * does), the tamper incidents, and ten SIGKILLs at random moments (the leader at least three times),
 * each killed process started again. Then: every record each device sealed is stored exactly once with
 * its log leaf, every chain is whole, every ack named a record as sealed, each incident raised one alert,
 * each escalation went out by e-mail once, and leadership moved within the takeover time every time.
 *
 * Needs the build (`npm run build`: the processes run server/dist, as in production), PostgreSQL on
 * 127.0.0.1:5432 and Debian's mosquitto (.ci/run installs it).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deviceTopic,
  ed25519Signer,
  encodeEnvelope,
  fromUtf8,
  generateEd25519KeyPair,
  GENESIS_PREV,
  parseAck,
  parseCommand,
  signRecord,
  toBase64,
  utf8,
  type DecodedRecord,
  type Ed25519Signer,
} from '@wastetrail/firmware-protocol';
import { openPgStore, type PgStore } from '../../src/store/index.ts';
import { decodeMail, smtpReceiver, SMTP_PASS, SMTP_USER } from '../notify/support.ts';
import { dropPgSchema, PG_URL, sleep } from './support.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const BIN = join(ROOT, 'server/bin/wastetrail.js');
const MOSQUITTO = '/usr/sbin/mosquitto';
const MOSQUITTO_CONF = join(ROOT, 'docs/gateway/mosquitto/mosquitto.conf');
const MOSQUITTO_ACL = join(ROOT, 'docs/gateway/mosquitto/wastetrail.acl');

const SERVERS = 3;
const DEVICES = 12;
const KILLS = 10;
const TAKEOVER_MS = 3000;
const SERVER_USER = 'wastetrail_server';
const SERVER_PASSWORD = `srv-${randomBytes(8).toString('hex')}`;
/** A device resends what is not acknowledged after this long, as the edge agent does. */
const RESEND_AFTER_MS = 2000;

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** The project's Mosquitto config, on loopback ports and temp files; each line it changes must be there. */
function mosquittoConfig(dir: string, devicePort: number, serverPort: number): string {
  let text = readFileSync(MOSQUITTO_CONF, 'utf8');
  const swap = (from: RegExp, to: string) => {
    if (!from.test(text)) throw new Error(`docs/gateway/mosquitto/mosquitto.conf no longer has ${from}: update this test`);
    text = text.replace(from, to);
  };
  swap(/^password_file .*$/m, `password_file ${join(dir, 'passwd')}`);
  swap(/^acl_file .*$/m, `acl_file ${MOSQUITTO_ACL}`);
  // No TLS certificates in a test: the device listener is plain TCP on loopback.
  swap(/^listener 8883$/m, `listener ${devicePort} 127.0.0.1`);
  swap(/^certfile .*\n/m, '');
  swap(/^keyfile .*\n/m, '');
  swap(/^listener 1883 .*$/m, `listener ${serverPort} 127.0.0.1`);
  swap(/^persistence_location .*$/m, `persistence_location ${join(dir, 'mosquitto')}/`);
  // Run as root, Mosquitto would switch to the user "mosquitto", who cannot read this test's files.
  return `${text}\nuser ${userInfo().username}\n`;
}

/** A station as the edge agent is to the server: signs a chain, keeps each record until an ack covers it. */
class SimulatedDevice {
  readonly id: string;
  readonly institution: string;
  readonly signer: Ed25519Signer;
  readonly password = randomBytes(12).toString('hex');
  readonly chain: DecodedRecord[] = [];
  /** Acks that named a seq or hash other than this chain's. */
  readonly wrongAcks: string[] = [];
  private acked = 0;
  private lastProgress = Date.now();
  client: MqttClient | undefined;
  private resendTimer: NodeJS.Timeout | undefined;

  /** Makes the device's tags its own. */
  readonly index: number;

  constructor(id: string, institution: string, index: number) {
    this.index = index;
    this.id = id;
    this.institution = institution;
    this.signer = ed25519Signer(generateEd25519KeyPair().privateKeyPem);
  }

  get ackedSeq(): number {
    return this.acked;
  }

  async connect(url: string): Promise<void> {
    const client = await mqtt.connectAsync(url, { clientId: this.id, username: this.id, password: this.password, protocolVersion: 4, clean: false, reconnectPeriod: 500 });
    this.client = client;
    client.on('message', (topic, payload) => {
      if (topic === deviceTopic(this.id, 'acks')) {
        const ack = parseAck(payload.toString());
        if (!ack) return;
        if (this.chain[ack.seq - 1]?.hash !== ack.hash) this.wrongAcks.push(`${ack.seq} ${ack.hash}`);
        else if (ack.seq > this.acked) {
          this.acked = ack.seq;
          this.lastProgress = Date.now();
        }
      } else if (topic === deviceTopic(this.id, 'commands')) {
        const command = parseCommand(payload.toString());
        if (command?.type === 'resend') this.send(this.chain.slice(command.from - 1, command.to ?? this.chain.length));
      }
    });
    await client.subscribeAsync([deviceTopic(this.id, 'acks'), deviceTopic(this.id, 'commands')], { qos: 1 });
    this.resendTimer = setInterval(() => {
      if (this.acked < this.chain.length && Date.now() - this.lastProgress > RESEND_AFTER_MS) {
        this.lastProgress = Date.now();
        this.send(this.chain.slice(this.acked));
      }
    }, 250);
  }

  /** Seals a bag (a new tag unless `tag` is given). */
  seal(tag = `epc:a0${this.index.toString(16).padStart(2, '0')}${(this.chain.length + 1).toString(16).padStart(20, '0')}`): DecodedRecord {
    const seq = this.chain.length + 1;
    const r = signRecord(
      {
        device: this.id,
        seq,
        prev: this.chain.at(-1)?.hash ?? GENESIS_PREV,
        time: new Date().toISOString(),
        event: { type: 'sealed', body: { tags: [tag], category: 'infectious', weight: { value: 1000 + seq, unit: 'g' }, department: 'ICU', staff: 'badge-0101' } },
      },
      this.signer,
    );
    if (this.chain.length === this.acked) this.lastProgress = Date.now();
    this.chain.push(r);
    this.send([r]);
    return r;
  }

  /** Another record signed at a seq already used: a fork. */
  fork(seq: number): DecodedRecord {
    const r = signRecord(
      {
        device: this.id,
        seq,
        prev: this.chain[seq - 2]?.hash ?? GENESIS_PREV,
        time: new Date().toISOString(),
        event: { type: 'sealed', body: { tags: [`epc:f0${this.index.toString(16).padStart(2, '0')}${seq.toString(16).padStart(20, '0')}`], category: 'infectious', weight: { value: 777, unit: 'g' }, department: 'ICU', staff: 'badge-0101' } },
      },
      this.signer,
    );
    this.sendRaw(encodeEnvelope(r));
    return r;
  }

  /** A copy of a record with its weight changed after signing. */
  tamper(seq: number): void {
    const r = this.chain[seq - 1]!;
    const text = fromUtf8(r.bytes) ?? '';
    const changed = text.replace(`"value":${1000 + seq}`, `"value":${9000 + seq}`);
    if (changed === text) throw new Error('the weight was not found in the record');
    this.sendRaw(encodeEnvelope({ bytes: utf8(changed), signature: r.signature }));
  }

  send(records: DecodedRecord[]): void {
    if (records.length > 0) this.sendRaw(records.map((r) => encodeEnvelope(r)).join('\n'));
  }

  private sendRaw(payload: string): void {
    this.client?.publish(deviceTopic(this.id, 'records'), payload, { qos: 1 }, () => {});
  }

  async close(): Promise<void> {
    clearInterval(this.resendTimer);
    await this.client?.endAsync(true);
  }
}

interface ServerProcess {
  child: ChildProcess;
  pid: number;
  httpUrl: string;
  exited: Promise<number | null>;
}

describe('three server processes on one PostgreSQL and one Mosquitto', () => {
  const schema = `wt_cluster_${randomBytes(4).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'wt-cluster-'));
  const stderr: string[] = [];
  const servers: Array<ServerProcess | undefined> = [];
  let mosquitto: ChildProcess | undefined;
  let smtp: Awaited<ReturnType<typeof smtpReceiver>> | undefined;
  let store: PgStore | undefined;
  const devices: SimulatedDevice[] = [];

  beforeAll(() => {
    if (!existsSync(join(ROOT, 'server/dist/cli/main.js'))) throw new Error('server/dist is missing: run `npm run build` first (the test runs the compiled server)');
    if (!existsSync(MOSQUITTO)) throw new Error(`${MOSQUITTO} is missing: install Debian's mosquitto (.ci/run does)`);
  });

  afterAll(async () => {
    for (const s of servers) s?.child.kill('SIGKILL');
    await Promise.all(servers.map((s) => s?.exited));
    for (const d of devices) await d.close().catch(() => undefined);
    // Mosquitto writes its persistence file as it exits: wait for it before removing the folder (rmSync
    // failed with ENOTEMPTY when the file appeared under it), and kill it if it does not go in 5 s.
    if (mosquitto && mosquitto.exitCode === null && mosquitto.signalCode === null) {
      const broker = mosquitto;
      const gone = new Promise<void>((resolve) => broker.once('exit', () => resolve()));
      broker.kill('SIGTERM');
      const stuck = setTimeout(() => broker.kill('SIGKILL'), 5_000);
      await gone;
      clearTimeout(stuck);
    }
    await smtp?.close();
    await store?.close();
    await dropPgSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  });

  function serverConfig(n: number, serverPort: number, smtpPort: number): string {
    return JSON.stringify({
      dataDir: `s${n}`,
      storage: { driver: 'postgres', url: PG_URL, schema, poolSize: 4 },
      mqtt: { mode: 'external', url: `mqtt://127.0.0.1:${serverPort}`, username: SERVER_USER, password: SERVER_PASSWORD, clientId: `wastetrail_server_${n}`, persistentSession: true, sharedGroup: 'ingest' },
      ingest: { verifyWorkers: 0, gapRecheckMs: 200, gapTimeoutMs: 300_000 },
      rules: { defaults: { escalation: { critical: { institutionHeadMinutes: 0.05, regulatorMinutes: 0.1 } } } },
      alerting: { tickMs: 500 },
      notifications: {
        smtp: { host: '127.0.0.1', port: smtpPort, starttls: 'never', user: SMTP_USER, password: SMTP_PASS, from: 'alerts@wastetrail.test' },
        recipients: { institutionHead: { default: ['head@hospital.test'] }, regulator: { default: ['regulator@city.test'] } },
        delivery: { retryBaseMs: 50, retryMaxMs: 200, timeoutMs: 2000 },
      },
      http: { host: '127.0.0.1', port: 0 },
      verifiableLog: { checkpointIntervalMs: 1000 },
      cluster: { takeoverMs: TAKEOVER_MS, notificationPollMs: 200 },
      log: { level: 'warn' },
    });
  }

  async function startServerProcess(n: number): Promise<ServerProcess> {
    const child = spawn(process.execPath, [BIN, 'server', '--config', join(dir, `server-${n}.json`)], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.stderr!.on('data', (b: Buffer) => stderr.push(`[server ${n}] ${b.toString()}`));
    const httpUrl = await new Promise<string>((resolveUrl, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`server ${n} did not start within 30 s:\n${stderr.slice(-20).join('')}`)), 30_000);
      child.stdout!.on('data', (b: Buffer) => {
        out += b.toString();
        const m = /^listening http (\S+)$/m.exec(out);
        if (m) {
          clearTimeout(timer);
          resolveUrl(m[1]!);
        }
      });
      void exited.then((code) => reject(new Error(`server ${n} exited with ${code}:\n${stderr.slice(-20).join('')}`)));
    });
    return { child, pid: child.pid!, httpUrl, exited };
  }

  async function leaseHolder(): Promise<{ pid: number; term: number } | undefined> {
    const { rows } = await store!.db.$client.query<{ holder: string; term: string }>('select holder, term from cluster_leases where expires_at > now()');
    const row = rows[0];
    return row ? { pid: Number(row.holder.split('/')[1]), term: Number(row.term) } : undefined;
  }

  it('stores every record once, keeps every chain whole, raises and e-mails each alert once, and moves leadership within the limit through ten SIGKILLs', async () => {
    try {
      await run();
    } catch (err) {
      // What the servers logged as errors, to read with the failure.
      const errors = stderr.join('').split('\n').filter((l) => /"level":(50|60)/.test(l));
      (err as Error).message += `\n${errors.length} error lines from the servers; the last ones:\n${errors.slice(-5).map((l) => l.slice(0, 600)).join('\n')}`;
      throw err;
    }
  }, 420_000);

  async function run(): Promise<void> {
    // ---- PostgreSQL: the schema, the places and the devices ----
    store = await openPgStore({ url: PG_URL, schema, poolSize: 4 });
    await store.upsertJurisdiction({ id: 'hz', parent: null, level: 'city', name: 'Hangzhou' });
    for (const h of ['hz-h001', 'hz-h002']) await store.upsertInstitution({ id: h, name: `Hospital ${h}`, kind: 'hospital', jurisdiction: 'hz' });
    for (let i = 0; i < DEVICES; i++) devices.push(new SimulatedDevice(`hz-h00${(i % 2) + 1}-ward-${i}`, `hz-h00${(i % 2) + 1}`, i));
    for (const d of devices) await store.registerDevice({ id: d.id, institution: d.institution, stations: ['department'], keys: [{ publicKey: toBase64(d.signer.publicKeySpki) }] });

    // ---- Mosquitto, with a password per device and one for the servers ----
    mkdirSync(join(dir, 'mosquitto'));
    writeFileSync(join(dir, 'passwd'), [`${SERVER_USER}:${SERVER_PASSWORD}`, ...devices.map((d) => `${d.id}:${d.password}`)].join('\n') + '\n');
    const hashed = spawnSync('mosquitto_passwd', ['-U', join(dir, 'passwd')], { encoding: 'utf8' });
    expect(hashed.status, hashed.stderr).toBe(0);
    let devicePort = 0;
    let serverPort = 0;
    // A free port can be taken by someone else before Mosquitto binds it: then again with others.
    for (let attempt = 1; ; attempt++) {
      [devicePort, serverPort] = [await freePort(), await freePort()];
      writeFileSync(join(dir, 'mosquitto.conf'), mosquittoConfig(dir, devicePort, serverPort));
      const broker = spawn(MOSQUITTO, ['-c', join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
      const brokerLog: string[] = [];
      broker.stderr!.on('data', (b: Buffer) => brokerLog.push(b.toString()));
      const exited = new Promise<'exited'>((r) => broker.once('exit', () => r('exited')));
      let up = false;
      for (let i = 0; i < 50 && !up; i++) {
        const probe = await mqtt.connectAsync(`mqtt://127.0.0.1:${serverPort}`, { username: SERVER_USER, password: SERVER_PASSWORD, reconnectPeriod: 0, connectTimeout: 1000 }).catch(() => undefined);
        if (probe) {
          await probe.endAsync();
          up = true;
        } else if ((await Promise.race([exited, sleep(100)])) === 'exited') break;
      }
      if (up) {
        mosquitto = broker;
        break;
      }
      broker.kill('SIGKILL');
      if (attempt >= 5 || !/Address already in use/.test(brokerLog.join(''))) throw new Error(`mosquitto did not start:\n${brokerLog.join('')}`);
    }

    // ---- Three servers sharing one log key ----
    smtp = await smtpReceiver();
    for (let n = 0; n < SERVERS; n++) writeFileSync(join(dir, `server-${n}.json`), serverConfig(n, serverPort, smtp.port));
    servers[0] = await startServerProcess(0);
    for (let n = 1; n < SERVERS; n++) {
      mkdirSync(join(dir, `s${n}`, 'log'), { recursive: true });
      copyFileSync(join(dir, 's0', 'log', 'log-key.pem'), join(dir, `s${n}`, 'log', 'log-key.pem'));
      servers[n] = await startServerProcess(n);
    }
    for (const d of devices) await d.connect(`mqtt://127.0.0.1:${devicePort}`);

    // A device the broker does not know is turned away at the door.
    const rogue = await mqtt.connectAsync(`mqtt://127.0.0.1:${devicePort}`, { clientId: 'hz-h001-rogue', username: 'hz-h001-rogue', password: 'guess', reconnectPeriod: 0, connectTimeout: 3000 }).then(
      async (c) => {
        await c.endAsync();
        return 'connected';
      },
      (err: Error) => err.message,
    );
    expect(rogue).toMatch(/not authori[sz]ed|Connection refused/i);

    // ---- Load and incidents, while processes are killed ----
    let sealing = true;
    const load = (async () => {
      while (sealing) {
        devices[Math.floor(Math.random() * devices.length)]!.seal();
        await sleep(15 + Math.random() * 30);
      }
    })();
    const [tampering, forking, first, second] = [devices[0]!, devices[1]!, devices[2]!, devices[3]!];
    // A forger's publish is not in any outbox: if the process it reached dies before its commit, it is
    // gone, and the forger tries again (as the test does until the quarantine holds it).
    const untilQuarantined = async (device: string, code: string, publish: () => void) => {
      for (;;) {
        publish();
        const deadline = Date.now() + 3000;
        while (Date.now() < deadline) {
          const { rows } = await store!.db.$client.query('select 1 from quarantine where device = $1 and code = $2 limit 1', [device, code]);
          if (rows.length > 0) return;
          await sleep(100);
        }
      }
    };
    const incidents = (async () => {
      await sleep(2000);
      while (tampering.chain.length < 3) await sleep(50);
      await untilQuarantined(tampering.id, 'BAD_SIGNATURE', () => tampering.tamper(3));
      await sleep(1000);
      while (forking.ackedSeq < 5) await sleep(50);
      await untilQuarantined(forking.id, 'FORK', () => forking.fork(4));
      await sleep(1000);
      // One tag sealed at two hospitals minutes apart: a cloned tag.
      const tag = `epc:c10e${randomBytes(10).toString('hex')}`; // 24 hex digits
      first.seal(tag);
      await sleep(500);
      second.seal(tag);
    })();

    const takeovers: number[] = [];
    // Restarts run beside the next kills (a start takes seconds on a busy machine); a kill waits until
    // two processes are up, so one always is to take over.
    const restarts: Array<Promise<void>> = [];
    for (let k = 0; k < KILLS; k++) {
      await sleep(800 + Math.random() * 1700);
      while (servers.filter(Boolean).length < 2) await sleep(100);
      const leader = await leaseHolder();
      const leaderIndex = servers.findIndex((s) => s !== undefined && s.pid === leader?.pid);
      const up = servers.flatMap((s, i) => (s ? [i] : []));
      // Every third kill is the leader's; the others fall where they fall (the leader too, sometimes).
      const victim = k % 3 === 1 && leaderIndex >= 0 ? leaderIndex : up[Math.floor(Math.random() * up.length)]!;
      const killed = servers[victim]!;
      const killedAt = Date.now();
      killed.child.kill('SIGKILL');
      await killed.exited;
      servers[victim] = undefined;
      if (killed.pid === leader?.pid) {
        for (;;) {
          const now = await leaseHolder();
          if (now && now.pid !== killed.pid) {
            expect(now.term).toBeGreaterThan(leader.term);
            break;
          }
          await sleep(50);
        }
        takeovers.push(Date.now() - killedAt);
      }
      const restart = (async () => {
        await sleep(Math.random() * 800);
        servers[victim] = await startServerProcess(victim);
      })();
      restart.catch(() => {});
      restarts.push(restart);
    }
    await Promise.all(restarts);
    sealing = false;
    await load;
    await incidents;
    expect(takeovers.length).toBeGreaterThanOrEqual(3);
    for (const t of takeovers) expect(t).toBeLessThanOrEqual(TAKEOVER_MS);

    // ---- Every device's whole chain acknowledged ----
    const deadline = Date.now() + 90_000;
    while (devices.some((d) => d.ackedSeq < d.chain.length)) {
      if (Date.now() > deadline) throw new Error(`not acknowledged: ${devices.map((d) => `${d.id} ${d.ackedSeq}/${d.chain.length}`).join(', ')}\n${stderr.slice(-30).join('')}`);
      await sleep(200);
    }
    const pool = store.db.$client;

    // Every record exactly once, as the device sealed it, with one log leaf; every chain linked in order.
    for (const d of devices) {
      expect(d.wrongAcks, d.id).toEqual([]);
      const { rows } = await pool.query<{ seq: string; hash: string; prev: string }>('select seq, hash, prev from records where device = $1 order by seq', [d.id]);
      expect(rows.map((r) => Number(r.seq)), d.id).toEqual(d.chain.map((_, i) => i + 1));
      expect(rows.map((r) => r.hash), d.id).toEqual(d.chain.map((r) => r.hash));
      rows.forEach((r, i) => expect(r.prev).toBe(i === 0 ? GENESIS_PREV : rows[i - 1]!.hash));
    }
    const sealed = devices.reduce((n, d) => n + d.chain.length, 0);
    const counts = await pool.query<{ records: string; leaves: string; distinct_leaves: string; max_index: string; size: string }>(
      `select (select count(*) from records) as records, (select count(*) from log_leaves) as leaves,
              (select count(distinct (device, seq)) from log_leaves) as distinct_leaves, (select max(idx) from log_leaves) as max_index,
              (select size from log_head) as size`,
    );
    expect(counts.rows[0]).toEqual({ records: String(sealed), leaves: String(sealed), distinct_leaves: String(sealed), max_index: String(sealed - 1), size: String(sealed) });

    // The incidents: quarantined, and one alert each.
    const quarantined = await pool.query<{ device: string; code: string }>('select distinct device, code from quarantine order by device, code');
    expect(quarantined.rows).toEqual(
      [
        { device: forking.id, code: 'FORK' },
        { device: tampering.id, code: 'BAD_SIGNATURE' },
      ].sort((a, b) => a.device.localeCompare(b.device)),
    );
    const alerts = await pool.query<{ dedupe_key: string; rule: string; n: string }>('select dedupe_key, rule, count(*) as n from alerts group by dedupe_key, rule order by rule, dedupe_key');
    expect(alerts.rows.map((a) => a.n)).toEqual(alerts.rows.map(() => '1'));
    expect(alerts.rows.filter((a) => a.rule === 'cloned-tag')).toHaveLength(1);
    expect(alerts.rows.filter((a) => a.rule === 'integrity')).toHaveLength(2);
    expect(alerts.rows.filter((a) => a.rule === 'integrity').map((a) => a.dedupe_key).join(' ')).toContain(tampering.id);
    expect(alerts.rows.filter((a) => a.rule === 'integrity').map((a) => a.dedupe_key).join(' ')).toContain(forking.id);

    // ---- Escalations: each level once in the alert, and one e-mail each ----
    const escalated = async () => (await pool.query<{ id: string; severity: string; escalation_level: number; details: { escalations?: Array<{ level: number }> } }>('select id, severity, escalation_level, details from alerts order by id')).rows;
    const until = Date.now() + 30_000;
    for (;;) {
      const rows = await escalated();
      const waiting = await pool.query('select key from notification_outbox where done_at is null');
      const due = rows.filter((a) => a.severity === 'critical').every((a) => a.escalation_level === 3);
      if (due && waiting.rows.length === 0) break;
      if (Date.now() > until) throw new Error(`escalations not done: ${JSON.stringify(rows.map((a) => [a.id, a.severity, a.escalation_level]))}, waiting ${JSON.stringify(waiting.rows)}\n${stderr.slice(-30).join('')}`);
      await sleep(200);
    }
    await sleep(1000);
    const rows = await escalated();
    const expected: string[] = [];
    for (const a of rows) {
      const levels = (a.details.escalations ?? []).map((e) => e.level);
      expect(levels, `alert ${a.id}`).toEqual([...new Set(levels)]);
      for (const level of levels) if (level >= 2) expected.push(`${a.id}/${level}`);
    }
    expect(expected.length).toBeGreaterThanOrEqual(4);
    // At least once, each with its delivery id: a receiver keeping the ids it has seen gets every
    // escalation exactly once. A repeat (the leader died between the SMTP server's "250 OK" and marking the
    // delivery) must carry the same id; the summary line counts them.
    const ids = smtp.mails.map((m) => decodeMail(m.raw).headers.get('x-wastetrail-delivery') ?? '');
    const byReceiver = [...new Set(ids)].map((id) => {
      const m = /^alert-(\d+)-level-(\d)\/1$/.exec(id);
      return m ? `${m[1]}/${m[2]}` : id;
    });
    expect(byReceiver.sort()).toEqual(expected.sort());
    const repeats = ids.length - new Set(ids).size;
    const mailed = ids;

    // What the run did, for the report (docs/deploy/README.md quotes these).
    console.log(`cluster test: ${sealed} records from ${DEVICES} devices, ${KILLS} kills (${takeovers.length} of the leader; takeovers in ${takeovers.join(', ')} ms, limit ${TAKEOVER_MS}), ${rows.length} alerts, ${mailed.length} e-mails (${repeats} repeated with their delivery id), ${stderr.join('').split('group commit failed').length - 1} commits failed and resent`);

    // A checkpoint of the whole log was signed (by whichever process led).
    for (;;) {
      const latest = await store.latestCheckpoint();
      if (latest?.size === sealed) break;
      await sleep(200);
    }
  }
});
