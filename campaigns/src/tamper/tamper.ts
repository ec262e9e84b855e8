/**
 * The tamper campaign (issue #18): tampered inputs through MQTT into a running server (embedded
 * gateway, ingest, alerting, SQLite) and through exports into the offline verifier (`wastetrail
 * verify`, in this process), each counted caught only when it was refused with the right code (and,
 * over MQTT, an integrity alert was raised for it), and never stored. The kinds: bit flips (signature
 * and signed bytes), dropped, reordered, replayed and duplicated records, forged devices, revoked keys,
 * a byte-order mark, non-canonical envelopes and records, records signed with another device's key,
 * and time travel.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { deviceAuthToken, deviceTopic, encodeEnvelope, KEYRING_FORMAT, seededRandom, type DecodedRecord } from '@wastetrail/firmware-protocol';
import { parseServerConfig, startServer, type RunningServer, type SqliteStore } from '@wastetrail/server';
import { runVerify } from '../../../server/src/cli/verify.ts';
import { runSoak } from '../soak/soak.ts';
import { CAMPAIGN_RATE } from '../campaign-config.ts';
import { extendChain, flipBit, newDevice, nonCanonicalEnvelope, nonCanonicalSigned, RECORD_LEVEL_CODES, stationOf, stationRecord, timeEdited, withBom, type Device } from './forge.ts';

export const MQTT_KINDS = [
  'bit-flip-signature',
  'bit-flip-record',
  'dropped',
  'reordered',
  'replayed',
  'duplicated',
  'forged-device',
  'another-device-key',
  'revoked-key',
  'byte-order-mark',
  'non-canonical-envelope',
  'non-canonical-record',
  'time-travel',
  'forged-login',
] as const;
export type MqttKind = (typeof MQTT_KINDS)[number];

/** An export carries no login: every other kind. */
export type ExportKind = Exclude<MqttKind, 'forged-login'>;
export const EXPORT_KINDS: readonly ExportKind[] = MQTT_KINDS.filter((k): k is ExportKind => k !== 'forged-login');

export interface KindCount {
  inputs: number;
  /** Refused with a right code (MQTT: and an integrity alert for it). */
  caught: number;
  /** Stored (MQTT) or verified valid (export). */
  accepted: number;
  /** Refused, but with another code, or (MQTT) no integrity alert. */
  wrong: number;
  /** Codes seen, and how often. */
  codes: Record<string, number>;
  /** A few inputs not caught, for the report. */
  examples: string[];
}

const emptyCount = (): KindCount => ({ inputs: 0, caught: 0, accepted: 0, wrong: 0, codes: {}, examples: [] });

export interface TamperOptions {
  /** Tampered inputs through MQTT. */
  mqtt: number;
  /** Tampered exports through the offline verifier. */
  exports: number;
  /** The converse: the clean city (no incidents, no kills) for this many simulated days; 0: not run. */
  cleanDays: number;
  /** Its speed (simulated seconds per real second). */
  cleanSpeed: number;
  seed: number;
  log: (line: string) => void;
}

export const TAMPER_DEFAULTS = { mqtt: 10_000, exports: 10_000, cleanDays: 30, cleanSpeed: 2880, seed: 18 } as const;
export const TAMPER_SHORT = { mqtt: 1_400, exports: 1_300, cleanDays: 1, cleanSpeed: 2880, seed: 18 } as const;

/** Integrity alerts and custody alerts raised by a clean run, where every one is a false alarm. */
export interface CleanRun {
  simDays: number;
  records: number;
  bags: number;
  /** Opened while the city ran (from its start to its stop). */
  integrityAlerts: number;
  custodyAlerts: number;
  byRule: Record<string, number>;
  /** Conditions that began while the processes were starting, or alerts opened while they stopped (seconds of real time are hours at this speed). */
  outsideRun: Record<string, number>;
  /** Nothing lost, duplicated or altered, every trail whole, and wastetrail verify exit 0. */
  whole: boolean;
}

/** The right answers, by kind (MQTT). */
const MQTT_EXPECT: Record<Exclude<MqttKind, 'forged-login' | 'dropped'>, readonly string[]> = {
  'bit-flip-signature': ['BAD_SIGNATURE'],
  'bit-flip-record': [...RECORD_LEVEL_CODES, 'TOPIC_MISMATCH'],
  reordered: ['PREV_HASH_MISMATCH'],
  replayed: ['TOPIC_MISMATCH'],
  duplicated: ['FORK'],
  'forged-device': ['WRONG_KEY'],
  'another-device-key': ['WRONG_KEY'],
  'revoked-key': ['KEY_REVOKED'],
  'byte-order-mark': ['MALFORMED_ENVELOPE'],
  'non-canonical-envelope': ['MALFORMED_ENVELOPE'],
  'non-canonical-record': ['NON_CANONICAL_RECORD'],
  'time-travel': ['BAD_SIGNATURE'],
};

