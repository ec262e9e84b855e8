/**
 * Alerting end to end, on real stores, with a driven clock: stations publish signed records through the
 * embedded gateway, ingest commits them, the bag projection and the rules follow, and ticks at chosen
 * times open, raise and escalate alerts in the one alert book, which people acknowledge and resolve.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { deviceAuthToken, deviceTopic, encodeEnvelope, type DecodedRecord } from '@wastetrail/firmware-protocol';
import { startGateway, type Gateway } from '@wastetrail/gateway';
import { silentLogger } from '@wastetrail/runtime';
import { startAlerting, type Alerting, type AlertNotice } from '../../src/alerting/index.ts';
import { startIngest, type Ingest } from '../../src/ingest/index.ts';
import { ruleConfig } from '../../src/rules/index.ts';
import type { CustodyStore } from '../../src/store/index.ts';
import { eventually } from '../ingest/support.ts';
import { TEST_SETTINGS } from '../ingest/scenarios.ts';
import { epc, registerStations, seal, seedWorld, Station, stations, stored } from '../bags/support.ts';
import { openFreshPg, openTempSqlite, pgReachable, type TestStore } from '../store/open.ts';

const H = 3_600_000;
const MIN = 60_000;
const T = Date.parse('2026-03-02T02:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const available = await pgReachable();

let gateway: Gateway;
beforeAll(async () => {
  gateway = await startGateway({ keyring: { devices: new Map() }, tcp: { port: 0, host: '127.0.0.1' }, logger: silentLogger });
});
afterAll(async () => {
  await gateway.close();
});

interface Stack {
  store: CustodyStore;
  ingest: Ingest;
  alerting: Alerting;
  notices: AlertNotice[];
  /** The driven clock. */
  now: number;
  publish(station: Station, records: DecodedRecord[] | string): Promise<void>;
  /** Waits until the device's records up to `seq` are committed and everything after them has run. */
  settle(station: Station, seq: number): Promise<void>;
  close(): Promise<void>;
}

async function stack(opened: TestStore, all: Record<string, Station>): Promise<Stack> {
  const { store } = opened;
  await seedWorld(store);
  await registerStations(store, all);
  const keyring = await store.keyring();
  gateway.setKeyring(keyring);
  const client = gateway.connectServerClient();
  const ingest = await startIngest({ client, store, keyring, settings: TEST_SETTINGS, logger: silentLogger });
  const notices: AlertNotice[] = [];
  const devices = new Map<string, mqtt.MqttClient>();
  const s: Stack = {
    store,
    ingest,
    notices,
    now: T,
    alerting: await startAlerting({ store, ingest, ruleConfig: ruleConfig(), clock: () => s.now, tickMs: 0, onEffects: (n) => void notices.push(...n), logger: silentLogger }),
    async publish(station, records) {
      let device = devices.get(station.id);
      if (!device) {
        device = await mqtt.connectAsync(gateway.addresses.tcp!.url, {
          clientId: station.id,
          username: station.id,
          password: deviceAuthToken(station.id, station.signer, Date.now()),
          protocolVersion: 4,
          reconnectPeriod: 0,
        });
        devices.set(station.id, device);
      }
      const payload = typeof records === 'string' ? records : records.map((r) => encodeEnvelope(r)).join('\n');
      await device.publishAsync(deviceTopic(station.id, 'records'), payload, { qos: 1 });
    },
    async settle(station, seq) {
      await eventually(async () => (await store.deviceStatus(station.id))?.ackedSeq === seq, `${station.id} acked up to ${seq}`);
      await ingest.drain();
      await s.alerting.idle();
    },
    async close() {
      await s.alerting.close();
      await ingest.close();
      await client.endAsync();
      for (const d of devices.values()) await d.endAsync();
      await opened.cleanup();
    },
  };
  return s;
}

const effects = (notices: readonly AlertNotice[], key: string) => notices.filter((n) => n.alert.dedupeKey === key).map((n) => n.effect.kind + ('level' in n.effect ? `:${n.effect.level}` : '') + ('severity' in n.effect ? `:${n.effect.severity}` : ''));

