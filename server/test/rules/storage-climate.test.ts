/**
 * The 25/20 °C storage rule and the climate sensor falling silent, on a hot July day in Hangzhou
 * (UTC+8): a bag stored at 17:15 and picked up the next morning, the room's readings every 10 minutes
 * and the outdoor probe's with them.
 */
import { describe, expect, it } from 'vitest';
import { evaluateRules, ruleConfig, type RoomClimate, type RuleId } from '../../src/rules/index.ts';
import { at, H, HOSPITAL, inputs, MIN, RecordBook, tag } from './support.ts';

/** Local midnight starting 2026-07-20 in Hangzhou. */
const DAY = at('2026-07-19T16:00:00.000Z');
const local = (hours: number) => DAY + hours * H;

/** A bag stored at 17:15 on the 20th, picked up at `pickupAt` local hours (from the 20th's midnight). */
function book(pickupAt = 34) {
  const b = new RecordBook();
  b.seal(tag(1), local(9));
  b.collect([{ tag: tag(1) }], 1000, local(11));
  b.store([{ tag: tag(1) }], 1000, local(17.25));
  if (pickupAt !== Infinity) b.pickUp([{ tag: tag(1) }], 1000, local(pickupAt));
  return b;
}

/**
 * Readings every 10 min over the 20th and the 21st: the room at `room(h)` and outdoors at `outdoor(h)`
 * tenths of a degree (h: local hours from the 20th's midnight); outdoor giving undefined: no probe.
 */
function climate(room: (h: number) => number, outdoor: (h: number) => number | undefined = daytime(330), untilHours = 48): RoomClimate {
  const readings = [];
  for (let m = 0; m < untilHours * 60; m += 10) {
    const h = m / 60;
    const o = outdoor(h);
    readings.push({ timeMs: local(h), temperature: room(h), ...(o !== undefined ? { outdoor: o } : {}), record: { device: 'hz-h001-storage', seq: 1 + Math.floor(m / 100), hash: 'a'.repeat(64) } });
  }
  return { institution: HOSPITAL, room: 'R1', readings, lastReadingMs: readings.at(-1)!.timeMs };
}

/** Outdoors: `peak` tenths at 14:00, 10 °C cooler at night. */
function daytime(peak: number) {
  return (h: number) => Math.round(peak - 100 * Math.abs(((h % 24) - 14) / 14));
}

/** The cold room fails at 22:00 on the 20th and is fixed at 06:00 on the 21st. */
const failedOvernight = (warm = 235) => (h: number) => (h >= 22 && h < 30 ? warm : 180);

function judge(b: RecordBook, room: RoomClimate, nowMs: number, rule: RuleId = 'storage-climate', config = ruleConfig()) {
  return evaluateRules(inputs({ nowMs, trails: b.trails(), climate: [room], rules: [rule] }, config)).candidates;
}

