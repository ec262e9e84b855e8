/**
 * Receipts and the light witness against the real server: the agent's uplink stores the leaf index each
 * ack carries, `wastetrail-edge audit` proves its records in the server's signed checkpoints, and fails
 * with the right code when the server's store is rolled back underneath it. Forks, swapped leaves and a
 * checkpoint of another key come from a small fake log built on firmware-protocol's MemoryTree. The
 * running agent audits on its schedule, logs the alarm and counts it in its metrics.
 */
import Database from 'better-sqlite3';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  ed25519Signer,
  formatCheckpoint,
  generateEd25519KeyPair,
  MemoryTree,
  noteSigner,
  noteVerifierKey,
  recordLeafHash,
  sha256,
  signNote,
  toBase64,
  utf8,
  verifierKeyString,
  type CustodyEvent,
} from '@wastetrail/firmware-protocol';
import { createCapturingLogger } from '@wastetrail/runtime';
import { parseServerConfig, startServer, type RunningServer } from '@wastetrail/server';
import { afterEach, describe, expect, it } from 'vitest';
import { startAgent } from '../../src/agent.ts';
import { parseConfig } from '../../src/config/config.ts';
import { Outbox } from '../../src/outbox/outbox.ts';
import { Uplink } from '../../src/uplink/uplink.ts';
import { cli } from '../support/cli.ts';
import { minimalConfig } from '../support/minimal-config.ts';
import { tempDir, testIdentity, writeIdentityFiles, type TestIdentity } from '../support/identity.ts';
import { mqttConfig } from '../support/mqtt-config.ts';
import { simulatedDevices, stationConfig } from '../support/station-rig.ts';
import { waitFor } from '../support/wait.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const sealed = (i: number): CustodyEvent => ({
  type: 'sealed',
  body: { tags: [`epc:30${i.toString(16).padStart(22, '0')}`], category: 'pathological', weight: { value: 300 + i, unit: 'g' }, department: 'ICU', staff: 'giai:0614141.100742' },
});

/** The station's directory: its key, config (with the log to audit) and outbox. */
function station(id: TestIdentity, logUrl: string, logKey: string) {
  const t = tempDir('wt-witness-');
  cleanups.push(t.cleanup);
  writeIdentityFiles(id, t.dir);
  const config = join(t.dir, 'edge.json');
  writeFileSync(
    config,
    JSON.stringify({ ...minimalConfig(), deviceId: id.deviceId, keyFile: 'device.key', log: { level: 'info' }, verifiableLog: { url: logUrl, key: logKey } }),
  );
  const outbox = new Outbox(join(t.dir, 'data', 'outbox.sqlite'), { deviceId: id.deviceId, signer: id.signer });
  cleanups.push(() => outbox.close());
  return { config, outbox };
}

async function realServer(id: TestIdentity): Promise<{ server: RunningServer; dbFile: string }> {
  const t = tempDir('wt-witness-server-');
  cleanups.push(t.cleanup);
  const config = parseServerConfig(
    JSON.stringify({
      mqtt: { mode: 'embedded', gateway: { tcp: { port: 0, host: '127.0.0.1' } } },
      http: { port: 0 },
      ingest: { verifyWorkers: 0 },
      alerting: { tickMs: 3600_000 },
      verifiableLog: { checkpointIntervalMs: 100 },
    }),
    t.dir,
  );
  const server = await startServer(config, { logger: createCapturingLogger('warn', 'wastetrail-server') });
  cleanups.push(() => server.close());
  const store = server.store;
  await store.upsertJurisdiction({ id: 'hz', parent: null, level: 'city', name: 'Hangzhou' });
  await store.upsertInstitution({ id: 'hz-h001', name: 'City Hospital No. 1', kind: 'hospital', jurisdiction: 'hz' });
  await store.registerDevice({ id: id.deviceId, institution: 'hz-h001', stations: ['department'], keys: [{ publicKey: toBase64(id.signer.publicKeySpki) }] });
  await server.reloadKeyring();
  if (config.storage.driver !== 'sqlite') throw new Error('this test edits the SQLite file');
  return { server, dbFile: config.storage.file };
}

