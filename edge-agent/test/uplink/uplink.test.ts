/**
 * The uplink against a real broker (Mosquitto on 127.0.0.1:1883) and a test double of the server that
 * verifies and acknowledges. Each test uses its own device id, so topics never collide.
 */
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { deviceTopic, parseStatus, type CustodyEvent, type StatusMessage } from '@wastetrail/firmware-protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createCapturingLogger } from '@wastetrail/runtime';
import type { MqttConfig } from '../../src/config/config.ts';
import { Outbox } from '../../src/outbox/outbox.ts';
import { Uplink } from '../../src/uplink/uplink.ts';
import { FakeServer } from '../support/fake-server.ts';
import { mqttConfig } from '../support/mqtt-config.ts';
import { tempDir, testIdentity, type TestIdentity } from '../support/identity.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';
import { waitFor } from '../support/wait.ts';

const BROKER = { host: '127.0.0.1', port: 1883 };
/** pino's number for the error level. */
const ERROR = 50;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const sealed = (i: number): CustodyEvent => ({
  type: 'sealed',
  body: { tags: [`epc:30${i.toString(16).padStart(22, '0')}`], category: 'infectious', weight: { value: 100 + i, unit: 'g' }, department: 'ICU', staff: 'giai:0614141.100742' },
});

interface Rig {
  id: TestIdentity;
  outbox: Outbox;
  server: FakeServer;
  log: ReturnType<typeof createCapturingLogger>;
  uplink(config: MqttConfig): Uplink;
}

async function rig(serverOptions: { loseOnce?: number[] } = {}): Promise<Rig> {
  const id = testIdentity();
  const t = tempDir();
  cleanups.push(t.cleanup);
  const outbox = new Outbox(join(t.dir, 'outbox.sqlite'), { deviceId: id.deviceId, signer: id.signer });
  cleanups.push(() => outbox.close());
  const server = await FakeServer.start({ deviceId: id.deviceId, keyring: id.keyring, ...serverOptions });
  cleanups.push(() => server.close());
  const log = createCapturingLogger();
  return {
    id,
    outbox,
    server,
    log,
    uplink(config) {
      const u = new Uplink({ deviceId: id.deviceId, outbox, config, signer: id.signer, logger: log, agent: 'test' });
      cleanups.push(() => u.stop());
      return u;
    },
  };
}

async function proxy(up = true): Promise<TcpProxy> {
  const p = await startTcpProxy(BROKER, up);
  cleanups.push(() => p.close());
  return p;
}

/** Watches a device's status topic (retained birth and will). */
async function watchStatus(deviceId: string): Promise<{ messages: StatusMessage[] }> {
  const client: MqttClient = await mqtt.connectAsync('mqtt://127.0.0.1:1883', { reconnectPeriod: 0 });
  cleanups.push(() => client.endAsync());
  const messages: StatusMessage[] = [];
  client.on('message', (_t, p) => {
    const s = parseStatus(p.toString());
    if (s) messages.push(s);
  });
  await client.subscribeAsync(deviceTopic(deviceId, 'status'), { qos: 1 });
  return { messages };
}

