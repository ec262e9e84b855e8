import { describe, expect, it } from 'vitest';
import { formatLocalDate, localDateOf, operatingMsBetween, startOfLocalDay, weekdayOf, zonedInstant, type OperatingHours } from '../../src/rules/index.ts';
import { offsetMs } from '../../src/rules/local-time.ts';

const SH = 'Asia/Shanghai';
const at = (s: string) => Date.parse(s);
const DAY_SHIFT: OperatingHours = { days: [1, 2, 3, 4, 5, 6, 7], from: '08:00', to: '18:00' };

describe('local time', () => {
  it('finds the local day and its start in the zone, not on the machine', () => {
    // 2026-03-02 is a Monday; 16:00Z is midnight in Hangzhou.
    expect(formatLocalDate(localDateOf(at('2026-03-02T15:59:59.999Z'), SH))).toBe('2026-03-02');
    expect(formatLocalDate(localDateOf(at('2026-03-02T16:00:00.000Z'), SH))).toBe('2026-03-03');
    expect(startOfLocalDay({ year: 2026, month: 3, day: 3 }, SH)).toBe(at('2026-03-02T16:00:00.000Z'));
    expect(weekdayOf({ year: 2026, month: 3, day: 2 })).toBe(1);
    expect(weekdayOf({ year: 2026, month: 3, day: 8 })).toBe(7);
  });

  it('gives each instant its zone\'s offset, across daylight-saving changes on the hour and at half past (offsets are remembered per hour)', () => {
    const formats = new Map<string, Intl.DateTimeFormat>();
    const direct = (ms: number, timeZone: string) => {
      if (!formats.has(timeZone)) formats.set(timeZone, new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }));
      const p = Object.fromEntries(formats.get(timeZone)!.formatToParts(ms).filter((x) => x.type !== 'literal').map((x) => [x.type, Number(x.value)]));
      return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - Math.floor(ms / 1000) * 1000;
    };
    // Berlin and New York change on the hour, Lord Howe by 30 minutes at 15:30Z, St John's at -03:30; Kathmandu never.
    const zones = ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'America/St_Johns', 'Asia/Kathmandu', SH];
    const windows = ['2026-03-07T00:00:00.000Z', '2026-03-28T00:00:00.000Z', '2026-04-04T00:00:00.000Z', '2026-10-03T00:00:00.000Z', '2026-10-24T00:00:00.000Z', '2026-10-31T00:00:00.000Z'];
    for (const zone of zones) {
      for (const from of windows) {
        // Three days, every 7 minutes and 13.001 seconds, twice: the second pass answers from the remembered hours.
        for (let pass = 0; pass < 2; pass++) {
          for (let ms = at(from); ms < at(from) + 3 * 86_400_000; ms += 433_001) expect(offsetMs(ms, zone), `${zone} ${new Date(ms).toISOString()}`).toBe(direct(ms, zone));
        }
      }
    }
  });

  it('keeps wall-clock hours across a daylight-saving change', () => {
    // Europe/Berlin moved to summer time on 2026-03-29 at 02:00.
    expect(zonedInstant({ year: 2026, month: 3, day: 29 }, 8 * 60, 'Europe/Berlin')).toBe(at('2026-03-29T06:00:00.000Z'));
    expect(zonedInstant({ year: 2026, month: 3, day: 28 }, 8 * 60, 'Europe/Berlin')).toBe(at('2026-03-28T07:00:00.000Z'));
  });

  it('counts only time inside operating hours', () => {
    // 17:50 to 08:20 the next day, local: 10 min before closing and 20 min after opening.
    expect(operatingMsBetween(at('2026-03-02T09:50:00.000Z'), at('2026-03-03T00:20:00.000Z'), [DAY_SHIFT], SH)).toBe(30 * 60_000);
    // Entirely at night.
    expect(operatingMsBetween(at('2026-03-02T11:00:00.000Z'), at('2026-03-02T23:00:00.000Z'), [DAY_SHIFT], SH)).toBe(0);
    // Weekdays only: Friday 17:00 to Monday 09:00 is 2 hours.
    const weekdays: OperatingHours = { ...DAY_SHIFT, days: [1, 2, 3, 4, 5] };
    expect(operatingMsBetween(at('2026-03-06T09:00:00.000Z'), at('2026-03-09T01:00:00.000Z'), [weekdays], SH)).toBe(2 * 3_600_000);
  });

  it('takes the union of overlapping hours, and stops counting once it has enough', () => {
    const evening: OperatingHours = { days: [1, 2, 3, 4, 5, 6, 7], from: '16:00', to: '22:00' };
    // 08:00-22:00 local on one day: 14 hours, not 16.
    expect(operatingMsBetween(at('2026-03-02T00:00:00.000Z'), at('2026-03-02T16:00:00.000Z'), [DAY_SHIFT, evening], SH)).toBe(14 * 3_600_000);
    const twoYears = operatingMsBetween(at('2024-01-01T00:00:00.000Z'), at('2026-01-01T00:00:00.000Z'), [DAY_SHIFT], SH, 60 * 60_000);
    expect(twoYears).toBeGreaterThanOrEqual(60 * 60_000);
    expect(twoYears).toBeLessThanOrEqual(10 * 3_600_000);
  });
});