interface MqttInput {
  kind: MqttKind;
  /** The device whose connection publishes it. */
  via: Device;
  payload: string;
  expect: readonly string[];
  /** The hash of the record it carries, when that record decodes: it must never be stored. */
  hash?: string;
  /** The type of the record tampered with (track, manifest-received, ...). */
  recordType: string;
}

/** Inputs and caught, by the type of the record tampered with. */
export type ByRecordType = Record<string, { inputs: number; caught: number }>;

function tally(by: ByRecordType, type: string, caught: boolean): void {
  const t = (by[type] ??= { inputs: 0, caught: 0 });
  t.inputs++;
  if (caught) t.caught++;
}

/** Genuine records each device publishes before the tampering starts; the next one is the target. */
const GENUINE = 5;
const DEVICES = 40;
const REVOKED_DEVICES = 8;
const DROP_DEVICES = 60;

export interface TamperResult {
  mqtt: Record<string, KindCount>;
  exports: Record<string, KindCount>;
  /** Genuine records published after the tampering, each acknowledged and stored. */
  genuineAfter: { published: number; stored: number };
  /**
   * Not counted above (docs/reliability.md): records signed with the device's own key, dated before
   * their predecessor or years ahead. The protocol takes a record's time as the device's claim, so these
   * are stored; counted here so the figure is known.
   */
  signedTimeTravel: { published: number; stored: number; integrityAlerts: number };
  clean?: CleanRun;
  /** Every kind meets every tampered station's record types (forge.ts stationRecord). */
  byRecordType: { mqtt: ByRecordType; exports: ByRecordType };
  totals: { mqtt: KindCount; exports: KindCount };
  passed: boolean;
}

