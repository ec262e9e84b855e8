/**
 * The operator of a running server tampers with its log, straight in its SQLite file (the one thing the
 * log's promise is about): deletes a stored record, changes one, rolls the log back, or serves two
 * different trees to two clients. Each time a witness (`wastetrail witness`, the server's real binary)
 * and an edge device (`wastetrail-edge audit`) that checked the log before catch it, each with its code.
 * An operator who rewrites the tree and lets the server sign it leaves a signed checkpoint that cannot
 * be joined to the one they already hold.
 */
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { once } from 'node:events';
import { promisify } from 'node:util';
import {
  cosigner,
  cosignerKeyString,
  ed25519Signer,
  generateEd25519KeyPair,
  leafHash,
  MemoryTree,
  recordLogEntry,
  sha256,
  toBase64,
  toHex,
  type CustodyEvent,
} from '@wastetrail/firmware-protocol';
import { createCapturingLogger } from '@wastetrail/runtime';
import { parseServerConfig, startServer, type RunningServer } from '@wastetrail/server';
import { afterEach, describe, expect, it } from 'vitest';
import { Outbox } from '../../src/outbox/outbox.ts';
import { Uplink } from '../../src/uplink/uplink.ts';
import { cli } from '../support/cli.ts';
import { minimalConfig } from '../support/minimal-config.ts';
import { tempDir, testIdentity, writeIdentityFiles, type TestIdentity } from '../support/identity.ts';
import { mqttConfig } from '../support/mqtt-config.ts';
import { waitFor } from '../support/wait.ts';

/** The server's `wastetrail` binary (compiled: `npm run build`), run as a witness runs it, in its own process. */
const WASTETRAIL = new URL('../../../server/bin/wastetrail.js', import.meta.url).pathname;
const WITNESS_NAME = 'witness.regulator.example/hz';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const sealed = (i: number): CustodyEvent => ({
  type: 'sealed',
  body: { tags: [`epc:31${i.toString(16).padStart(22, '0')}`], category: 'infectious', weight: { value: 400 + i, unit: 'g' }, department: 'ICU', staff: 'giai:0614141.100742' },
});

