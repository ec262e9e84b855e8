import { describe, expect, it } from 'vitest';
import { encodeChafonInventoryCommand, encodeChafonReaderInfoCommand } from '../../src/rfid/chafon/commands.ts';
import { decodeChafonFrame, encodeChafonFrame, type ChafonFrame } from '../../src/rfid/chafon/frame.ts';
import {
  ChafonInventoryAssembler,
  decodeChafonInventoryReply,
  encodeChafonInventoryReplies,
  type ChafonVariant,
} from '../../src/rfid/chafon/inventory.ts';
import { decodeChafonReaderInfo, encodeChafonReaderInfoReply, type ChafonReaderInfo } from '../../src/rfid/chafon/reader-info.ts';
import { decodeChafonReply, encodeChafonReply } from '../../src/rfid/chafon/reply.ts';
import { toHex } from '../../src/encoding.ts';
import { hex, spaced } from './bytes.ts';

// EPCs used throughout: a maker-tagged bag (SGTIN-96), a bag tagged at sealing (SSCC-96), a badge (GIAI-96).
const SGTIN = '30 74 25 7B F7 19 4E 40 00 00 1A 85'; // urn:epc:id:sgtin:0614141.812345.6789
const SSCC = '31 74 25 7B F4 49 96 02 D2 00 00 00'; // urn:epc:id:sscc:0614141.1234567890
const BADGE = '34 14 25 7B F4 00 00 00 00 01 89 86'; // urn:epc:id:giai:0614141.100742

/** Frames as a reader at address 0x00 sends them; CRCs computed independently of this code. */
const REPLY = {
  noTag: '05 00 01 FB F2 3D',
  oneTag: `13 00 01 01 01 0C ${SGTIN} 93 82`,
  twoTags: `20 00 01 01 02 0C ${SGTIN} 0C ${BADGE} 53 36`,
  antenna: `14 00 01 01 01 01 0C ${SGTIN} 4B 17`,
  rssi: `14 00 01 01 01 0C ${SGTIN} 4A 02 AB`,
  antennaRssi: `15 00 01 01 02 01 0C ${SGTIN} 4A E9 54`,
  more: `13 00 01 03 01 0C ${SGTIN} C7 12`,
  last: `13 00 01 01 01 0C ${SSCC} A2 36`,
  timeout: `13 00 01 02 01 0C ${SGTIN} ED 5A`,
  shortEpc: '0B 00 01 01 01 04 DE AD BE EF 83 AF',
  unknownStatus: '05 00 01 77 96 73',
  badCommand: '05 00 55 FE C8 DE',
  readerInfo: '0D 00 21 00 02 1A 09 03 3E 00 1E 0A 59 B8',
} as const;

function frameOf(spacedHex: string): ChafonFrame {
  const decoded = decodeChafonFrame(hex(spacedHex));
  if (!decoded.ok) throw new Error(decoded.error.message);
  return decoded.value;
}

function inventoryOf(spacedHex: string, variant: ChafonVariant) {
  const reply = decodeChafonReply(frameOf(spacedHex));
  if (!reply.ok) throw new Error(reply.error.message);
  return decodeChafonInventoryReply(reply.value, variant);
}

describe('Chafon commands', () => {
  it('encodes inventory as 04 FF 01 1B B4 and reader info as 04 FF 21 19 95', () => {
    expect(spaced(encodeChafonInventoryCommand())).toBe('04 FF 01 1B B4');
    expect(spaced(encodeChafonReaderInfoCommand())).toBe('04 FF 21 19 95');
  });

  it('decodes a command frame back to address, command and no data', () => {
    expect(frameOf('04 FF 01 1B B4')).toEqual({ address: 0xff, command: 0x01, data: new Uint8Array(0) });
  });

  it('refuses data longer than one frame can carry', () => {
    expect(() => encodeChafonFrame({ address: 0, command: 1, data: new Uint8Array(252) })).toThrow(RangeError);
    expect(encodeChafonFrame({ address: 0, command: 1, data: new Uint8Array(251) })).toHaveLength(256);
  });
});