function alertingScenarios(open: () => Promise<TestStore>): void {
  it('a bag stored and not picked up: a warning at 36 h, the same alert critical at 48 h, escalated while nobody answers, then acknowledged and resolved', async () => {
    const st = stations();
    const s = await stack(await open(), st);
    try {
      const bag = epc(1);
      const key = `storage-overdue:bag:${bag}`;
      s.now = T + 5 * MIN;
      const sealed = st.ward.sign(seal([bag], 1200), T - 2 * H);
      const storedRecord = st.store.sign(stored([{ tag: bag, grams: 1195 }], 1195), T);
      await s.publish(st.ward, [sealed]);
      await s.publish(st.store, [storedRecord]);
      await s.settle(st.ward, 1);
      await s.settle(st.store, 1);
      expect(await s.store.bag(bag)).toMatchObject({ state: 'stored', institution: 'hz-h001', sealedGrams: 1200, lastStepAt: iso(T) });

      const storageAlerts = () => s.store.alerts({ rule: 'storage-overdue' });
      await s.alerting.tick(T + 35 * H + 59 * MIN);
      expect(await storageAlerts()).toEqual([]);

      s.now = T + 36 * H;
      const opened = await s.alerting.tick();
      expect(opened.bags).toBe(1);
      expect(effects(opened.notices, key)).toEqual(['opened:1:warning']);
      const [warning] = await storageAlerts();
      expect(warning).toMatchObject({
        severity: 'warning',
        currentSeverity: 'warning',
        status: 'open',
        escalationLevel: 1,
        dedupeKey: key,
        subject: `bag:${bag}`,
        bag,
        institution: 'hz-h001',
        jurisdiction: 'hz-xh-g01',
        messageKey: 'storage-overdue',
        params: { bag, hours: 36, limitHours: 48, room: 'STORE-1' },
        openedAt: iso(T + 36 * H),
        since: iso(T),
        evidence: [{ device: st.store.id, seq: 1, hash: storedRecord.hash }],
        occurrences: 1,
      });
      expect(warning!.title).toMatch(/storage/i);

      // Warnings go to the institution head after 8 h unacknowledged.
      const head = await s.alerting.tick(T + 44 * H);
      expect(effects(head.notices, key)).toEqual(['escalated:2:warning']);

      // 48 h: the same alert rises to critical, and has waited 12 h: straight on to the regulator.
      const critical = await s.alerting.tick(T + 48 * H);
      expect(effects(critical.notices, key)).toEqual(['severity-raised:2', 'escalated:3:critical']);
      const [alert] = await storageAlerts();
      expect(alert).toMatchObject({ id: warning!.id, severity: 'critical', status: 'open', escalationLevel: 3, occurrences: 3, lastSeenAt: iso(T + 48 * H) });
      expect(alert!.details).toMatchObject({ raised: [{ from: 'warning', to: 'critical', at: iso(T + 48 * H) }], escalations: [{ level: 2, at: iso(T + 44 * H) }, { level: 3, at: iso(T + 48 * H) }] });

      // People answer.
      s.now = T + 49 * H;
      const acked = await s.alerting.acknowledge(alert!.id, 'keeper-7', 'crew called, pickup at noon');
      expect(acked).toMatchObject({ ok: true, alert: { status: 'acknowledged', acknowledgedBy: 'keeper-7', acknowledgedAt: iso(T + 49 * H), acknowledgeNote: 'crew called, pickup at noon' } });
      expect(await s.alerting.acknowledge(alert!.id, 'keeper-8')).toMatchObject({ ok: false, error: { code: 'ALREADY_ACKNOWLEDGED' } });
      expect(await s.alerting.resolve(alert!.id, 'head-1', '   ')).toMatchObject({ ok: false, error: { code: 'NOTE_REQUIRED' } });
      s.now = T + 50 * H;
      const resolved = await s.alerting.resolve(alert!.id, 'head-1', 'Crew came late: contract reminder sent.');
      expect(resolved).toMatchObject({ ok: true, alert: { status: 'resolved', resolvedBy: 'head-1', resolvedAt: iso(T + 50 * H), note: 'Crew came late: contract reminder sent.', acknowledgeNote: 'crew called, pickup at noon' } });
      expect(await s.alerting.resolve(alert!.id, 'head-1', 'again')).toMatchObject({ ok: false, error: { code: 'ALREADY_RESOLVED' } });
      expect(await s.alerting.acknowledge(987_654, 'keeper-7')).toMatchObject({ ok: false, error: { code: 'ALERT_NOT_FOUND' } });

      // Resolved stays resolved while the bag still waits: no second alert.
      await s.alerting.tick(T + 51 * H);
      expect((await storageAlerts()).map((a) => [a.id, a.status])).toEqual([[alert!.id, 'resolved']]);
      expect(effects(s.notices, key)).toEqual(['opened:1:warning', 'escalated:2:warning', 'severity-raised:2', 'escalated:3:critical', 'acknowledged', 'resolved']);
    } finally {
      await s.close();
    }
  });

  it('a forged record through ingest lands in the same book: critical integrity alert, announced, escalated by the tick', async () => {
    const st = stations();
    const s = await stack(await open(), st);
    try {
      s.now = T;
      // A forger signs as the ward station with a key of its own; then the real station carries on.
      const forger = new Station(st.ward.id, 'hz-h001', ['department']);
      await s.publish(st.ward, [forger.sign(seal([epc(7)], 500), T)]);
      await s.publish(st.ward, [st.ward.sign(seal([epc(8)], 800), T + MIN)]);
      await s.settle(st.ward, 1);
      const key = `integrity:device:${st.ward.id}/WRONG_KEY`;
      const alerts = await s.store.alerts({ rule: 'integrity' });
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({ dedupeKey: key, severity: 'critical', status: 'open', device: st.ward.id, institution: 'hz-h001', jurisdiction: 'hz-xh-g01', params: { code: 'WRONG_KEY', seq: 1 }, openedAt: iso(T) });
      expect(effects(s.notices, key)).toEqual(['opened:1:critical']);
      // The record that did verify made its bag; the forged one made nothing.
      expect((await s.store.searchBags({})).bags.map((b) => b.bag)).toEqual([epc(8)]);

      const tick = await s.alerting.tick(T + 61 * MIN);
      expect(effects(tick.notices, key)).toEqual(['escalated:2:critical']);
      expect(await s.alerting.acknowledge(alerts[0]!.id, 'it-admin')).toMatchObject({ ok: true, alert: { status: 'acknowledged', escalationLevel: 2 } });
    } finally {
      await s.close();
    }
  });
}

describe('alerting on SQLite', () => {
  alertingScenarios(openTempSqlite);
});

describe('alerting on PostgreSQL', () => {
  // A needed tool or service missing is a failure, not a skip: CI always has it.
  beforeAll(() => {
    if (!(available)) throw new Error('PostgreSQL is not reachable at 127.0.0.1:5432 (database test): these tests need it, as the README says');
  });
  alertingScenarios(openFreshPg);
});