/** What an operator with the database file can do: cut the log back to `size` leaves; the server then signs that. */
function rollBack(dbFile: string, size: number): void {
  const db = new Database(dbFile);
  try {
    db.transaction(() => {
      db.prepare('delete from log_checkpoints where size > ?').run(size);
      db.prepare('delete from log_leaves where idx >= ?').run(size);
      db.prepare('delete from log_nodes where (idx + 1) * (1 << level) > ?').run(size);
      db.prepare('update log_head set size = ?').run(size);
    })();
  } finally {
    db.close();
  }
}

const checkpointSize = async (server: RunningServer) => (await server.store.latestCheckpoint())?.size ?? 0;

describe('receipts and the light witness, against the real server', () => {
  it('keeps the leaf of every acknowledged record, proves them with audit, and alarms LOG_ROLLED_BACK when the store is rolled back', async () => {
    const id = testIdentity();
    const { server, dbFile } = await realServer(id);
    const { config, outbox } = station(id, server.httpUrl, server.logKey);
    const uplink = new Uplink({ deviceId: id.deviceId, outbox, config: mqttConfig(server.mqttUrl!, { auth: { mode: 'device-token' } }), signer: id.signer, logger: createCapturingLogger() });
    cleanups.push(() => uplink.stop());
    uplink.start();

    outbox.appendMany([1, 2, 3, 4, 5].map(sealed));
    await waitFor(() => outbox.ackedSeq() === 5, 'ack of seq 5');
    // The receipts the acks carried are the leaves the server's store sequenced the records at.
    const indexes = await server.store.logIndexes([1, 2, 3, 4, 5].map((seq) => ({ device: id.deviceId, seq })));
    await waitFor(() => outbox.receipt(5) !== undefined, 'the receipt of seq 5');
    expect([1, 2, 3, 4, 5].map((seq) => outbox.receipt(seq)?.leaf)).toEqual(indexes);
    expect(outbox.receipt(1)?.checkpointSize).toBeNull();

    // Audit: the checkpoint is signed by the log's key, and every record is in it.
    await expect.poll(() => checkpointSize(server), { timeout: 10_000 }).toBe(5);
    const first = await cli('audit', '--config', config);
    expect(first.stdout).toMatch(/^OK checkpoint size 5 \(held before: 0\); 5 record\(s\) proven/);
    expect(first.code).toBe(0);
    expect(outbox.receipt(3)?.checkpointSize).toBe(5);

    // More records: the next audit checks the log still extends the checkpoint held, and proves the new ones.
    outbox.appendMany([6, 7, 8].map(sealed));
    uplink.notify();
    await waitFor(() => outbox.receipt(8) !== undefined, 'the receipt of seq 8');
    await expect.poll(() => checkpointSize(server), { timeout: 10_000 }).toBe(8);
    const second = await cli('audit', '--config', config);
    expect(second.stdout).toMatch(/^OK checkpoint size 8 \(held before: 5\); 3 record\(s\) proven/);
    expect(second.code).toBe(0);

    // The operator rolls the log back to 6 leaves, straight in the SQLite file, and the server signs that.
    await uplink.stop();
    rollBack(dbFile, 6);
    await expect.poll(() => checkpointSize(server), { timeout: 10_000 }).toBe(6);
    const rolled = await cli('audit', '--config', config);
    expect(rolled.stdout).toMatch(/^LOG_ROLLED_BACK the log signs size 6, but signed size 8 before/);
    expect(rolled.code).toBe(1);
    const errorLine = rolled.stderr.split('\n').find((l) => l.includes('LOG AUDIT FAILED'));
    expect(JSON.parse(errorLine!)).toMatchObject({ level: 50, code: 'LOG_ROLLED_BACK', device: id.deviceId });
    // A failure does not move the held checkpoint: the alarm stays until someone looks.
    expect((await cli('audit', '--config', config)).stdout).toMatch(/^LOG_ROLLED_BACK/);
  });
});