describe('decodeChafonFrame', () => {
  it('names what is wrong with a frame', () => {
    expect(decodeChafonFrame(hex('04 FF 01 1B'))).toMatchObject({ ok: false, error: { code: 'TRUNCATED_FRAME' } });
    expect(decodeChafonFrame(hex('04 FF 01 1B B5'))).toMatchObject({ ok: false, error: { code: 'BAD_CRC' } });
    expect(decodeChafonFrame(hex('03 FF 01 1B'))).toMatchObject({ ok: false, error: { code: 'BAD_LENGTH' } });
    expect(decodeChafonFrame(hex('04 FF 01 1B B4 00'))).toMatchObject({ ok: false, error: { code: 'TRAILING_BYTES' } });
    expect(decodeChafonFrame(new Uint8Array(0))).toMatchObject({ ok: false, error: { code: 'TRUNCATED_FRAME' } });
  });
});

describe('Chafon replies', () => {
  it('decodes the status of every reply kind, unknown codes included', () => {
    const statusOf = (h: string) => {
      const r = decodeChafonReply(frameOf(h));
      return r.ok ? [r.value.status, r.value.statusCode] : r.error.code;
    };
    expect(statusOf(REPLY.oneTag)).toEqual(['done', 0x01]);
    expect(statusOf(REPLY.timeout)).toEqual(['timeout', 0x02]);
    expect(statusOf(REPLY.more)).toEqual(['more', 0x03]);
    expect(statusOf(REPLY.noTag)).toEqual(['noTag', 0xfb]);
    expect(statusOf(REPLY.badCommand)).toEqual(['badCommand', 0xfe]);
    expect(statusOf(REPLY.unknownStatus)).toEqual(['unknown', 0x77]);
    expect(statusOf(REPLY.readerInfo)).toEqual(['success', 0x00]);
    expect(statusOf(spaced(encodeChafonFrame({ address: 0, command: 1, data: new Uint8Array(0) })))).toBe('MISSING_STATUS');
  });

  it('encodes a reply with its status first', () => {
    expect(spaced(encodeChafonReply({ address: 0, command: 1, statusCode: 0xfb }))).toBe(REPLY.noTag);
    expect(spaced(encodeChafonReply({ address: 0, command: 0x55, statusCode: 0xfe }))).toBe(REPLY.badCommand);
  });
});

