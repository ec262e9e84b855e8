/**
 * The reader simulator behind @serialport/binding-mock: host code opens a SerialPortMock as it would a
 * real port, sends Chafon commands and parses the replies with the firmware-protocol parser.
 */
import {
  ChafonFrameParser,
  ChafonInventoryAssembler,
  classifyTagRead,
  decodeChafonReaderInfo,
  decodeChafonReply,
  encodeChafonInventoryCommand,
  encodeChafonReaderInfoCommand,
  fromHex,
  type ChafonFrame,
  type ChafonInventoryResult,
} from '@wastetrail/firmware-protocol';
import { SerialPortMock } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { attachReaderModel, playReaderScript, type ReaderDriver } from '../../src/reader/driver.ts';
import { ReaderModel } from '../../src/reader/model.ts';
import { attachMockDevice } from '../../src/serial/mock.ts';

const PATH = '/dev/reader-mock';
const BAG = '3074257bf7194e4000001a85';

let port: SerialPortMock | undefined;
let driver: ReaderDriver | undefined;

afterEach(async () => {
  await driver?.close();
  if (port?.isOpen) await new Promise<void>((resolve) => port!.close(() => resolve()));
  SerialPortMock.binding.reset();
  port = undefined;
  driver = undefined;
});

/** The host side: frames from the port, and a way to wait until the simulator has said everything. */
function host(p: SerialPortMock) {
  const parser = new ChafonFrameParser();
  const frames: ChafonFrame[] = [];
  p.on('data', (chunk: Buffer) => frames.push(...parser.push(chunk)));
  return { parser, frames };
}

async function exchange(p: SerialPortMock, d: ReaderDriver, command: Uint8Array): Promise<void> {
  await new Promise<void>((resolve, reject) => p.write(Buffer.from(command), (err) => (err ? reject(err) : resolve())));
  // The device hears the bytes on a later tick, then writes; the host hears them a tick after that.
  for (let i = 0; i < 5; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    await d.drained();
  }
}

function openMock(): Promise<SerialPortMock> {
  SerialPortMock.binding.createPort(PATH, { echo: false, record: true });
  const p = new SerialPortMock({ path: PATH, baudRate: 57600 });
  return new Promise((resolve, reject) => p.on('open', () => resolve(p)).on('error', reject));
}

describe('reader simulator on a mock serial port', () => {
  it('answers an inventory with the bag and the badge a script put in the field', async () => {
    port = await openMock();
    const clock = new ManualClock();
    const model = new ReaderModel({ variant: 'rssi' });
    driver = attachReaderModel(attachMockDevice(port), model, { clock });
    const { frames } = host(port);
    await playReaderScript([`enter epc:${BAG}`, 'badge giai:0614141.100742 for 5000'], driver, { clock });

    await exchange(port, driver, encodeChafonInventoryCommand());
    const assembler = new ChafonInventoryAssembler('rssi');
    const results = frames.map((f) => assembler.push(f)).filter((r) => r !== undefined);
    expect(results).toHaveLength(1);
    const result = results[0]!;
    expect(result.ok).toBe(true);
    const reads = (result as { value: ChafonInventoryResult }).value.tags.map((t) => classifyTagRead(t.epc));
    expect(reads).toEqual([
      { kind: 'tag', tagId: `epc:${BAG}`, epc: fromHex(BAG) },
      { kind: 'badge', badgeId: 'giai:0614141.100742', epc: fromHex('3414257bf400000000018986') },
    ]);

    // Five seconds later the badge has been taken away; the bag is still on the pad.
    await clock.advance(5000);
    frames.length = 0;
    await exchange(port, driver, encodeChafonInventoryCommand());
    const later = frames.map((f) => assembler.push(f)).find((r) => r !== undefined);
    expect(later?.ok && later.value.tags.map((t) => classifyTagRead(t.epc).kind)).toEqual(['tag']);
  });

  it('answers reader information, and an inventory behind line noise once the host flushes', async () => {
    port = await openMock();
    const clock = new ManualClock();
    driver = attachReaderModel(attachMockDevice(port), new ReaderModel(), { clock });
    const { parser, frames } = host(port);

    await exchange(port, driver, encodeChafonReaderInfoCommand());
    const info = decodeChafonReply(frames[0]!);
    expect(info.ok && decodeChafonReaderInfo(info.value)).toMatchObject({ ok: true, value: { firmware: { major: 3, minor: 1 } } });

    frames.length = 0;
    await playReaderScript(['noise 12', `enter epc:${BAG}`], driver, { clock });
    await exchange(port, driver, encodeChafonInventoryCommand());
    // The line is quiet now: whatever the noise held back is given up on.
    frames.push(...parser.flush());
    const assembler = new ChafonInventoryAssembler('plain');
    const result = frames.map((f) => assembler.push(f)).find((r) => r !== undefined);
    expect(result?.ok && result.value.tags.map((t) => classifyTagRead(t.epc))).toEqual([{ kind: 'tag', tagId: `epc:${BAG}`, epc: fromHex(BAG) }]);
    expect(parser.counters.dropped.junkBytes).toBeGreaterThan(0);
  });

  it('plays waits on the injected clock', async () => {
    port = await openMock();
    const clock = new ManualClock();
    const model = new ReaderModel();
    driver = attachReaderModel(attachMockDevice(port), model, { clock });
    const playing = playReaderScript([`enter epc:${BAG}`, 'wait 1000', `leave epc:${BAG}`], driver, { clock });
    await clock.advance(0);
    expect(model.tagsInField(clock.now())).toHaveLength(1);
    await clock.advance(999);
    expect(model.tagsInField(clock.now())).toHaveLength(1);
    await clock.advance(1);
    await playing;
    expect(model.tagsInField(clock.now())).toHaveLength(0);
  });
});
