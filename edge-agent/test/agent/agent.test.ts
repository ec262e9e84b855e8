/**
 * End to end in one process: simulated scale and reader on real ptys, the agent with the real
 * serialport binding, Mosquitto on loopback, and the server's test double verifying and acknowledging.
 */
import { join } from 'node:path';
import { WASTE_CATEGORIES } from '@wastetrail/firmware-protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createCapturingLogger } from '@wastetrail/runtime';
import { startAgent, type Agent } from '../../src/agent.ts';
import { parseConfig } from '../../src/config/config.ts';
import { FakeServer } from '../support/fake-server.ts';
import { tempDir, testIdentity, writeIdentityFiles } from '../support/identity.ts';
import { bagTag, NURSE, RFID_LOST_AFTER_MS, RFID_POLL_MS, simulatedDevices, stationConfig, type SimulatedDevices } from '../support/station-rig.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';
import { waitFor } from '../support/wait.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function station(mqttUrl: string) {
  const id = testIdentity(['department']);
  const t = tempDir();
  cleanups.push(t.cleanup);
  const { keyFile } = writeIdentityFiles(id, t.dir);
  const devices = await simulatedDevices();
  cleanups.push(() => devices.close());
  const server = await FakeServer.start({ deviceId: id.deviceId, keyring: id.keyring });
  cleanups.push(() => server.close());
  const config = parseConfig(
    { ...stationConfig({ deviceId: id.deviceId, keyFile, dataDir: join(t.dir, 'data'), scalePath: devices.scalePty.devicePath, readerPath: devices.readerPty.devicePath, mqttUrl }), metrics: { port: 0 } },
    t.dir,
  );
  const log = createCapturingLogger('info');
  const agent = await startAgent(config, { logger: log });
  cleanups.push(() => agent.stop());
  return { id, devices, server, agent, log };
}

/** One sample of the agent's /metrics, scraped over HTTP as Prometheus does. */
async function scrape(agent: Agent, sample: string): Promise<number> {
  const res = await fetch(agent.metricsUrl!);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  const text = await res.text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  if (!line) throw new Error(`no ${sample} in /metrics:\n${text}`);
  return Number(line.slice(sample.length + 1));
}

/** Waits until the reader has certainly reported a tag or badge that left the field as gone. */
async function untilForgotten(agent: Agent): Promise<void> {
  const start = agent.devices.reader.stats.inventories;
  const needed = Math.ceil(RFID_LOST_AFTER_MS / RFID_POLL_MS) + 2;
  await waitFor(() => agent.devices.reader.stats.inventories >= start + needed, 'the reader to forget');
}

/** One bag through the department workflow, as a nurse does it; the category comes from the kiosk. */
async function sealBag(agent: Agent, devices: SimulatedDevices, i: number, grams: number): Promise<void> {
  const committedBefore = agent.station.last?.seq ?? 0;
  const tag = bagTag(i);
  await devices.bagEnters(tag);
  await waitFor(() => agent.station.step === 'category', `bag ${i}: category step`);
  const res = await fetch(new URL('/api/command', agent.kioskUrl), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ type: 'category', category: WASTE_CATEGORIES[i % WASTE_CATEGORIES.length] }),
  });
  expect(res.status).toBe(200);
  await devices.putBag(grams);
  await waitFor(() => agent.station.step === 'badge', `bag ${i}: badge step`);
  await devices.badgeUp(NURSE);
  await waitFor(() => (agent.station.last?.seq ?? 0) > committedBefore, `bag ${i}: sealed`);
  await devices.badgeAway(NURSE);
  await devices.bagLeaves(tag);
  await devices.removeAll();
  // The same nurse taps again for the next bag: her badge must have left the field first.
  await untilForgotten(agent);
}