/** A log served the way the server serves it (checkpoint, inclusion, consistency), from a MemoryTree the test controls. */
async function fakeLog() {
  const origin = 'log.wastetrail.example/fake';
  const pair = generateEd25519KeyPair();
  const signer = noteSigner(origin, ed25519Signer(pair.privateKeyPem));
  const state = { tree: new MemoryTree(), signer };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    const { tree } = state;
    const json = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (url.pathname === '/log/v1/checkpoint') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(signNote(formatCheckpoint({ origin, size: tree.size, root: tree.root() }), state.signer));
    } else if (url.pathname === '/api/v1/log/inclusion') {
      const index = Number(url.searchParams.get('index'));
      const size = Number(url.searchParams.get('size'));
      json({ index, size, hashes: tree.inclusionProof(index, size).map(toBase64) });
    } else if (url.pathname === '/api/v1/log/consistency') {
      const from = Number(url.searchParams.get('from'));
      const to = Number(url.searchParams.get('to'));
      json({ from, to, hashes: tree.consistencyProof(from, to).map(toBase64) });
    } else res.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => new Promise((r) => server.close(r)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, key: verifierKeyString(noteVerifierKey(origin, pair.publicKeySpki)), state, origin };
}

/** A leaf of someone else's record. */
const otherLeaf = (i: number) => sha256(utf8(`another record ${i}`));

describe('the light witness against a misbehaving log', () => {
  /** A station whose records 1..3 the log acknowledged as leaves 2..4 (after two leaves of other devices). */
  async function acknowledged() {
    const log = await fakeLog();
    const id = testIdentity();
    const { config, outbox } = station(id, log.url, log.key);
    const records = outbox.appendMany([1, 2, 3].map(sealed));
    outbox.acknowledge(3, records[2]!.hash);
    outbox.addReceipts([1, 2, 3].map((seq) => ({ seq, index: seq + 1 })));
    return { log, config, outbox, records };
  }

  it('RECORD_NOT_IN_LOG: the log holds another leaf where the receipt put a record', async () => {
    const { log, config, records } = await acknowledged();
    for (const leaf of [otherLeaf(0), otherLeaf(1), recordLeafHash(records[0]!), otherLeaf(2), recordLeafHash(records[2]!)]) log.state.tree.append(leaf);
    const r = await cli('audit', '--config', config);
    expect(r.stdout).toMatch(/^RECORD_NOT_IN_LOG record 2 is not leaf 3 of the tree of size 5: ROOT_MISMATCH/);
    expect(r.code).toBe(1);
  });

  it('LOG_FORKED: a later checkpoint that does not extend the one held, or another root at its size', async () => {
    const { log, config, records } = await acknowledged();
    const honest = [otherLeaf(0), otherLeaf(1), ...records.map(recordLeafHash)];
    for (const leaf of honest) log.state.tree.append(leaf);
    expect((await cli('audit', '--config', config)).code).toBe(0);

    // The log rewrites leaf 0 and grows: every record of ours is still there, but history changed.
    log.state.tree = new MemoryTree();
    for (const leaf of [otherLeaf(9), ...honest.slice(1), otherLeaf(3)]) log.state.tree.append(leaf);
    const grown = await cli('audit', '--config', config);
    expect(grown.stdout).toMatch(/^LOG_FORKED size 6 does not extend size 5: ROOT_MISMATCH/);
    expect(grown.code).toBe(1);

    log.state.tree = new MemoryTree();
    for (const leaf of [otherLeaf(9), ...honest.slice(1)]) log.state.tree.append(leaf);
    expect((await cli('audit', '--config', config)).stdout).toMatch(/^LOG_FORKED two roots signed for size 5/);
  });

  it('CHECKPOINT_INVALID: a checkpoint signed by a key other than the configured one', async () => {
    const { log, config } = await acknowledged();
    log.state.tree.append(otherLeaf(0));
    log.state.signer = noteSigner(log.origin, ed25519Signer(generateEd25519KeyPair().privateKeyPem));
    const r = await cli('audit', '--config', config);
    expect(r.stdout).toMatch(/^CHECKPOINT_INVALID NO_TRUSTED_SIGNATURE/);
    expect(r.code).toBe(1);
  });

  it('LOG_UNREACHABLE when nothing answers; receipts beyond the checkpoint wait for a later one', async () => {
    const { log, config, outbox, records } = await acknowledged();
    for (const leaf of [otherLeaf(0), otherLeaf(1), recordLeafHash(records[0]!)]) log.state.tree.append(leaf);
    const partial = await cli('audit', '--config', config);
    expect(partial.stdout).toMatch(/^OK checkpoint size 3 \(held before: 0\); 1 record\(s\) proven in it, 2 waiting/);
    expect([1, 2, 3].map((seq) => outbox.receipt(seq)?.checkpointSize)).toEqual([3, null, null]);

    const dead = station(testIdentity(), 'http://127.0.0.1:1', log.key);
    const r = await cli('audit', '--config', dead.config);
    expect(r.stdout).toMatch(/^LOG_UNREACHABLE/);
    expect(r.code).toBe(1);
  });
});