const seqs = (server: FakeServer) => server.accepted.map((r) => r.record.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('uplink over MQTT', () => {
  it('publishes every record, applies the server acks, and announces itself online (retained)', async () => {
    const r = await rig();
    const status = await watchStatus(r.id.deviceId);
    r.outbox.appendMany(range(1, 120).map(sealed));
    const u = r.uplink(mqttConfig('mqtt://127.0.0.1:1883'));
    u.start();
    await r.server.untilHead(120);
    await waitFor(() => r.outbox.ackedSeq() === 120, 'ack 120');
    expect(seqs(r.server)).toEqual(range(1, 120));
    expect(r.server.rejected).toEqual([]);
    // Batched: 120 records in a few messages of at most 50.
    expect(u.stats.messagesPublished).toBeGreaterThanOrEqual(3);
    expect(u.stats.messagesPublished).toBeLessThan(10);
    r.outbox.append(sealed(121));
    u.notify();
    await waitFor(() => r.outbox.ackedSeq() === 121, 'ack 121');
    expect(u.status()).toMatchObject({ state: 'connected', ackedSeq: 121, headSeq: 121, backlog: 0 });
    await waitFor(() => status.messages.some((m) => m.state === 'online'), 'birth message');
    expect(status.messages.find((m) => m.state === 'online')).toMatchObject({ v: 1, agent: 'test' });
    await u.stop();
    await waitFor(() => status.messages.at(-1)?.state === 'offline', 'goodbye status');
  });

  it('broker unreachable for the whole shift, then reachable: nothing lost, order kept, all acknowledged', async () => {
    const r = await rig();
    const p = await proxy(false);
    const u = r.uplink(mqttConfig(p.url));
    u.start();
    for (let i = 1; i <= 40; i++) {
      r.outbox.append(sealed(i));
      u.notify();
    }
    await waitFor(() => u.status().attempts >= 3, 'several failed connection attempts');
    expect(u.status()).toMatchObject({ backlog: 40, ackedSeq: 0 });
    expect(['offline', 'connecting']).toContain(u.status().state);
    expect(r.server.messages).toBe(0);
    p.up();
    await r.server.untilHead(40);
    await waitFor(() => r.outbox.ackedSeq() === 40, 'ack 40');
    expect(seqs(r.server)).toEqual(range(1, 40));
    expect(r.server.rejected).toEqual([]);
    expect(u.status().state).toBe('connected');
  });

  it('after a reconnect it resends everything unacknowledged, in order; the will says offline', async () => {
    const r = await rig();
    const p = await proxy();
    const status = await watchStatus(r.id.deviceId);
    const u = r.uplink(mqttConfig(p.url));
    u.start();
    r.server.pause();
    r.outbox.appendMany(range(1, 30).map(sealed));
    u.notify();
    await waitFor(() => u.stats.recordsPublished >= 30, 'first send');
    expect(r.outbox.ackedSeq()).toBe(0);
    // The link dies without a DISCONNECT: the broker publishes the will.
    p.down();
    await waitFor(() => status.messages.some((m) => m.state === 'offline'), 'will message');
    r.server.resume();
    p.up();
    await r.server.untilHead(30);
    await waitFor(() => r.outbox.ackedSeq() === 30, 'ack 30');
    expect(seqs(r.server)).toEqual(range(1, 30));
    expect(u.stats.recordsPublished).toBeGreaterThanOrEqual(60);
    expect(u.stats.reconnects).toBeGreaterThanOrEqual(2);
  });

  it('honours a resend command for records the server lost', async () => {
    const r = await rig({ loseOnce: [7, 8] });
    r.outbox.appendMany(range(1, 20).map(sealed));
    // Password mode, as with a Mosquitto that has a password per device (this one takes any).
    const u = r.uplink(mqttConfig('mqtt://127.0.0.1:1883', { batch: { maxRecords: 5, maxBytes: 65_536 }, auth: { mode: 'password', username: r.id.deviceId, password: 'not-checked-here' } }));
    u.start();
    await r.server.untilHead(20);
    await waitFor(() => r.outbox.ackedSeq() === 20, 'ack 20');
    expect(r.server.resendRequests[0]).toEqual({ from: 7, to: 8 });
    expect(u.stats.resendCommands).toBeGreaterThanOrEqual(1);
    expect(seqs(r.server)).toEqual(range(1, 20));
  });

  it('sends again from the last ack when acks stop coming (a lost tail)', async () => {
    const r = await rig({ loseOnce: [5] });
    r.outbox.appendMany(range(1, 5).map(sealed));
    const u = r.uplink(mqttConfig('mqtt://127.0.0.1:1883', { ackTimeoutSeconds: 1 }));
    u.start();
    // Seq 5 vanished and nothing follows it, so the server cannot see a gap: only the ack timeout helps.
    await r.server.untilHead(5);
    await waitFor(() => r.outbox.ackedSeq() === 5, 'ack 5');
    expect(u.stats.ackTimeouts).toBeGreaterThanOrEqual(1);
  });

  it('logs loudly and does not move on when the server acks a different hash', async () => {
    const r = await rig();
    r.server.pause();
    const recs = r.outbox.appendMany(range(1, 3).map(sealed));
    const u = r.uplink(mqttConfig('mqtt://127.0.0.1:1883'));
    u.start();
    await waitFor(() => u.status().state === 'connected', 'connected');
    await r.server.publishAck(2, recs[2]!.hash);
    await waitFor(() => u.status().conflict !== undefined, 'conflict');
    expect(r.outbox.ackedSeq()).toBe(0);
    const line = r.log.lines.find((l) => l.level === ERROR);
    expect(line?.msg).toMatch(/^ACK HASH MISMATCH/);
    expect(line).toMatchObject({ seq: 2, ours: recs[1]!.hash, theirs: recs[2]!.hash });
    await r.server.publishAck(9, recs[2]!.hash);
    await waitFor(() => r.log.lines.some((l) => l.msg.startsWith('ACK BEYOND OUR CHAIN')), 'beyond-head error');
    expect(r.outbox.ackedSeq()).toBe(0);
  });

  it('drains a large backlog with a bounded window while new records keep coming', async () => {
    const r = await rig();
    const BACKLOG = 20_000;
    for (let i = 0; i < BACKLOG; i += 5000) r.outbox.appendMany(range(i + 1, i + 5000).map(sealed));
    const config = mqttConfig('mqtt://127.0.0.1:1883', { window: 8, batch: { maxRecords: 200, maxBytes: 131_072 } });
    const u = r.uplink(config);
    const started = performance.now();
    u.start();
    // New weighings during the drain: committed behind the backlog, sent after it, in order.
    let extra = 0;
    const timer = setInterval(() => {
      if (extra < 20) {
        r.outbox.append(sealed(BACKLOG + ++extra));
        u.notify();
      }
    }, 5);
    cleanups.push(() => clearInterval(timer));
    await waitFor(() => extra === 20, 'new records during the drain', 30_000);
    await r.server.untilHead(BACKLOG + 20, 60_000);
    await waitFor(() => r.outbox.ackedSeq() === BACKLOG + 20, 'everything acknowledged', 30_000);
    const seconds = (performance.now() - started) / 1000;
    expect(seqs(r.server)).toEqual(range(1, BACKLOG + 20));
    expect(r.server.rejected).toEqual([]);
    expect(u.stats.maxInFlight).toBeLessThanOrEqual(config.window);
    expect(u.stats.maxUnacked).toBeLessThanOrEqual(config.window * config.batch.maxRecords * 2);
    console.info(`backlog drain: ${BACKLOG + 20} records in ${seconds.toFixed(1)} s (${Math.round((BACKLOG + 20) / seconds)} records/s incl. verification), ${u.stats.messagesPublished} messages`);
  });
});
