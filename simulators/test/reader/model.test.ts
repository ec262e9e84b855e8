import {
  ChafonFrameParser,
  ChafonInventoryAssembler,
  decodeChafonReaderInfo,
  decodeChafonReply,
  encodeChafonFrame,
  encodeChafonInventoryCommand,
  encodeChafonReaderInfoCommand,
  epcFromBadgeId,
  fromHex,
  toHex,
  type ChafonVariant,
} from '@wastetrail/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { ReaderModel, type ReaderEvent } from '../../src/reader/model.ts';
import { parseReaderScriptLine } from '../../src/reader/script.ts';

const BAG = '3074257bf7194e4000001a85';
const BAG_2 = '3174257bf4499602d2000000';
const BADGE = 'giai:0614141.100742';
const BADGE_EPC = '3414257bf400000000018986';

function step(line: string): ReaderEvent {
  const parsed = parseReaderScriptLine(line);
  if (!parsed.ok || !parsed.step || parsed.step.kind === 'wait') throw new Error(`not an event: ${line}`);
  return parsed.step;
}

/** What a host would make of one inventory: the EPCs in order, and the final status. */
function inventory(model: ReaderModel, now: number, variant: ChafonVariant = model.variant) {
  const host = new ChafonFrameParser();
  const assembler = new ChafonInventoryAssembler(variant);
  const replies = model.receive(encodeChafonInventoryCommand(), now);
  const results = replies.flatMap((r) => host.push(r)).map((f) => assembler.push(f)).filter((r) => r !== undefined);
  expect(results).toHaveLength(1);
  const result = results[0]!;
  if (!result.ok) throw new Error(result.error.message);
  return { status: result.value.status, epcs: result.value.tags.map((t) => toHex(t.epc)), tags: result.value.tags, frames: replies.length };
}

