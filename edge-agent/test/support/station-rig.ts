/**
 * A whole station for end-to-end tests: a simulated XK3190 scale and a simulated Chafon reader on real
 * pseudo-terminals (socat), opened by the agent with the real serialport binding exactly as it opens
 * /dev/ttyUSB0, and a configuration for them.
 */
import { epcFromBadgeId, epcFromTagId } from '@wastetrail/firmware-protocol';
import { openPtyDevice, ScaleSimulator, type PtyDevice } from '@wastetrail/simulators';
// The reader simulator is not exported from @wastetrail/simulators yet (it is being finished).
import { attachReaderModel, type ReaderDriver } from '../../../simulators/src/reader/driver.ts';
import { ReaderModel } from '../../../simulators/src/reader/model.ts';

export const RFID_POLL_MS = 40;
export const RFID_LOST_AFTER_MS = 200;

export interface SimulatedDevices {
  scalePty: PtyDevice;
  readerPty: PtyDevice;
  scale: ScaleSimulator;
  reader: ReaderDriver;
  putBag(grams: number): Promise<void>;
  removeAll(): Promise<void>;
  bagEnters(tagId: string): Promise<void>;
  bagLeaves(tagId: string): Promise<void>;
  /** A badge held up until badgeAway: as long as it takes the agent to read it, however loaded the machine. */
  badgeUp(badgeId: string): Promise<void>;
  badgeAway(badgeId: string): Promise<void>;
  close(): Promise<void>;
}

export async function simulatedDevices(): Promise<SimulatedDevices> {
  const scalePty = await openPtyDevice({ baudRate: 9600 });
  const readerPty = await openPtyDevice({ baudRate: 57_600 });
  const scale = new ScaleSimulator({ protocol: 'xk3190', endpoint: scalePty.endpoint, intervalMs: 20, model: { settleMs: 80, swing: 0.05 } });
  scale.start();
  const reader = attachReaderModel(readerPty.endpoint, new ReaderModel({ rssiJitter: 0 }), { onError: () => {} });
  const epc = (tagId: string) => {
    const e = epcFromTagId(tagId);
    if (!e) throw new Error(`not an epc tag id: ${tagId}`);
    return e;
  };
  return {
    scalePty,
    readerPty,
    scale,
    reader,
    putBag: (grams) => scale.run([{ op: 'put', grams }]),
    removeAll: () => scale.run([{ op: 'remove' }]),
    bagEnters: (tagId) => reader.apply({ kind: 'enter', tag: { epc: epc(tagId) } }),
    bagLeaves: (tagId) => reader.apply({ kind: 'leave', epc: epc(tagId) }),
    badgeUp: (badgeId) => reader.apply({ kind: 'enter', tag: { epc: epcFromBadgeId(badgeId)!, kind: 'badge', forMs: 3_600_000 } }),
    badgeAway: (badgeId) => reader.apply({ kind: 'leave', epc: epcFromBadgeId(badgeId)! }),
    async close() {
      scale.stop();
      await reader.close();
      await scalePty.endpoint.close();
      await readerPty.endpoint.close();
    },
  };
}

/** A station configuration (parseConfig input) for these devices. */
export function stationConfig(o: { deviceId: string; keyFile: string; dataDir: string; scalePath: string; readerPath: string; mqttUrl: string; heartbeatMinutes?: number }) {
  return {
    deviceId: o.deviceId,
    keyFile: o.keyFile,
    institution: 'hz-h001',
    department: 'ICU',
    site: 'ICU-3F',
    station: { role: 'department', stepTimeoutSeconds: 60, weighTimeoutSeconds: 20 },
    serial: {
      scale: { path: o.scalePath, protocol: 'xk3190', unit: 'kg', staleMs: 1000 },
      rfid: { path: o.readerPath, pollMs: RFID_POLL_MS, lostAfterMs: RFID_LOST_AFTER_MS, replyTimeoutMs: 300 },
    },
    stability: { minSamples: 3, toleranceGrams: 0, minDurationMs: 40, maxGapMs: 500 },
    mqtt: { url: o.mqttUrl, auth: { mode: 'none' }, reconnect: { minMs: 50, maxMs: 300 }, keepaliveSeconds: 10, connectTimeoutSeconds: 5 },
    heartbeatMinutes: o.heartbeatMinutes ?? 0,
    kiosk: { port: 0, language: 'en' },
    dataDir: o.dataDir,
    log: { level: 'warn' },
  };
}

export const bagTag = (i: number) => `epc:3074257bf7194e40${i.toString(16).padStart(8, '0')}`;
export const NURSE = 'giai:0614141.100742';