describe('Chafon inventory replies', () => {
  it('decodes the SGTIN-96 vector: one tag', () => {
    const page = inventoryOf(REPLY.oneTag, 'plain');
    expect(page.ok).toBe(true);
    if (!page.ok) return;
    expect(page.value.status).toBe('done');
    expect(page.value.tags.map((t) => toHex(t.epc))).toEqual(['3074257bf7194e4000001a85']);
  });

  it('decodes no tag, two tags and a short proprietary EPC', () => {
    expect(inventoryOf(REPLY.noTag, 'plain')).toEqual({ ok: true, value: { status: 'noTag', statusCode: 0xfb, tags: [] } });
    const two = inventoryOf(REPLY.twoTags, 'plain');
    expect(two.ok && two.value.tags.map((t) => toHex(t.epc))).toEqual(['3074257bf7194e4000001a85', '3414257bf400000000018986']);
    const short = inventoryOf(REPLY.shortEpc, 'plain');
    expect(short.ok && short.value.tags.map((t) => toHex(t.epc))).toEqual(['deadbeef']);
  });

  it('reads the antenna byte and the RSSI byte only when the variant setting says so', () => {
    const ant = inventoryOf(REPLY.antenna, 'antenna');
    expect(ant.ok && ant.value).toMatchObject({ antenna: 1, tags: [{ antenna: 1 }] });
    const rssi = inventoryOf(REPLY.rssi, 'rssi');
    expect(rssi.ok && rssi.value.tags[0]).toMatchObject({ rssi: 0x4a });
    const both = inventoryOf(REPLY.antennaRssi, 'antenna-rssi');
    expect(both.ok && both.value.tags[0]).toMatchObject({ antenna: 2, rssi: 0x4a });
    expect(both.ok && toHex(both.value.tags[0]!.epc)).toBe('3074257bf7194e4000001a85');
  });

  it('reports a wrong variant setting as MALFORMED_INVENTORY rather than inventing tags', () => {
    expect(inventoryOf(REPLY.antenna, 'plain')).toMatchObject({ ok: false, error: { code: 'MALFORMED_INVENTORY' } });
    expect(inventoryOf(REPLY.oneTag, 'rssi')).toMatchObject({ ok: false, error: { code: 'MALFORMED_INVENTORY' } });
    expect(inventoryOf(REPLY.rssi, 'plain')).toMatchObject({ ok: false, error: { code: 'MALFORMED_INVENTORY' } });
    expect(inventoryOf(REPLY.oneTag, 'antenna-rssi')).toMatchObject({ ok: false, error: { code: 'MALFORMED_INVENTORY' } });
  });

  it('refuses a reply to another command', () => {
    const reply = decodeChafonReply(frameOf(REPLY.readerInfo));
    expect(reply.ok && decodeChafonInventoryReply(reply.value, 'plain')).toMatchObject({ ok: false, error: { code: 'UNEXPECTED_COMMAND' } });
  });

  it('encodes the same bytes as the vectors', () => {
    const sgtin = hex(SGTIN);
    const enc = (variant: ChafonVariant, tags: { epc: Uint8Array; antenna?: number; rssi?: number }[]) =>
      encodeChafonInventoryReplies({ address: 0, variant, tags }).map(spaced);
    expect(enc('plain', [])).toEqual([REPLY.noTag]);
    expect(enc('plain', [{ epc: sgtin }])).toEqual([REPLY.oneTag]);
    expect(enc('plain', [{ epc: sgtin }, { epc: hex(BADGE) }])).toEqual([REPLY.twoTags]);
    expect(enc('antenna', [{ epc: sgtin }])).toEqual([REPLY.antenna]);
    expect(enc('rssi', [{ epc: sgtin, rssi: 0x4a }])).toEqual([REPLY.rssi]);
    expect(enc('antenna-rssi', [{ epc: sgtin, antenna: 2, rssi: 0x4a }])).toEqual([REPLY.antennaRssi]);
  });

  it('splits a long list over frames with status "more", and per antenna', () => {
    const tags = Array.from({ length: 5 }, (_, i) => ({ epc: Uint8Array.of(0xe2, 0, 0, i), antenna: i < 3 ? 1 : 2 }));
    const frames = encodeChafonInventoryReplies({ address: 0, variant: 'antenna', tags, maxTagsPerFrame: 2 });
    const statuses = frames.map((f) => f[3]);
    expect(statuses).toEqual([0x03, 0x03, 0x01]); // antenna 1: 2 + 1 tags, antenna 2: 2 tags
    expect(frames.map((f) => [f[4], f[5]])).toEqual([[1, 2], [1, 1], [2, 2]]);
  });

  it('fills frames up to the 255-byte length limit', () => {
    const tags = Array.from({ length: 40 }, (_, i) => ({ epc: Uint8Array.of(0x30, ...new Uint8Array(10), i) }));
    const frames = encodeChafonInventoryReplies({ address: 0, variant: 'plain', tags });
    // 249 bytes for entries of 13 bytes: 19 per frame.
    expect(frames.map((f) => f[4])).toEqual([19, 19, 2]);
    expect(frames.every((f) => f.length <= 256 && f[0] === f.length - 1)).toBe(true);
  });
});