describe('ReaderModel', () => {
  it('answers "no tag" with an empty field', () => {
    const model = new ReaderModel();
    expect(model.receive(encodeChafonInventoryCommand(), 0).map(toHex)).toEqual(['050001fbf23d']);
  });

  it('answers the SGTIN-96 vector for one bag on the pad', () => {
    const model = new ReaderModel();
    model.apply(step(`enter epc:${BAG}`), 0);
    expect(model.receive(encodeChafonInventoryCommand(), 0).map(toHex)).toEqual([`13000101010c${BAG}9382`]);
  });

  it('reads a bag again on every inventory until it leaves', () => {
    const model = new ReaderModel();
    model.apply(step(`enter epc:${BAG}`), 0);
    expect(inventory(model, 1000).epcs).toEqual([BAG]);
    expect(inventory(model, 60_000).epcs).toEqual([BAG]);
    model.apply(step(`leave epc:${BAG}`), 60_001);
    expect(inventory(model, 60_002)).toMatchObject({ status: 'noTag', epcs: [] });
  });

  it('keeps a tapped badge in the field for its dwell time only', () => {
    const model = new ReaderModel({ badgeDwellMs: 3000 });
    model.apply(step(`enter epc:${BAG}`), 0);
    model.apply(step(`badge ${BADGE}`), 1000);
    expect(inventory(model, 3999).epcs).toEqual([BAG, BADGE_EPC]);
    expect(inventory(model, 4000).epcs).toEqual([BAG]);
    model.apply(step(`enter epc:${BAG_2} for 500`), 5000);
    expect(inventory(model, 5499).epcs).toEqual([BAG, BAG_2]);
    expect(inventory(model, 5500).epcs).toEqual([BAG]);
  });

  it('lets a badge leave by its id, and clears the field', () => {
    const model = new ReaderModel();
    model.apply(step(`badge ${BADGE} for 100000`), 0);
    model.apply(step(`leave ${BADGE}`), 1);
    expect(inventory(model, 2).epcs).toEqual([]);
    model.apply(step(`enter epc:${BAG}`), 3);
    model.apply(step('clear'), 4);
    expect(inventory(model, 5).status).toBe('noTag');
  });

  it('splits many tags over frames with status "more"', () => {
    const model = new ReaderModel({ maxTagsPerFrame: 4 });
    const epcs = Array.from({ length: 10 }, (_, i) => `e2003412${i.toString(16).padStart(16, '0')}`);
    for (const e of epcs) model.apply(step(`enter epc:${e}`), 0);
    const result = inventory(model, 1);
    expect(result).toMatchObject({ status: 'done', epcs, frames: 3 });
  });

  it('fills frames to the length limit by default', () => {
    const model = new ReaderModel();
    for (let i = 0; i < 50; i++) model.apply(step(`enter epc:3074257bf7194e40${i.toString(16).padStart(8, '0')}`), 0);
    expect(inventory(model, 1)).toMatchObject({ frames: 3 });
  });

  it.each(['antenna', 'rssi', 'antenna-rssi'] as const)('speaks the %s variant', (variant) => {
    const model = new ReaderModel({ variant, rssiJitter: 0 });
    model.apply(step(`enter epc:${BAG} ant 2 rssi 77`), 0);
    model.apply(step(`badge ${BADGE} ant 1`), 0);
    const { tags, epcs } = inventory(model, 1);
    expect(epcs.sort()).toEqual([BAG, BADGE_EPC].sort());
    const bag = tags.find((t) => toHex(t.epc) === BAG)!;
    if (variant !== 'rssi') expect(bag.antenna).toBe(0x02);
    if (variant !== 'antenna') expect(bag.rssi).toBe(77);
    // The plain layout cannot read it: the setting matters.
    const assembler = new ChafonInventoryAssembler('plain');
    const wrong = model.receive(encodeChafonInventoryCommand(), 2).flatMap((r) => new ChafonFrameParser().push(r)).map((f) => assembler.push(f));
    expect(wrong.some((r) => r !== undefined && !r.ok)).toBe(true);
  });

  it('varies RSSI between reads by at most the jitter', () => {
    const model = new ReaderModel({ variant: 'rssi', rssiJitter: 3 });
    model.apply(step(`enter epc:${BAG} rssi 100`), 0);
    const seen = Array.from({ length: 50 }, (_, i) => inventory(model, i).tags[0]!.rssi!);
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(97);
    expect(Math.max(...seen)).toBeLessThanOrEqual(103);
    expect(new Set(seen).size).toBeGreaterThan(1);
  });

  it('answers reader information, 0xFE for an unknown command, and nothing for another address', () => {
    const model = new ReaderModel({ address: 0x05 });
    const info = model.receive(encodeChafonReaderInfoCommand(), 0);
    const reply = decodeChafonReply(new ChafonFrameParser().push(info[0]!)[0]!);
    expect(reply.ok && decodeChafonReaderInfo(reply.value)).toMatchObject({ ok: true, value: { readerType: 0x09 } });
    const unknown = model.receive(encodeChafonFrame({ address: 0xff, command: 0x66, data: new Uint8Array(0) }), 0);
    expect(unknown.map((f) => [f[1], f[2], f[3]])).toEqual([[0x05, 0x66, 0xfe]]);
    expect(model.receive(encodeChafonInventoryCommand(0x06), 0)).toEqual([]);
    expect(model.receive(encodeChafonInventoryCommand(0x05), 0)).toHaveLength(1);
    expect(model.stats).toMatchObject({ commands: 3, ignored: 1 });
  });

  it('answers commands split across chunks and several in one chunk', () => {
    const model = new ReaderModel();
    const cmd = encodeChafonInventoryCommand();
    expect(model.receive(cmd.subarray(0, 2), 0)).toEqual([]);
    expect(model.receive(cmd.subarray(2), 0)).toHaveLength(1);
    expect(model.receive(Uint8Array.of(...cmd, ...encodeChafonReaderInfoCommand()), 0)).toHaveLength(2);
  });

  it('puts noise on the line, repeatably for a seed', () => {
    const a = new ReaderModel().apply(step('noise 16'), 0);
    const b = new ReaderModel().apply(step('noise 16'), 0);
    expect(a[0]).toHaveLength(16);
    expect(toHex(a[0]!)).toBe(toHex(b[0]!));
    expect(new ReaderModel().apply(step('noise 0'), 0)).toEqual([]);
  });

  it('corrupts the next reply once when asked', () => {
    const model = new ReaderModel();
    model.apply(step(`enter epc:${BAG}`), 0);
    model.apply(step('corrupt'), 0);
    const host = new ChafonFrameParser();
    const bad = model.receive(encodeChafonInventoryCommand(), 0);
    host.push(bad[0]!);
    host.flush();
    expect(host.counters.frames).toBe(0);
    expect(host.counters.dropped.badCrc).toBeGreaterThanOrEqual(1);
    expect(host.push(model.receive(encodeChafonInventoryCommand(), 0)[0]!)).toHaveLength(1);
  });

  it('answers a command behind junk once the line goes quiet', () => {
    const model = new ReaderModel();
    expect(model.receive(Uint8Array.of(0xf0, ...encodeChafonInventoryCommand()), 0)).toEqual([]);
    expect(model.lineIdle(0)).toHaveLength(1);
  });
});

describe('reader script lines', () => {
  it('parses every verb', () => {
    const kinds = ['enter epc:' + BAG, `badge ${BADGE}`, `leave epc:${BAG}`, 'clear', 'noise 3', 'corrupt', 'wait 500'].map((l) => {
      const r = parseReaderScriptLine(l);
      return r.ok ? r.step?.kind : r.message;
    });
    expect(kinds).toEqual(['enter', 'enter', 'leave', 'clear', 'noise', 'corrupt-next-reply', 'wait']);
  });

  it('parses options, comments and blank lines', () => {
    expect(parseReaderScriptLine(`  enter epc:${BAG} ant 3 rssi 90 for 2000   # on the pad`)).toEqual({
      ok: true,
      step: { kind: 'enter', tag: { epc: fromHex(BAG), kind: 'bag', antenna: 3, rssi: 90, forMs: 2000 } },
    });
    expect(parseReaderScriptLine(`badge ${BADGE}`)).toMatchObject({ ok: true, step: { tag: { epc: epcFromBadgeId(BADGE), kind: 'badge' } } });
    expect(parseReaderScriptLine('   ')).toEqual({ ok: true, step: undefined });
    expect(parseReaderScriptLine('# only a comment')).toEqual({ ok: true, step: undefined });
  });

  it('explains bad lines', () => {
    for (const line of ['enter', 'enter qr:WT1.X', 'enter epc:ABCD', 'badge nurse 7', 'noise many', 'wait -1', 'enter epc:deadbeef ant 9', 'enter epc:deadbeef colour red', 'clear now', 'jump']) {
      expect(parseReaderScriptLine(line).ok, line).toBe(false);
    }
  });
});