describe('a department station end to end', () => {
  it('20 bags sealed through the workflow: 20 records published and acknowledged', async () => {
    const { agent, devices, server } = await station('mqtt://127.0.0.1:1883');
    const weights = Array.from({ length: 20 }, (_, i) => 500 + i * 130);
    for (let i = 0; i < 20; i++) await sealBag(agent, devices, i + 1, weights[i]!);
    await server.untilHead(20);
    await waitFor(() => agent.outbox.ackedSeq() === 20, 'all acknowledged');
    expect(server.rejected).toEqual([]);
    const records = server.accepted.map((r) => r.record);
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(records.map((r) => r.type)).toEqual(Array(20).fill('sealed'));
    expect(records.map((r) => (r.type === 'sealed' ? r.body.weight.value : 0))).toEqual(weights);
    expect(records.map((r) => (r.type === 'sealed' ? r.body.tags[0] : ''))).toEqual(weights.map((_, i) => bagTag(i + 1)));
    expect(records.every((r) => r.type === 'sealed' && r.body.staff === NURSE && r.body.department === 'ICU')).toBe(true);

    // The kiosk shows the last record and an empty backlog.
    const state = (await (await fetch(new URL('/api/state', agent.kioskUrl))).json()) as { uplink: { backlog: number; state: string }; lastRecords: { seq: number }[] };
    expect(state.uplink).toMatchObject({ backlog: 0, state: 'connected' });
    expect(state.lastRecords[0]?.seq).toBe(20);
  });

  it('a record corrected at the kiosk: the form posts it, a badge tap authorises it, the server accepts the correction naming the record', async () => {
    const { id, agent, devices, server } = await station('mqtt://127.0.0.1:1883');
    await sealBag(agent, devices, 1, 1250);
    const post = (body: unknown) => fetch(new URL('/api/command', agent.kioskUrl), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    // A record the station never wrote is refused on the screen.
    expect((await post({ type: 'correct', seq: 99, action: 'void', reason: 'x' })).status).toBe(200);
    await waitFor(() => agent.station.notice?.code === 'RECORD_NOT_FOUND', 'refused');
    expect((await post({ type: 'correct', seq: 1, action: 'amend', reason: 'scale read before the bag settled', kg: '1.3' })).status).toBe(200);
    await waitFor(() => agent.station.prompt.code === 'TAP_AUTHORISER_BADGE', 'the badge asked for');
    await devices.badgeUp(NURSE);
    await waitFor(() => agent.station.notice?.code === 'CORRECTED', 'corrected');
    await devices.badgeAway(NURSE);
    await server.untilHead(2);
    const [sealed, correction] = server.accepted;
    expect(correction?.record).toMatchObject({
      seq: 2,
      type: 'correction',
      body: { target: { device: id.deviceId, seq: 1, hash: sealed!.hash }, action: 'amend', reason: 'scale read before the bag settled', authorisedBy: NURSE, amend: { weight: { value: 1300, unit: 'g' } } },
    });
    expect(server.rejected).toEqual([]);
  });

  it('broker unreachable for the whole shift, then reachable: nothing lost, order kept, all acknowledged', async () => {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 1883 }, false);
    cleanups.push(() => proxy.close());
    const { agent, devices, server, log } = await station(proxy.url);
    for (let i = 1; i <= 5; i++) {
      await sealBag(agent, devices, i, 1000 + i);
      agent.heartbeat();
    }
    expect(agent.uplink.status()).toMatchObject({ backlog: 10, ackedSeq: 0 });
    // What a monitoring system sees of the shift: ten records waiting, the first since the first bag.
    expect(await scrape(agent, 'wastetrail_edge_outbox_depth')).toBe(10);
    const firstRecordAge = (Date.now() - Date.parse(agent.outbox.range(1, 1, 1)[0]!.time)) / 1000;
    expect(await scrape(agent, 'wastetrail_edge_outbox_oldest_unacknowledged_age_seconds')).toBeCloseTo(firstRecordAge, 0);
    expect(firstRecordAge).toBeGreaterThan(1);
    expect(await scrape(agent, 'wastetrail_edge_uplink_connected')).toBe(0);
    expect(await scrape(agent, 'wastetrail_edge_records_signed_total')).toBe(10);
    expect(await scrape(agent, 'wastetrail_edge_serial_frames_total{device="scale",outcome="accepted"}')).toBeGreaterThan(0);
    expect(await scrape(agent, 'wastetrail_edge_serial_frames_total{device="rfid",outcome="accepted"}')).toBeGreaterThan(0);
    // Each commit is a line of the outbox's, with the device and the record's seq.
    expect(log.lines.filter((l) => l.msg === 'record committed').map((l) => [l.component, l.device, l.seq])).toEqual(
      Array.from({ length: 5 }, (_, i) => ['outbox', agent.config.deviceId, 2 * i + 1]),
    );
    expect(agent.uplink.status().state).not.toBe('connected');
    expect(server.messages).toBe(0);
    const page = await (await fetch(new URL('/?lang=en', agent.kioskUrl))).text();
    expect(page).toContain('<strong class="backlog">10</strong>');
    expect(page).toContain('offline (records are kept safely');
    proxy.up();
    await server.untilHead(10);
    await waitFor(() => agent.outbox.ackedSeq() === 10, 'all acknowledged');
    expect(server.accepted.map((r) => [r.record.seq, r.record.type])).toEqual([
      [1, 'sealed'], [2, 'heartbeat'], [3, 'sealed'], [4, 'heartbeat'], [5, 'sealed'], [6, 'heartbeat'], [7, 'sealed'], [8, 'heartbeat'], [9, 'sealed'], [10, 'heartbeat'],
    ]);
    expect(server.rejected).toEqual([]);
    expect(await scrape(agent, 'wastetrail_edge_outbox_depth')).toBe(0);
    expect(await scrape(agent, 'wastetrail_edge_outbox_oldest_unacknowledged_age_seconds')).toBe(0);
    expect(await scrape(agent, 'wastetrail_edge_records_acknowledged_total')).toBe(10);
    expect(await scrape(agent, 'wastetrail_edge_records_published_total')).toBeGreaterThanOrEqual(10);
    expect(await scrape(agent, 'wastetrail_edge_uplink_connected')).toBe(1);
    expect(await scrape(agent, 'wastetrail_edge_uplink_connections_total')).toBe(1);
    expect(log.lines.find((l) => l.msg === 'connected')).toMatchObject({ component: 'uplink', device: agent.config.deviceId, resendFrom: 1 });
  });
});