describe('ChafonInventoryAssembler', () => {
  it('joins frames with status "more" into one inventory', () => {
    const assembler = new ChafonInventoryAssembler('plain');
    expect(assembler.push(frameOf(REPLY.more))).toBeUndefined();
    expect(assembler.pending).toBe(true);
    const result = assembler.push(frameOf(REPLY.last));
    expect(result?.ok && result.value.status).toBe('done');
    expect(result?.ok && result.value.frames).toBe(2);
    expect(result?.ok && result.value.tags.map((t) => toHex(t.epc))).toEqual(['3074257bf7194e4000001a85', '3174257bf4499602d2000000']);
    expect(assembler.pending).toBe(false);
  });

  it('answers a single frame, no tag, a timeout and a bad command at once', () => {
    const assembler = new ChafonInventoryAssembler('plain');
    expect(assembler.push(frameOf(REPLY.oneTag))).toMatchObject({ ok: true, value: { status: 'done', frames: 1 } });
    expect(assembler.push(frameOf(REPLY.noTag))).toMatchObject({ ok: true, value: { status: 'noTag', tags: [] } });
    expect(assembler.push(frameOf(REPLY.timeout))).toMatchObject({ ok: true, value: { status: 'timeout' } });
    expect(assembler.push(frameOf(REPLY.unknownStatus))).toMatchObject({ ok: true, value: { status: 'unknown', statusCode: 0x77 } });
  });

  it('ignores replies to other commands', () => {
    const assembler = new ChafonInventoryAssembler('plain');
    expect(assembler.push(frameOf(REPLY.readerInfo))).toBeUndefined();
    expect(assembler.push(frameOf(REPLY.badCommand))).toBeUndefined();
  });

  it('reassembles what the encoder split, for every variant', () => {
    const tags = Array.from({ length: 60 }, (_, i) => ({ epc: Uint8Array.of(0x30, 0x74, i, i, 1, 2, 3, 4, 5, 6, 7, i), antenna: 1, rssi: i }));
    for (const variant of ['plain', 'antenna', 'rssi', 'antenna-rssi'] as const) {
      const assembler = new ChafonInventoryAssembler(variant);
      const results = encodeChafonInventoryReplies({ address: 0, variant, tags, maxTagsPerFrame: 7 }).map((f) => assembler.push(frameOf(spaced(f))));
      const last = results.pop();
      expect(results.every((r) => r === undefined)).toBe(true);
      expect(last?.ok && last.value.tags.map((t) => toHex(t.epc))).toEqual(tags.map((t) => toHex(t.epc)));
      expect(last?.ok && last.value.frames).toBe(9);
    }
  });

  it('gives up on a reader that never stops saying "more"', () => {
    const assembler = new ChafonInventoryAssembler('plain', { maxFrames: 3 });
    expect(assembler.push(frameOf(REPLY.more))).toBeUndefined();
    expect(assembler.push(frameOf(REPLY.more))).toBeUndefined();
    expect(assembler.push(frameOf(REPLY.more))).toMatchObject({ ok: false, error: { code: 'TOO_MANY_FRAMES' } });
    expect(assembler.pending).toBe(false);
  });

  it('reports a malformed frame and starts over', () => {
    const assembler = new ChafonInventoryAssembler('antenna');
    expect(assembler.push(frameOf(REPLY.oneTag))).toMatchObject({ ok: false, error: { code: 'MALFORMED_INVENTORY' } });
    expect(assembler.push(frameOf(REPLY.antenna))).toMatchObject({ ok: true, value: { frames: 1 } });
  });
});

describe('Chafon reader information', () => {
  const INFO: ChafonReaderInfo = {
    firmware: { major: 2, minor: 0x1a },
    readerType: 0x09,
    protocols: 0x03,
    maxFrequency: 0x3e,
    minFrequency: 0x00,
    power: 30,
    scanTimeMs: 1000,
  };

  it('decodes the reply vector and encodes it back', () => {
    const reply = decodeChafonReply(frameOf(REPLY.readerInfo));
    expect(reply.ok && decodeChafonReaderInfo(reply.value)).toEqual({ ok: true, value: INFO });
    expect(spaced(encodeChafonReaderInfoReply(0, INFO))).toBe(REPLY.readerInfo);
  });

  it('refuses a failed or short reply', () => {
    const failed = decodeChafonReply(frameOf(spaced(encodeChafonReply({ address: 0, command: 0x21, statusCode: 0xfe }))));
    expect(failed.ok && decodeChafonReaderInfo(failed.value)).toMatchObject({ ok: false, error: { code: 'UNEXPECTED_STATUS' } });
    const short = decodeChafonReply(frameOf(spaced(encodeChafonReply({ address: 0, command: 0x21, statusCode: 0, data: Uint8Array.of(1, 2) }))));
    expect(short.ok && decodeChafonReaderInfo(short.value)).toMatchObject({ ok: false, error: { code: 'MALFORMED_READER_INFO' } });
  });
});