describe('the 25/20 °C storage rule', () => {
  it('a cold room failing overnight after a hot day, with the bag held over: critical, from midnight (the day had to end first)', () => {
    const found = judge(book(), climate(failedOvernight()), local(48));
    expect(found).toMatchObject([
      {
        rule: 'storage-climate',
        severity: 'critical',
        dedupeKey: `storage-climate:site:${HOSPITAL}/R1`,
        institution: HOSPITAL,
        jurisdiction: '330106-g01',
        params: { room: 'R1', peakCelsius: 23.5, maxCelsius: 20, hotDayCelsius: 25, bags: 1, from: new Date(local(24)).toISOString(), minutes: 350 },
      },
    ]);
    expect(found[0]!.sinceMs).toBe(local(24));
    expect(found[0]!.evidence.length).toBeGreaterThan(0);
    expect(found[0]!.message).toContain('23.5 °C');
  });

  it('not a hot day (outdoor maximum 24.9 °C): the room may be warm', () => {
    expect(judge(book(), climate(failedOvernight(), daytime(249)), local(48))).toEqual([]);
    // 25.0 °C is not above 25; 25.1 is.
    expect(judge(book(), climate(failedOvernight(), daytime(250)), local(48))).toEqual([]);
    expect(judge(book(), climate(failedOvernight(), daytime(251)), local(48))).toHaveLength(1);
  });

  it('the bag cleared the same day: nothing held over, nothing to keep cold', () => {
    expect(judge(book(20), climate(failedOvernight()), local(48))).toEqual([]);
    // Picked up at 00:20 on the 21st: held over, warm for the two readings at 00:00 and 00:10, under the grace.
    expect(judge(book(24 + 20 / 60), climate(failedOvernight()), local(48))).toEqual([]);
  });

  it('at or above 20.0 °C counts, 19.9 does not', () => {
    expect(judge(book(), climate(failedOvernight(200)), local(48))).toHaveLength(1);
    expect(judge(book(), climate(failedOvernight(199)), local(48))).toEqual([]);
  });

  it('graceMinutes: a warm stretch of 20 min (a door open for a handover) does not count, 30 min does', () => {
    const from = 26;
    const stretch = (minutes: number) => (h: number) => (h >= from && h < from + minutes / 60 ? 240 : 180);
    // Readings are 10 min apart: 30 min warm is readings at 0, 10, 20 and the stretch spans 20 min of them.
    expect(judge(book(), climate(stretch(30)), local(48))).toEqual([]);
    expect(judge(book(), climate(stretch(40)), local(48))).toMatchObject([{ params: { minutes: 30 } }]);
    expect(judge(book(), climate(stretch(20)), local(48), 'storage-climate', ruleConfig({ defaults: { storageClimate: { graceMinutes: 10 } } }))).toHaveLength(1);
  });

  it('no outdoor probe: assume-hot by default; room-maximum lets a room that never passed 25 °C decide', () => {
    const noProbe = climate(failedOvernight(), () => undefined);
    expect(judge(book(), noProbe, local(48))).toHaveLength(1);
    const byRoom = ruleConfig({ defaults: { storageClimate: { withoutOutdoorProbe: 'room-maximum' } } });
    expect(judge(book(), noProbe, local(48), 'storage-climate', byRoom)).toEqual([]);
    // The room itself at 26 °C the evening before: that day was hot by the room's own reading.
    const roomHot = climate((h) => (h >= 18 && h < 22 ? 260 : failedOvernight()(h)), () => undefined);
    expect(judge(book(), roomHot, local(48), 'storage-climate', byRoom)).toHaveLength(1);
  });

  it('judged on every reading in the window: readings that arrive after the room cooled down still show the breach', () => {
    const found = judge(book(), climate(failedOvernight(), daytime(330), 40), local(40));
    expect(found).toHaveLength(1);
    // Still an alert when the bag has long gone: the records prove the night.
    expect(judge(book(30), climate(failedOvernight()), local(47))).toHaveLength(1);
  });

  it('the same alert whatever order the readings come in (records arrive out of order after an outage)', () => {
    const room = climate(failedOvernight());
    const reversed = { ...room, readings: [...room.readings].reverse() };
    expect(judge(book(), reversed, local(48))).toEqual(judge(book(), room, local(48)));
  });

  it('a clean hot day: the cold room holds 18 °C, the bag stays overnight, no alert', () => {
    expect(judge(book(), climate(() => 180), local(48))).toEqual([]);
  });

  it('thresholds per jurisdiction: a district that keeps waste below 15 °C', () => {
    const strict = ruleConfig({ jurisdictions: { '330106': { storageClimate: { maxCelsius: 15 } } } });
    expect(judge(book(), climate(() => 180), local(48), 'storage-climate', strict)).toMatchObject([{ params: { maxCelsius: 15, peakCelsius: 18 } }]);
  });
});

describe('climate sensor silent', () => {
  const room = (lastHours: number) => {
    const c = climate(() => 180, daytime(330), lastHours);
    return c;
  };

  it('no reading for more than 60 min while a bag is stored: warning; at 60 min not yet', () => {
    const c = room(30);
    const last = c.lastReadingMs;
    expect(judge(book(), c, last + 60 * MIN, 'climate-silent')).toEqual([]);
    expect(judge(book(), c, last + 61 * MIN, 'climate-silent')).toMatchObject([
      { rule: 'climate-silent', severity: 'warning', dedupeKey: `climate-silent:site:${HOSPITAL}/R1`, params: { room: 'R1', bags: 1, limitMinutes: 60, lastReading: new Date(last).toISOString() } },
    ]);
  });

  it('an empty room owes no readings; a room that never had a sensor is not judged', () => {
    const c = room(20);
    expect(judge(book(), c, local(40), 'climate-silent')).toEqual([]);
    expect(evaluateRules(inputs({ nowMs: local(30), trails: book().trails(), rules: ['climate-silent'] })).candidates).toEqual([]);
  });

  it('silent since the bag arrived when the sensor died before', () => {
    const c = room(12);
    const [found] = judge(book(Infinity), c, local(20), 'climate-silent');
    expect(found!.sinceMs).toBe(local(17.25));
  });
});