export async function runTamper(o: TamperOptions): Promise<TamperResult> {
  const dir = mkdtempSync(join(tmpdir(), 'wastetrail-tamper-'));
  try {
    const mqttResult = await tamperOverMqtt(o, dir);
    const exportResult = await tamperExports(o, dir);
    const clean = o.cleanDays > 0 ? await cleanRun(o) : undefined;
    const total = (counts: Record<string, KindCount>) =>
      Object.values(counts).reduce((t, c) => ({ ...t, inputs: t.inputs + c.inputs, caught: t.caught + c.caught, accepted: t.accepted + c.accepted, wrong: t.wrong + c.wrong }), emptyCount());
    const totals = { mqtt: total(mqttResult.counts), exports: total(exportResult.counts) };
    return {
      mqtt: mqttResult.counts,
      exports: exportResult.counts,
      byRecordType: { mqtt: mqttResult.byRecordType, exports: exportResult.byRecordType },
      genuineAfter: mqttResult.genuineAfter,
      signedTimeTravel: mqttResult.signedTimeTravel,
      totals,
      ...(clean ? { clean } : {}),
      passed:
        // device-silent is reported, not judged: at the clean run's speed its 30 minutes are under a second (docs/reliability.md).
        (!clean || (clean.integrityAlerts === 0 && clean.custodyAlerts === (clean.byRule['device-silent'] ?? 0) && clean.whole)) &&
        totals.mqtt.caught === totals.mqtt.inputs &&
        totals.exports.caught === totals.exports.inputs &&
        mqttResult.genuineAfter.stored === mqttResult.genuineAfter.published,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The clean city through the soak's processes, no kills, no outage, no incidents: every alert is a false one. */
async function cleanRun(o: TamperOptions): Promise<CleanRun> {
  const seconds = Math.round((o.cleanDays * 86_400) / o.cleanSpeed);
  o.log(`clean: ${o.cleanDays} simulated days at ${o.cleanSpeed}x (${seconds} s)`);
  const r = await runSoak({ kills: 0, seconds, speed: o.cleanSpeed, institutions: 3, seed: o.seed, offlineHours: 0, log: o.log });
  // The simulated day counts from the city's start (its processes' start-up is not part of it).
  const byRule: Record<string, number> = {};
  const outsideRun: Record<string, number> = {};
  for (const a of r.raised) {
    // Inside the run: the condition began after the city was up, and the alert opened before it stopped.
    const began = a.sinceMs ?? a.openedAtMs;
    const inside = began !== undefined && a.openedAtMs !== undefined && began >= r.running.fromMs && a.openedAtMs <= r.running.toMs;
    const into = inside ? byRule : outsideRun;
    into[a.rule] = (into[a.rule] ?? 0) + 1;
  }
  const integrity = byRule.integrity ?? 0;
  const all = Object.values(byRule).reduce((a, b) => a + b, 0);
  const d = r.delivery;
  const whole = d.lost.length + d.duplicated.length + d.altered.length + d.unknown.length + r.trails.broken.length === 0 && r.verify.exitCode === 0;
  return { simDays: (r.running.toMs - r.running.fromMs) / 86_400_000, records: d.stored, bags: r.trails.bags, integrityAlerts: integrity, custodyAlerts: all - integrity, byRule, outsideRun, whole };
}

async function tamperOverMqtt(o: TamperOptions, dir: string): Promise<{ counts: Record<string, KindCount>; byRecordType: ByRecordType; genuineAfter: { published: number; stored: number }; signedTimeTravel: TamperResult['signedTimeTravel'] }> {
  const random = seededRandom(o.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const config = parseServerConfig(
    JSON.stringify({
      dataDir: join(dir, 'server'),
      mqtt: { mode: 'embedded', gateway: { tcp: { port: 0, host: '127.0.0.1' }, limits: CAMPAIGN_RATE } },
      http: { host: '127.0.0.1', port: 0 },
      // A dropped record is given up (SEQUENCE_GAP) after 300 ms instead of a minute: the campaign's only change.
      ingest: { gapTimeoutMs: 300 },
      log: { level: 'fatal' },
    }),
    dir,
  );
  const server = await startServer(config);
  const store = server.store as SqliteStore;
  const clients: MqttClient[] = [];
  const counts: Record<string, KindCount> = Object.fromEntries(MQTT_KINDS.map((k) => [k, emptyCount()]));
  try {
    await store.upsertJurisdiction({ id: 'hz', parent: null, level: 'city', name: 'Hangzhou' });
    await store.upsertInstitution({ id: 'hz-h001', name: 'City Hospital No. 1', kind: 'hospital', jurisdiction: 'hz' });
    const start = Date.now() - 3600_000;
    const devices = Array.from({ length: DEVICES }, (_, i) => newDevice(`tamper-${i}`, undefined, stationOf(i)));
    const revoked = Array.from({ length: REVOKED_DEVICES }, (_, i) => newDevice(`revoked-${i}`, undefined, stationOf(i)));
    const droppers = Array.from({ length: DROP_DEVICES }, (_, i) => newDevice(`dropper-${i}`, undefined, stationOf(i)));
    // Logged in now: once the forged logins lock the campaign's address out, nobody else gets in.
    const traveller = newDevice('time-traveller');
    for (const d of [...devices, ...revoked, ...droppers, traveller]) {
      await store.registerDevice({ id: d.id, institution: 'hz-h001', stations: [d.station], keys: [{ publicKey: d.publicKey }] });
    }
    // Each revoked device's key is revoked a day from now: it still logs in, and records dated after that are refused.
    const revokedAt = new Date(Date.now() + 86_400_000);
    for (const d of revoked) await store.revokeDeviceKey(d.id, d.kid, revokedAt.toISOString());
    await server.reloadKeyring();

    const url = server.mqttUrl!;
    const connect = async (d: Device): Promise<MqttClient> => {
      const c = await mqtt.connectAsync(url, { clientId: d.id, username: d.id, password: deviceAuthToken(d.id, d.signer, Date.now()), protocolVersion: 4, reconnectPeriod: 0 });
      clients.push(c);
      return c;
    };
    const conn = new Map<string, MqttClient>();
    for (const d of [...devices, ...revoked, ...droppers, traveller]) conn.set(d.id, await connect(d));
    const publish = (d: Device, payload: string) => conn.get(d.id)!.publishAsync(deviceTopic(d.id, 'records'), payload, { qos: 1 });

    // Genuine records first, stored.
    for (const d of [...devices, ...revoked]) await publish(d, extendChain(d, GENUINE, start).map((r) => encodeEnvelope(r)).join('\n'));
    await until(async () => (await countStored(store)) === (DEVICES + REVOKED_DEVICES) * GENUINE, 'the genuine records stored', 60_000);

    // The tampered inputs.
    const inputs: MqttInput[] = [];
    const loginAttempts: { kind: 'forged-login'; device: string; token: string }[] = [];
    const dropped: { device: Device; seq: number }[] = [];
    const kinds = MQTT_KINDS;
    let variant = 1;
    const perKind = Math.floor(o.mqtt / kinds.length);
    const quota = Object.fromEntries(kinds.map((k, i) => [k, perKind + (i < o.mqtt - perKind * kinds.length ? 1 : 0)])) as Record<MqttKind, number>;
    for (const kind of kinds) {
      for (let n = 0; n < quota[kind]; n++) {
        const d = kind === 'revoked-key' ? pick(revoked) : pick(devices);
        const last = d.chain[GENUINE - 1]!;
        const nextAt = Date.parse(last.record.time) + 1000;
        // A fresh genuine-looking next record for each input, so every payload is its own.
        const next = () => stationRecord(d, GENUINE + 1, last.hash, nextAt, d.signer, variant++);
        // `r` the record tampered with; `hashed` false where its hash may be stored (a replay) or is not the payload's.
        const add = (payload: string, r: DecodedRecord, hashed = true, via: Device = d) =>
          inputs.push({ kind, via, payload, expect: MQTT_EXPECT[kind as keyof typeof MQTT_EXPECT], recordType: r.record.type, ...(hashed ? { hash: r.hash } : {}) });
        switch (kind) {
          case 'bit-flip-signature': {
            const r = next();
            add(encodeEnvelope({ bytes: r.bytes, signature: flipBit(r.signature, Math.floor(random() * 512)) }), r);
            break;
          }
          case 'bit-flip-record': {
            const r = next();
            add(encodeEnvelope({ bytes: flipBit(r.bytes, Math.floor(random() * r.bytes.length * 8)), signature: r.signature }), r, false);
            break;
          }
          case 'reordered': {
            // The next record linked to an earlier one than its predecessor: the chain's order rewritten.
            const r = stationRecord(d, GENUINE + 1, d.chain[Math.floor(random() * (GENUINE - 1))]!.hash, nextAt, d.signer, variant++);
            add(encodeEnvelope(r), r);
            break;
          }
          case 'replayed': {
            // Another device's stored record, published on this device's connection and topic.
            const other = pick(devices.filter((x) => x !== d));
            const r = other.chain[Math.floor(random() * GENUINE)]!;
            add(encodeEnvelope(r), r, false);
            // Its payload is the other device's genuine record: what must not happen is a second copy.
            break;
          }
          case 'duplicated': {
            const seq = 1 + Math.floor(random() * GENUINE);
            const r = stationRecord(d, seq, d.chain[seq - 2]?.hash ?? '0'.repeat(64), Date.parse(d.chain[seq - 1]!.record.time), d.signer, variant++);
            add(encodeEnvelope(r), r);
            break;
          }
          case 'forged-device': {
            const forger = newDevice(d.id);
            const r = stationRecord(d, GENUINE + 1, last.hash, nextAt, forger.signer, variant++);
            add(encodeEnvelope(r), r);
            break;
          }
          case 'another-device-key': {
            const other = pick(devices.filter((x) => x !== d));
            const r = stationRecord(d, GENUINE + 1, last.hash, nextAt, other.signer, variant++);
            add(encodeEnvelope(r), r);
            break;
          }
          case 'revoked-key': {
            const r = stationRecord(d, GENUINE + 1, last.hash, revokedAt.getTime() + 1000 + Math.floor(random() * 86_400_000), d.signer, variant++);
            add(encodeEnvelope(r), r);
            break;
          }
          case 'byte-order-mark': {
            const r = next();
            add(withBom(encodeEnvelope(r)), r);
            break;
          }
          case 'non-canonical-envelope': {
            const r = next();
            add(nonCanonicalEnvelope(r, Math.floor(random() * 6)), r);
            break;
          }
          case 'non-canonical-record': {
            const r = next();
            add(encodeEnvelope(nonCanonicalSigned(r, d.signer, Math.floor(random() * 5))), r);
            break;
          }
          case 'time-travel': {
            const r = next();
            const shift = (random() < 0.5 ? -1 : 1) * Math.floor(1000 + random() * 365 * 86_400_000);
            add(encodeEnvelope(timeEdited(r, shift)), r, false);
            break;
          }
          case 'dropped':
            dropped.push({ device: droppers[n % DROP_DEVICES]!, seq: 0 });
            break;
          case 'forged-login': {
            // Logins nobody should get: an unknown device, or a known device's id with a forger's key.
            const id = random() < 0.5 ? `rogue-${n}` : pick(devices).id;
            loginAttempts.push({ kind, device: id, token: deviceAuthToken(id, newDevice(id).signer, Date.now()) });
            break;
          }
        }
      }
    }
    // The droppers: each publishes a chain with every other record left out; the server asks for the
    // missing ones, nobody answers, and each gap is given up (SEQUENCE_GAP).
    const dropsPer = new Map<Device, number>();
    for (const x of dropped) dropsPer.set(x.device, (dropsPer.get(x.device) ?? 0) + 1);
    const dropInputs: { device: Device; seq: number }[] = [];
    for (const [d, n] of dropsPer) {
      const chain = extendChain(d, 2 * n + 1, start);
      const sent = chain.filter((r) => r.record.seq % 2 === 1);
      for (const r of chain) if (r.record.seq % 2 === 0) dropInputs.push({ device: d, seq: r.record.seq });
      await publish(d, sent.map((r) => encodeEnvelope(r)).join('\n'));
    }

    o.log(`mqtt: ${inputs.length} tampered payloads, ${dropInputs.length} dropped records, ${loginAttempts.length} forged logins`);
    let sent = 0;
    for (const input of inputs) {
      await publish(input.via, input.payload);
      if (++sent % 1000 === 0) o.log(`mqtt: ${sent}/${inputs.length} published`);
    }
    let refusedLogins = 0;
    const loginCodes: Record<string, number> = {};
    for (const a of loginAttempts) {
      const outcome = await tryLogin(url, a.device, a.token);
      if (outcome !== 'connected') {
        refusedLogins++;
        loginCodes[outcome] = (loginCodes[outcome] ?? 0) + 1;
      }
    }

    // Then each device's genuine next record: still taken.
    for (const d of [...devices, ...revoked]) await publish(d, encodeEnvelope(extendChain(d, 1, start)[0]!));
    const genuineTotal = (DEVICES + REVOKED_DEVICES) * (GENUINE + 1) + dropInputs.length + dropsPer.size;
    await until(async () => (await countStored(store)) >= genuineTotal && (await countQuarantined(store)) >= inputs.length, 'everything stored or quarantined', 180_000).catch((e: Error) => o.log(`mqtt: ${e.message}`));
    // Each device's gaps are given up one after another (gapTimeoutMs each, longer under load).
    await until(async () => (await gapAlertEvidence(store, droppers)).size >= dropInputs.length, 'every gap given up', 300_000).catch((e: Error) => o.log(`mqtt: ${e.message}`));
    await server.ingest.drain();

    // Counted.
    const rows = store.db.$client.prepare('SELECT code, device, payload FROM quarantine').all() as { code: string; device: string | null; payload: Buffer }[];
    const byPayload = new Map<string, { code: string; device: string | null }[]>();
    for (const r of rows) {
      const k = Buffer.from(r.payload).toString('utf8');
      byPayload.set(k, [...(byPayload.get(k) ?? []), r]);
    }
    const alerted = new Set((store.db.$client.prepare("SELECT dedupe_key FROM alerts WHERE rule = 'integrity'").pluck().all() as string[]));
    const storedHashes = new Set(store.db.$client.prepare('SELECT hash FROM records').pluck().all() as string[]);
    const byRecordType: ByRecordType = {};
    for (const input of inputs) {
      const c = counts[input.kind]!;
      c.inputs++;
      const row = byPayload.get(input.payload)?.shift();
      if (input.hash && storedHashes.has(input.hash)) {
        c.accepted++;
        tally(byRecordType, input.recordType, false);
        if (c.examples.length < 3) c.examples.push(`stored: ${input.payload.slice(0, 120)}`);
        continue;
      }
      if (!row) {
        c.wrong++;
        tally(byRecordType, input.recordType, false);
        if (c.examples.length < 3) c.examples.push(`not quarantined: ${input.payload.slice(0, 120)}`);
        continue;
      }
      c.codes[row.code] = (c.codes[row.code] ?? 0) + 1;
      // A record whose device field is not a device id is quarantined under that field, and its integrity
      // alert filed under the device whose connection and topic it came on: either counts.
      const alert = [row.device, input.via.id].some((dev) => dev !== null && alerted.has(`integrity:device:${dev}/${row.code}`));
      tally(byRecordType, input.recordType, input.expect.includes(row.code) && alert);
      if (input.expect.includes(row.code) && alert) c.caught++;
      else {
        c.wrong++;
        if (c.examples.length < 3) c.examples.push(`${row.code}${alert ? '' : ' (no integrity alert)'}: ${input.payload.slice(0, 120)}`);
      }
    }
    const gaps = await gapAlertEvidence(store, droppers);
    const dc = counts.dropped!;
    for (const x of dropInputs) {
      dc.inputs++;
      tally(byRecordType, x.device.chain[x.seq - 1]!.record.type, !storedHashes.has(x.device.chain[x.seq - 1]!.hash) && gaps.has(`${x.device.id}#${x.seq}`));
      if (storedHashes.has(x.device.chain[x.seq - 1]!.hash)) dc.accepted++;
      else if (gaps.has(`${x.device.id}#${x.seq}`)) {
        dc.caught++;
        dc.codes.SEQUENCE_GAP = (dc.codes.SEQUENCE_GAP ?? 0) + 1;
      } else {
        dc.wrong++;
        if (dc.examples.length < 3) dc.examples.push(`no SEQUENCE_GAP alert names ${x.device.id}#${x.seq}`);
      }
    }
    // A forged login is refused at the door (CONNACK "not authorized"): nothing reaches ingest, so there
    // is no record to quarantine nor an integrity alert; the gateway counts and throttles them.
    const fl = counts['forged-login']!;
    fl.inputs = loginAttempts.length;
    fl.caught = refusedLogins;
    fl.accepted = loginAttempts.length - refusedLogins;
    fl.codes = loginCodes;

    const stored = store.db.$client.prepare('SELECT count(*) FROM records WHERE seq = ? AND device NOT LIKE ?').pluck().get(GENUINE + 1, 'dropper-%') as number;

    // Signed time travel, on a device of its own: records 4 and 5 signed with its key, dated a year
    // before record 3 and ten years ahead.
    const tc = conn.get(traveller.id)!;
    const firstThree = extendChain(traveller, 3, start);
    const back = stationRecord(traveller, 4, firstThree[2]!.hash, start - 365 * 86_400_000, traveller.signer);
    const ahead = stationRecord(traveller, 5, back.hash, start + 10 * 365 * 86_400_000, traveller.signer);
    await tc.publishAsync(deviceTopic(traveller.id, 'records'), [...firstThree, back, ahead].map((r) => encodeEnvelope(r)).join('\n'), { qos: 1 });
    await until(async () => (store.db.$client.prepare('SELECT count(*) FROM records WHERE device = ?').pluck().get(traveller.id) as number) >= 3, 'the time traveller', 30_000).catch(() => {});
    await new Promise((r) => setTimeout(r, 1000));
    await server.ingest.drain();
    const travelStored = store.db.$client.prepare('SELECT count(*) FROM records WHERE device = ? AND seq > 3').pluck().get(traveller.id) as number;
    const travelAlerts = (await store.alerts({ device: traveller.id, rule: 'integrity' })).length;
    return { counts, byRecordType, genuineAfter: { published: DEVICES + REVOKED_DEVICES, stored }, signedTimeTravel: { published: 2, stored: travelStored, integrityAlerts: travelAlerts } };
  } finally {
    for (const c of clients) await c.endAsync(true).catch(() => {});
    await server.close();
  }
}

/** One MQTT login: 'connected', or how it was refused (`CONNACK <code>`; 3 once the address is locked out). */
function tryLogin(url: string, device: string, token: string): Promise<string> {
  return new Promise((resolve) => {
    const c = mqtt.connect(url, { clientId: device, username: device, password: token, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000 });
    let settled = false;
    const done = (outcome: string) => {
      if (settled) return;
      settled = true;
      c.on('error', () => {}); // a late error after the verdict is not news
      c.end(true, () => resolve(outcome));
    };
    c.once('connect', () => done('connected'));
    c.once('error', (err) => done(`CONNACK ${String((err as { code?: number }).code ?? err.message)}`));
    c.once('close', () => done('closed without CONNACK'));
  });
}

/** Every (device#seq) a SEQUENCE_GAP integrity alert names. */
async function gapAlertEvidence(store: SqliteStore, droppers: readonly Device[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const d of droppers) {
    for (const a of await store.alerts({ device: d.id, rule: 'integrity' })) {
      if (a.params.code !== 'SEQUENCE_GAP') continue;
      for (const e of a.evidence) out.add(`${e.device}#${e.seq}`);
    }
  }
  return out;
}

const countStored = async (store: SqliteStore) => store.db.$client.prepare('SELECT count(*) FROM records').pluck().get() as number;
const countQuarantined = async (store: SqliteStore) => store.db.$client.prepare('SELECT count(*) FROM quarantine').pluck().get() as number;

async function until(check: () => Promise<boolean>, what: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Tampered exports through `wastetrail verify` (its runVerify, in this process). */
async function tamperExports(o: TamperOptions, dir: string): Promise<{ counts: Record<string, KindCount>; byRecordType: ByRecordType }> {
  const random = seededRandom(o.seed + 1);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const start = Date.now() - 86_400_000;
  const devices = Array.from({ length: 12 }, (_, i) => newDevice(`export-${i}`, undefined, stationOf(i)));
  for (const d of devices) extendChain(d, 10, start);
  const keyringOf = (revoke?: { device: string; at: string }) => ({
    format: KEYRING_FORMAT,
    devices: Object.fromEntries(devices.map((d) => [d.id, { institution: 'hz-h001', stations: [d.station], keys: [{ publicKey: d.publicKey, ...(revoke?.device === d.id ? { revokedAt: revoke.at } : {}) }] }])),
  });
  const keyringFile = join(dir, 'keyring.json');
  writeFileSync(keyringFile, JSON.stringify(keyringOf()));
  const file = join(dir, 'export.jsonl');
  const counts: Record<string, KindCount> = Object.fromEntries(EXPORT_KINDS.map((k) => [k, emptyCount()]));
  const expect: Record<ExportKind, readonly string[]> = {
    'bit-flip-signature': ['BAD_SIGNATURE'],
    'bit-flip-record': RECORD_LEVEL_CODES,
    // A record left out of the middle; the first one left out: the chain does not start at 1.
    dropped: ['SEQUENCE_GAP', 'CHAIN_START_INVALID'],
    reordered: ['OUT_OF_ORDER'],
    replayed: ['DUPLICATE_RECORD'],
    duplicated: ['DUPLICATE_RECORD', 'FORK'],
    'forged-device': ['UNKNOWN_DEVICE'],
    'another-device-key': ['WRONG_KEY'],
    'revoked-key': ['KEY_REVOKED'],
    'byte-order-mark': ['MALFORMED_ENVELOPE'],
    'non-canonical-envelope': ['MALFORMED_ENVELOPE'],
    'non-canonical-record': ['NON_CANONICAL_RECORD'],
    'time-travel': ['BAD_SIGNATURE'],
  };
  const perKind = Math.floor(o.exports / EXPORT_KINDS.length);
  const byRecordType: ByRecordType = {};
  let done = 0;
  let variant = 1;
  for (const [i, kind] of EXPORT_KINDS.entries()) {
    const n = perKind + (i < o.exports - perKind * EXPORT_KINDS.length ? 1 : 0);
    for (let j = 0; j < n; j++) {
      const d = pick(devices);
      const lines = d.chain.map((r) => encodeEnvelope(r));
      let k = Math.floor(random() * lines.length);
      // The record tampered with, for the count by record type.
      let tampered = d.chain[k]!;
      let keyring = keyringFile;
      const at = (x: DecodedRecord) => Date.parse(x.record.time);
      switch (kind) {
        case 'bit-flip-signature':
          lines[k] = encodeEnvelope({ bytes: d.chain[k]!.bytes, signature: flipBit(d.chain[k]!.signature, Math.floor(random() * 512)) });
          break;
        case 'bit-flip-record':
          lines[k] = encodeEnvelope({ bytes: flipBit(d.chain[k]!.bytes, Math.floor(random() * d.chain[k]!.bytes.length * 8)), signature: d.chain[k]!.signature });
          break;
        case 'dropped':
          // Not the last: a verifier without the device's head cannot tell a short export from a whole one.
          k = Math.floor(random() * (lines.length - 1));
          tampered = d.chain[k]!;
          lines.splice(k, 1);
          break;
        case 'reordered': {
          const a = Math.floor(random() * (lines.length - 1));
          tampered = d.chain[a]!;
          [lines[a], lines[a + 1]] = [lines[a + 1]!, lines[a]!];
          break;
        }
        case 'replayed':
          lines.splice(k + 1 + Math.floor(random() * (lines.length - k)), 0, lines[k]!);
          break;
        case 'duplicated': {
          // The same seq twice, the second a validly signed other record.
          const r = stationRecord(d, k + 1, d.chain[k - 1]?.hash ?? '0'.repeat(64), at(d.chain[k]!), d.signer, variant++);
          lines.splice(k + 1, 0, encodeEnvelope(r));
          break;
        }
        case 'forged-device': {
          const forger = newDevice(`forged-${variant++}`);
          tampered = extendChain(forger, 1, start)[0]!;
          lines.splice(k, 0, encodeEnvelope(tampered));
          break;
        }
        case 'another-device-key': {
          const other = pick(devices.filter((x) => x !== d));
          lines[k] = encodeEnvelope(stationRecord(d, k + 1, d.chain[k - 1]?.hash ?? '0'.repeat(64), at(d.chain[k]!), other.signer, variant++));
          break;
        }
        case 'revoked-key': {
          keyring = join(dir, 'keyring-revoked.json');
          writeFileSync(keyring, JSON.stringify(keyringOf({ device: d.id, at: new Date(at(d.chain[k]!) - 1).toISOString() })));
          break;
        }
        case 'byte-order-mark':
          lines[k] = withBom(lines[k]!);
          break;
        case 'non-canonical-envelope':
          lines[k] = nonCanonicalEnvelope(d.chain[k]!, Math.floor(random() * 6));
          break;
        case 'non-canonical-record':
          lines[k] = encodeEnvelope(nonCanonicalSigned(d.chain[k]!, d.signer, Math.floor(random() * 5)));
          break;
        case 'time-travel':
          lines[k] = encodeEnvelope(timeEdited(d.chain[k]!, (random() < 0.5 ? -1 : 1) * Math.floor(1000 + random() * 365 * 86_400_000)));
          break;
      }
      writeFileSync(file, `${lines.join('\n')}\n`);
      let out = '';
      const code = await runVerify([file, '--keys', keyring, '--all'], { stdout: { write: (s: string) => ((out += s), true) }, stderr: { write: (s: string) => ((out += s), true) } } as never);
      const c = counts[kind]!;
      c.inputs++;
      const found = [...out.matchAll(/^invalid: ([A-Z_]+)/gm)].map((m) => m[1]!);
      for (const f of new Set(found)) c.codes[f] = (c.codes[f] ?? 0) + 1;
      const caught = code === 1 && found.some((f) => expect[kind].includes(f));
      tally(byRecordType, tampered.record.type, caught);
      if (code === 0) {
        c.accepted++;
        if (c.examples.length < 3) c.examples.push(`verified valid: ${kind} at line ${k + 1}`);
      } else if (caught) c.caught++;
      else {
        c.wrong++;
        if (c.examples.length < 3) c.examples.push(`exit ${code}: ${out.split('\n')[0]}`);
      }
      if (++done % 2000 === 0) o.log(`exports: ${done}/${o.exports} verified`);
    }
  }
  return { counts, byRecordType };
}

export function formatTamperResult(r: TamperResult): string {
  const table = (name: string, counts: Record<string, KindCount>) => [
    `  ${name}`,
    ...Object.entries(counts).map(
      ([kind, c]) =>
        `    ${kind.padEnd(24)} ${String(c.inputs).padStart(6)} inputs  caught ${String(c.caught).padStart(6)}  accepted ${c.accepted}  wrong code/no alert ${c.wrong}   ${Object.entries(c.codes)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}${c.examples.length ? `\n      e.g. ${c.examples.join('\n      e.g. ')}` : ''}`,
    ),
  ];
  const pct = (c: KindCount) => (c.inputs === 0 ? '-' : `${((100 * c.caught) / c.inputs).toFixed(2)} %`);
  return [
    `tamper ${r.passed ? 'PASSED' : 'FAILED'}: MQTT ${r.totals.mqtt.caught}/${r.totals.mqtt.inputs} caught (${pct(r.totals.mqtt)}), ${r.totals.mqtt.accepted} accepted; exports ${r.totals.exports.caught}/${r.totals.exports.inputs} caught (${pct(r.totals.exports)}), ${r.totals.exports.accepted} accepted`,
    ...table('MQTT (quarantined with the right code and an integrity alert; forged logins: refused at CONNACK)', r.mqtt),
    ...table('exports (wastetrail verify: exit 1 naming the right code)', r.exports),
    ...(['mqtt', 'exports'] as const).map(
      (via) => `  by the type of the record tampered with (${via}): ${Object.entries(r.byRecordType[via]).map(([type, t]) => `${type} ${t.caught}/${t.inputs}`).join(', ')}`,
    ),
    `  genuine records after the tampering: ${r.genuineAfter.stored}/${r.genuineAfter.published} stored`,
    `  not counted (docs/reliability.md): time travel signed with the device's own key: ${r.signedTimeTravel.stored}/${r.signedTimeTravel.published} stored, ${r.signedTimeTravel.integrityAlerts} integrity alerts`,
    ...(r.clean
      ? [
          `  clean city (no incidents, no kills): ${r.clean.simDays.toFixed(1)} simulated days, ${r.clean.records} records, ${r.clean.bags} bags: ${r.clean.integrityAlerts} integrity alerts, ${r.clean.custodyAlerts} custody alerts (${Object.entries(r.clean.byRule).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}) while it ran; about a condition that began while the processes started, or opened while they stopped: ${Object.entries(r.clean.outsideRun).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}; nothing lost and every chain whole: ${r.clean.whole ? 'yes' : 'NO'}`,
        ]
      : []),
  ].join('\n');
}

