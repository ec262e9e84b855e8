/** The accelerated clock, local days in Hangzhou, and the progress line on a terminal and in a log. */
import { describe, expect, it } from 'vitest';
import { formatProgress, ProgressDisplay, type CityProgress } from '../../src/city/progress.ts';
import { AcceleratedTime, clockTime, firstMorning, formatLocalTime, localDateCode, localMidnight } from '../../src/city/time.ts';

describe('city time', () => {
  it('runs `speed` times faster than the real clock and never goes back', () => {
    let real = 1000;
    const t = new AcceleratedTime({ startMs: Date.UTC(2026, 2, 2), speed: 1440, realNow: () => real });
    expect(t.now()).toBe(Date.UTC(2026, 2, 2));
    real += 1000;
    expect(t.now()).toBe(Date.UTC(2026, 2, 2) + 1_440_000);
    real -= 500; // a real clock that stepped back
    expect(t.now()).toBe(Date.UTC(2026, 2, 2) + 1_440_000);
    expect(t.realMsUntil(Date.UTC(2026, 2, 2) + 2_880_000)).toBe(1000);
    expect(() => new AcceleratedTime({ startMs: 0, speed: 0 })).toThrow(RangeError);
  });

  it('keeps local days at UTC+8', () => {
    const t = Date.UTC(2026, 2, 1, 17, 30); // 01:30 on 2 March in Hangzhou
    expect(formatLocalTime(t)).toBe('2026-03-02 01:30');
    expect(localMidnight(t)).toBe(Date.UTC(2026, 2, 1, 16));
    expect(localDateCode(t)).toBe('20260302');
    expect(firstMorning(t)).toBe(Date.UTC(2026, 2, 1, 23, 30));
    expect(clockTime('14:05')).toBe(14 * 3600_000 + 5 * 60_000);
    expect(() => clockTime('25:00')).toThrow(RangeError);
  });
});

const progress = (over: Partial<CityProgress> = {}): CityProgress => ({
  simTime: Date.UTC(2026, 2, 2, 6, 5),
  counts: { sealed: 52, collected: 8, stored: 40, pickedUp: 30, received: 28, disposed: 20, failed: 0, lost: 0 },
  records: 412,
  backlog: 3,
  stations: 13,
  offline: 1,
  ...over,
});

describe('progress', () => {
  it('says simulated time, bags at each step, records and backlog on one line', () => {
    expect(formatProgress(progress())).toBe('2026-03-02 14:05 | sealed 52  picked-up 30  received 28  disposed 20 | records 412  backlog 3 | 13 stations, 1 offline');
  });

  it('rewrites one line in place on a terminal, with notes above it', () => {
    const written: string[] = [];
    const d = new ProgressDisplay({ isTTY: true, columns: 200, write: (s: string) => written.push(s) }, () => progress());
    d.start();
    d.note('incident rogue-device: refused');
    d.stop();
    const text = written.join('');
    expect(text.startsWith('\r\x1b[2K2026-03-02 14:05 |')).toBe(true);
    expect(text).toContain('\r\x1b[2Kincident rogue-device: refused\n');
    expect(text.endsWith('13 stations, 1 offline\n')).toBe(true);
  });

  it('prints plain lines, without escape codes, when the output is not a terminal', () => {
    const written: string[] = [];
    const d = new ProgressDisplay({ write: (s: string) => written.push(s) }, () => progress(), 60_000);
    d.start();
    d.note('incident cloned-tag: ...');
    d.stop();
    expect(written.join('')).not.toContain('\x1b');
    // The last line is not repeated when nothing changed.
    expect(written).toEqual([`${formatProgress(progress())}\n`, 'incident cloned-tag: ...\n']);
  });
});
