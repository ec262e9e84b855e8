/**
 * The reader shell on @serialport/binding-mock with the simulated Chafon reader behind it: bag tags
 * arrive and leave, badges are told apart, a damaged reply or line noise costs one inventory only.
 */
import { SerialPortMock } from 'serialport';
import { epcFromBadgeId, epcFromTagId } from '@wastetrail/firmware-protocol';
import { attachMockDevice } from '@wastetrail/simulators';
import { afterEach, describe, expect, it } from 'vitest';
import { createCapturingLogger } from '@wastetrail/runtime';
import { attachReaderModel, type ReaderDriver } from '../../../simulators/src/reader/driver.ts';
import { ReaderModel } from '../../../simulators/src/reader/model.ts';
import { RfidReader } from '../../src/devices/rfid-reader.ts';
import type { PortLike } from '../../src/devices/serial-link.ts';
import { waitFor } from '../support/wait.ts';

const BAG = 'epc:3074257bf7194e4000001a85';
const BADGE = 'giai:0614141.100742';
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  SerialPortMock.binding.reset();
});

function rig(variant: 'plain' | 'antenna-rssi' = 'plain') {
  const path = `/dev/mock-rfid-${Math.random().toString(36).slice(2)}`;
  SerialPortMock.binding.createPort(path, { echo: false, record: false });
  const seen: string[] = [];
  let driver: ReaderDriver | undefined;
  const reader = new RfidReader({
    config: { path, baudRate: 57_600, dataBits: 8, parity: 'none', stopBits: 1, protocol: 'chafon', variant, address: 255, pollMs: 30, replyTimeoutMs: 200, lostAfterMs: 150 },
    convention: { scheme: 'giai-96' },
    logger: createCapturingLogger(),
    now: () => performance.now(),
    onTag: (t) => seen.push(`tag ${t}`),
    onTagLost: (t) => seen.push(`lost ${t}`),
    onBadge: (b) => seen.push(`badge ${b}`),
    createPort: (settings) => {
      const port = new SerialPortMock(settings);
      driver = attachReaderModel(attachMockDevice(port), new ReaderModel({ variant, rssiJitter: 0 }), { onError: () => {} });
      return port as unknown as PortLike;
    },
  });
  reader.start();
  cleanups.push(async () => {
    await reader.close();
    await driver?.close();
  });
  return { reader, seen, model: () => driver! };
}

describe('RFID reader (Chafon)', () => {
  it('reports a bag tag once when it arrives and once when it has left', async () => {
    const { reader, seen, model } = rig();
    await waitFor(() => reader.stats.inventories > 2, 'inventories');
    await model().apply({ kind: 'enter', tag: { epc: epcFromTagId(BAG)! } });
    await waitFor(() => seen.length === 1, 'arrival');
    const before = reader.stats.inventories;
    await waitFor(() => reader.stats.inventories > before + 5, 'more inventories');
    expect(seen).toEqual([`tag ${BAG}`]);
    await model().apply({ kind: 'leave', epc: epcFromTagId(BAG)! });
    await waitFor(() => seen.length === 2, 'departure');
    expect(seen).toEqual([`tag ${BAG}`, `lost ${BAG}`]);
    expect(reader.connected).toBe(true);
  });

  it('tells a staff badge from a bag tag (antenna-rssi variant)', async () => {
    const { seen, model } = rig('antenna-rssi');
    await model().apply({ kind: 'enter', tag: { epc: epcFromBadgeId(BADGE)!, kind: 'badge', forMs: 100 } });
    await model().apply({ kind: 'enter', tag: { epc: epcFromTagId(BAG)! } });
    await waitFor(() => seen.length === 2, 'both reads');
    expect(seen.sort()).toEqual([`badge ${BADGE}`, `tag ${BAG}`]);
  });

  it('a damaged reply and line noise cost one inventory, nothing more', async () => {
    const { reader, seen, model } = rig();
    await waitFor(() => reader.stats.inventories > 1, 'inventories');
    await model().apply({ kind: 'noise', bytes: 7 });
    await model().apply({ kind: 'corrupt-next-reply' });
    await model().apply({ kind: 'enter', tag: { epc: epcFromTagId(BAG)! } });
    await waitFor(() => seen.length === 1, 'arrival despite noise');
    expect(seen).toEqual([`tag ${BAG}`]);
    expect(reader.stats.timeouts + reader.stats.errors).toBeGreaterThanOrEqual(1);
  });
});