describe('the running agent audits on a schedule', () => {
  it('passes while the log holds its records, then logs LOG AUDIT FAILED and counts LOG_ROLLED_BACK in its metrics', async () => {
    const id = testIdentity();
    const { server, dbFile } = await realServer(id);
    const t = tempDir('wt-witness-agent-');
    cleanups.push(t.cleanup);
    const { keyFile } = writeIdentityFiles(id, t.dir);
    const devices = await simulatedDevices();
    cleanups.push(() => devices.close());
    const config = parseConfig(
      {
        ...stationConfig({ deviceId: id.deviceId, keyFile, dataDir: join(t.dir, 'data'), scalePath: devices.scalePty.devicePath, readerPath: devices.readerPty.devicePath, mqttUrl: server.mqttUrl! }),
        mqtt: { url: server.mqttUrl!, auth: { mode: 'device-token' }, reconnect: { minMs: 50, maxMs: 300 } },
        metrics: { port: 0 },
        verifiableLog: { url: server.httpUrl, key: server.logKey, auditMinutes: 0.002 },
      },
      t.dir,
    );
    const log = createCapturingLogger('info');
    const agent = await startAgent(config, { logger: log });
    cleanups.push(() => agent.stop());
    const audits = async (outcome: string) => {
      const text = await (await fetch(agent.metricsUrl!)).text();
      const line = text.split('\n').find((l) => l.startsWith(`wastetrail_edge_log_audits_total{outcome="${outcome}"} `));
      return line === undefined ? 0 : Number(line.split(' ')[1]);
    };

    for (let i = 0; i < 3; i++) agent.heartbeat();
    await expect.poll(() => agent.outbox.receipt(3)?.checkpointSize, { timeout: 15_000 }).toBe(3);
    expect(await audits('passed')).toBeGreaterThan(0);
    expect(await audits('LOG_ROLLED_BACK')).toBe(0);

    rollBack(dbFile, 1);
    await expect.poll(() => audits('LOG_ROLLED_BACK'), { timeout: 15_000 }).toBeGreaterThan(0);
    const alarm = log.lines.find((l) => l.msg.startsWith('LOG AUDIT FAILED LOG_ROLLED_BACK'));
    expect(alarm).toMatchObject({ level: 50, component: 'witness', code: 'LOG_ROLLED_BACK', device: id.deviceId });
  });
});