/** A witness with its key made beforehand (the server's config names it) and its own state directory. */
function witness() {
  const t = tempDir('wt-tamper-witness-');
  cleanups.push(t.cleanup);
  const keyFile = join(t.dir, 'witness-key.pem');
  const pem = generateEd25519KeyPair().privateKeyPem;
  writeFileSync(keyFile, pem, { mode: 0o600 });
  const vkey = cosignerKeyString(cosigner(WITNESS_NAME, ed25519Signer(pem)));
  /** One round against the log at `url`: its exit code and the refusal it printed. */
  const round = async (url: string, logKey: string) => {
    const args = [WASTETRAIL, 'witness', '--log', url, '--log-key', logKey, '--key', keyFile, '--state', join(t.dir, 'state'), '--name', WITNESS_NAME, '--once'];
    try {
      const { stdout } = await promisify(execFile)(process.execPath, args);
      return { code: 0, stdout, stderr: '' };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  };
  return { vkey, round };
}

/** A server of the log, SQLite in `dir`; `before` may put files in its place (its database file, its data directory) before it starts. */
async function startLogServer(dir: string, witnessKey: string, before?: (dbFile: string, dataDir: string) => void): Promise<{ server: RunningServer; dbFile: string; dataDir: string }> {
  const config = parseServerConfig(
    JSON.stringify({
      mqtt: { mode: 'embedded', gateway: { tcp: { port: 0, host: '127.0.0.1' } } },
      // No load shedding: on a machine busy with the rest of the suite a 503 OVERLOADED would be an exit 2
      // of the witness, not the tampering these tests look for.
      http: { port: 0, maxEventLoopDelayMs: 0 },
      ingest: { verifyWorkers: 0, batchMs: 10 },
      alerting: { tickMs: 3600_000 },
      verifiableLog: { origin: 'log.wastetrail.example/tampered', checkpointIntervalMs: 100, witnesses: [witnessKey], quorum: 1 },
    }),
    dir,
  );
  if (config.storage.driver !== 'sqlite') throw new Error('these tests edit the SQLite file');
  before?.(config.storage.file, config.dataDir);
  const server = await startServer(config, { logger: createCapturingLogger('warn', 'wastetrail-server') });
  cleanups.push(() => server.close());
  return { server, dbFile: config.storage.file, dataDir: config.dataDir };
}

/** The server, its world, a station registered and sending through a real uplink. */
async function rig() {
  const w = witness();
  const t = tempDir('wt-tamper-server-');
  cleanups.push(t.cleanup);
  const { server, dbFile, dataDir } = await startLogServer(t.dir, w.vkey);
  await server.store.upsertJurisdiction({ id: 'hz', parent: null, level: 'city', name: 'Hangzhou' });
  await server.store.upsertInstitution({ id: 'hz-h001', name: 'City Hospital No. 1', kind: 'hospital', jurisdiction: 'hz' });
  const station = await connectStation(server);
  return { server, dbFile, dataDir, witness: w, station };
}

/** A registered device with an outbox, an uplink to `server`, and an edge config auditing the log at `logUrl`. */
async function connectStation(server: RunningServer, id: TestIdentity = testIdentity(), logUrl = server.httpUrl) {
  await server.store.registerDevice({ id: id.deviceId, institution: 'hz-h001', stations: ['department'], keys: [{ publicKey: toBase64(id.signer.publicKeySpki) }] });
  await server.reloadKeyring();
  const t = tempDir('wt-tamper-station-');
  cleanups.push(t.cleanup);
  writeIdentityFiles(id, t.dir);
  const config = join(t.dir, 'edge.json');
  const writeConfig = (url: string) =>
    writeFileSync(config, JSON.stringify({ ...minimalConfig(), deviceId: id.deviceId, keyFile: 'device.key', log: { level: 'info' }, verifiableLog: { url, key: server.logKey } }));
  writeConfig(logUrl);
  const outbox = new Outbox(join(t.dir, 'data', 'outbox.sqlite'), { deviceId: id.deviceId, signer: id.signer });
  cleanups.push(() => outbox.close());
  let uplink: Uplink | undefined;
  const connect = (to: RunningServer) => {
    uplink = new Uplink({ deviceId: id.deviceId, outbox, config: mqttConfig(to.mqttUrl!, { auth: { mode: 'device-token' } }), signer: id.signer, logger: createCapturingLogger() });
    uplink.start();
  };
  const disconnect = async () => {
    await uplink?.stop();
    uplink = undefined;
  };
  cleanups.push(disconnect);
  connect(server);
  let sent = 0;
  return {
    id,
    outbox,
    config,
    writeConfig,
    connect,
    disconnect,
    /** Sends `n` more sealed bags and waits until each has its ack and its receipt. */
    async send(n: number) {
      const first = sent + 1;
      sent += n;
      outbox.appendMany(Array.from({ length: n }, (_, i) => sealed(first + i)));
      uplink!.notify();
      await waitFor(() => outbox.receipt(sent) !== undefined, `the receipt of seq ${sent}`);
    },
    audit: () => cli('audit', '--config', config),
  };
}

async function checkpointSigned(server: RunningServer, size: number): Promise<void> {
  await expect.poll(async () => (await server.store.latestCheckpoint())?.size, { timeout: 15_000 }).toBe(size);
}

// ---- What an operator with the database file can do (the server keeps running) ----

interface LeafRow {
  idx: number;
  device: string;
  seq: number;
  entry: Buffer;
}

/**
 * Replaces the whole tree with `leaves` (in order) as the server would have built it, so every proof the
 * server gives agrees with the new tree, and drops the checkpoints (and cosignatures) from `firstChanged`
 * on, so the server signs the rewritten tree as if it had always been so.
 */
function rewriteLog(db: Database.Database, leaves: ReadonlyArray<Omit<LeafRow, 'idx'>>, firstChanged: number): void {
  const tree = new MemoryTree();
  db.prepare('delete from log_leaves').run();
  db.prepare('delete from log_nodes').run();
  const insertLeaf = db.prepare('insert into log_leaves (idx, device, seq, entry, leaf_hash) values (?, ?, ?, ?, ?)');
  for (const l of leaves) {
    const hash = leafHash(l.entry);
    insertLeaf.run(tree.append(hash), l.device, l.seq, l.entry, Buffer.from(hash));
  }
  const insertNode = db.prepare('insert into log_nodes (level, idx, hash) values (?, ?, ?)');
  for (let level = 1; 2 ** level <= tree.size; level++) {
    for (let index = 0; index < Math.floor(tree.size / 2 ** level); index++) insertNode.run(level, index, Buffer.from(tree.node({ level, index })));
  }
  db.prepare('update log_head set size = ?').run(tree.size);
  db.prepare('delete from log_cosignatures where size > ?').run(firstChanged);
  db.prepare('delete from log_checkpoints where size > ?').run(firstChanged);
}

function withDb(dbFile: string, edit: (db: Database.Database) => void): void {
  const db = new Database(dbFile);
  try {
    db.transaction(() => edit(db))();
  } finally {
    db.close();
  }
}

const leavesOf = (db: Database.Database) => db.prepare('select idx, device, seq, entry from log_leaves order by idx').all() as LeafRow[];

/** Deletes record `seq` of `device` and its leaf; the leaves after it move down one. */
function deleteRecord(dbFile: string, device: string, seq: number): void {
  withDb(dbFile, (db) => {
    db.prepare('delete from record_tags where device = ? and seq = ?').run(device, seq);
    db.prepare('delete from records where device = ? and seq = ?').run(device, seq);
    const leaves = leavesOf(db);
    const gone = leaves.findIndex((l) => l.device === device && l.seq === seq);
    rewriteLog(db, leaves.filter((_, i) => i !== gone), gone);
  });
}

/** Changes the weight in record `seq` of `device` (its signature kept: the operator has no device key) and its leaf. */
function changeRecord(dbFile: string, device: string, seq: number): void {
  withDb(dbFile, (db) => {
    const row = db.prepare('select bytes, signature from records where device = ? and seq = ?').get(device, seq) as { bytes: Buffer; signature: Buffer };
    const bytes = Buffer.from(row.bytes.toString('utf8').replace(/"value":(\d+)/, (_m, v: string) => `"value":${Number(v) - 100}`), 'utf8');
    const hash = toHex(sha256(Buffer.concat([Buffer.from('wastetrail/record/v1\n'), bytes])));
    db.prepare('update records set bytes = ?, hash = ? where device = ? and seq = ?').run(bytes, hash, device, seq);
    const leaves = leavesOf(db);
    const changed = leaves.findIndex((l) => l.device === device && l.seq === seq);
    leaves[changed]!.entry = Buffer.from(recordLogEntry({ bytes, signature: row.signature }));
    rewriteLog(db, leaves, changed);
  });
}

/** Cuts the log back to `size` leaves. */
function rollBack(dbFile: string, size: number): void {
  withDb(dbFile, (db) => rewriteLog(db, leavesOf(db).slice(0, size), size));
}

describe('tampering with a running server is caught by a witness and by an edge audit', () => {
  /** The station sends 5 records, the server signs them, the witness cosigns and the station audits: all pass. */
  async function witnessedRig() {
    const r = await rig();
    await r.station.send(5);
    await checkpointSigned(r.server, 5);
    const cosigned = await r.witness.round(r.server.httpUrl, r.server.logKey);
    expect(cosigned, cosigned.stderr).toMatchObject({ code: 0, stdout: expect.stringContaining('cosigned log.wastetrail.example/tampered 5\n') });
    const audited = await r.station.audit();
    expect(audited.stdout).toMatch(/^OK checkpoint size 5 \(held before: 0\); 5 record\(s\) proven/);
    return r;
  }

  it('a deleted record, the log rebuilt without it and grown past its old size: CHECKPOINT_INCONSISTENT and LOG_FORKED', async () => {
    const r = await witnessedRig();
    deleteRecord(r.dbFile, r.station.id.deviceId, 2);
    await r.station.send(2);
    await checkpointSigned(r.server, 6);
    const refused = await r.witness.round(r.server.httpUrl, r.server.logKey);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^wastetrail witness: refused: CHECKPOINT_INCONSISTENT: the tree of 6 leaves is not shown to extend the cosigned one of 5/m);
    const audit = await r.station.audit();
    expect(audit.code).toBe(1);
    expect(audit.stdout).toMatch(/^LOG_FORKED size 6 does not extend size 5/);
  });

  it('a changed record, its leaf rewritten and the same size signed again: CHECKPOINT_FORK and LOG_FORKED', async () => {
    const r = await witnessedRig();
    const before = (await r.server.store.latestCheckpoint())!.note;
    changeRecord(r.dbFile, r.station.id.deviceId, 3);
    await expect.poll(async () => (await r.server.store.latestCheckpoint())?.note !== before, { timeout: 15_000 }).toBe(true);
    const refused = await r.witness.round(r.server.httpUrl, r.server.logKey);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^wastetrail witness: refused: CHECKPOINT_FORK: the log's checkpoint of 5 leaves has root /m);
    const audit = await r.station.audit();
    expect(audit.code).toBe(1);
    expect(audit.stdout).toMatch(/^LOG_FORKED two roots signed for size 5/);
  });

  it('the log rolled back: CHECKPOINT_ROLLBACK and LOG_ROLLED_BACK', async () => {
    const r = await witnessedRig();
    rollBack(r.dbFile, 3);
    await checkpointSigned(r.server, 3);
    const refused = await r.witness.round(r.server.httpUrl, r.server.logKey);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^wastetrail witness: refused: CHECKPOINT_ROLLBACK: the log's checkpoint has 3 leaves, fewer than the 5 this witness cosigned/m);
    const audit = await r.station.audit();
    expect(audit.code).toBe(1);
    expect(audit.stdout).toMatch(/^LOG_ROLLED_BACK the log signs size 3, but signed size 5 before/);
  });

  it('two trees served to two clients (a copy of the store and key run as a second server): each client, shown the other tree, refuses it', async () => {
    const r = await rig();
    await r.station.send(3);
    await checkpointSigned(r.server, 3);
    // The operator copies the running store and the log key into a second server: one history, two futures.
    const t = tempDir('wt-tamper-fork-');
    cleanups.push(t.cleanup);
    const copy = join(t.dir, 'copy.db');
    const source = new Database(r.dbFile);
    source.exec(`vacuum into '${copy}'`);
    source.close();
    const other = witness();
    const second = await startLogServer(t.dir, other.vkey, (dbFile, dataDir) => {
      mkdirSync(dirname(dbFile), { recursive: true });
      copyFileSync(copy, dbFile);
      mkdirSync(join(dataDir, 'log'), { recursive: true });
      copyFileSync(join(r.dataDir, 'log', 'log-key.pem'), join(dataDir, 'log', 'log-key.pem'));
    });
    expect(second.server.logKey).toBe(r.server.logKey);

    // Each client asks one address; the operator decides which tree answers there.
    const views = [await splitView(r.server.httpUrl), await splitView(second.server.httpUrl)];
    // Client 1: the first station and witness, shown the first server. Client 2: a second station and another witness, shown the second.
    r.station.writeConfig(views[0]!.url);
    const station2 = await connectStation(second.server, testIdentity(), views[1]!.url);
    await r.station.send(2);
    await station2.send(2);
    await checkpointSigned(r.server, 5);
    await checkpointSigned(second.server, 5);
    expect((await r.server.store.latestCheckpoint())!.note).not.toBe((await second.server.store.latestCheckpoint())!.note);

    // As long as each client sees only its own tree, each is consistent: the split view holds.
    const own1 = await r.witness.round(views[0]!.url, r.server.logKey);
    expect(own1.code, own1.stderr).toBe(0);
    expect((await r.station.audit()).stdout).toMatch(/^OK checkpoint size 5 \(held before: 0\); 5 record\(s\) proven/);
    const own2 = await other.round(views[1]!.url, r.server.logKey);
    expect(own2.code, own2.stderr).toBe(0);
    expect((await station2.audit()).stdout).toMatch(/^OK checkpoint size 5 \(held before: 0\); 2 record\(s\) proven/);

    // Shown the other tree (the operator cannot keep every client apart for ever), each one refuses it.
    views[0]!.target = second.server.httpUrl;
    views[1]!.target = r.server.httpUrl;
    for (const [who, round] of [['client 1', () => r.witness.round(views[0]!.url, r.server.logKey)], ['client 2', () => other.round(views[1]!.url, r.server.logKey)]] as const) {
      const refused = await round();
      expect(refused.code, who).toBe(1);
      expect(refused.stderr, who).toMatch(/^wastetrail witness: refused: CHECKPOINT_FORK: the log's checkpoint of 5 leaves has root /m);
    }
    for (const station of [r.station, station2]) {
      const audit = await station.audit();
      expect(audit.code).toBe(1);
      expect(audit.stdout).toMatch(/^LOG_FORKED two roots signed for size 5/);
    }
    // Neither witness cosigned the other's tree.
    expect((await r.server.store.cosignaturesOf(5)).map((c) => c.witness)).toEqual([r.witness.vkey]);
    expect((await second.server.store.cosignaturesOf(5)).map((c) => c.witness)).toEqual([other.vkey]);
  });
});

/** An address whose answers come from `target` (the test moves it): what a client cannot tell apart. */
async function splitView(target: string): Promise<{ url: string; target: string }> {
  const view = { url: '', target };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = req.method === 'GET' ? undefined : Buffer.concat(chunks);
      fetch(new URL(req.url!, view.target), { method: req.method!, headers: { 'content-type': req.headers['content-type'] ?? 'text/plain' }, ...(body ? { body } : {}) })
        .then(async (answer) => {
          res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' });
          res.end(Buffer.from(await answer.arrayBuffer()));
        })
        .catch(() => res.writeHead(502).end());
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  view.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return view;
}
