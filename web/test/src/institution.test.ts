/**
 * An institution's figures (web/src/institution.ts) and the disclosure's (web/src/disclosure.ts) from
 * API-shaped answers: the mass balance over every day of the period, today's figures, the climate
 * series and last reading on the server's clock, names with ids, the register's and disclosure's files.
 */
import { describe, expect, it } from 'vitest';
import { disclosureFiles, disclosureTotals, kgText, monthAsked, shareText, type DisclosureRow } from '../../src/disclosure.ts';
import { climateSeries, daysBetween, jurisdictionText, lastReading, massBalanceSeries, namesWithIds, registerCsvUrl, todayOf, type MassBalance } from '../../src/institution.ts';

const mb: MassBalance = {
  from: '2026-02-27',
  to: '2026-03-02',
  days: [
    { day: '2026-02-28', bags: 2, sealedGrams: 2500, received: 1, receivedGrams: 1200 },
    { day: '2026-03-02', bags: 1, sealedGrams: 800, received: 0, receivedGrams: 0 },
  ],
  total: { bags: 3, sealedGrams: 3300, received: 1, receivedGrams: 1200 },
};

describe('the mass balance', () => {
  it('has every day of the period, across a month end, zero where nothing was sealed', () => {
    expect(daysBetween('2026-02-27', '2026-03-02')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02']);
    expect(massBalanceSeries(mb)).toEqual({ days: ['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02'], sealedKg: [0, 2.5, 0, 0.8], receivedKg: [0, 1.2, 0, 0] });
  });

  it('has one day for a one-day period and none for a reversed one', () => {
    expect(daysBetween('2026-03-02', '2026-03-02')).toEqual(['2026-03-02']);
    expect(daysBetween('2026-03-03', '2026-03-02')).toEqual([]);
  });

  it("takes today as the period's last day, zero when nothing was sealed on it", () => {
    expect(todayOf(mb)).toEqual({ day: '2026-03-02', sealedGrams: 800, receivedGrams: 0, bags: 1 });
    expect(todayOf({ ...mb, to: '2026-03-03' })).toEqual({ day: '2026-03-03', sealedGrams: 0, receivedGrams: 0, bags: 0 });
  });
});

describe('the storage-room climate', () => {
  const samples = [
    { time: '2026-03-02T00:00:00Z', temperature: 182, humidity: 604, outdoor: 300, device: 'd', seq: 1 },
    { time: '2026-03-02T00:10:00Z', temperature: 235, humidity: 611, outdoor: null, device: 'd', seq: 2 },
  ];
  it('is °C from tenths, with a gap where the outdoor probe gave nothing', () => {
    expect(climateSeries({ samples })).toEqual({ room: [[Date.parse(samples[0]!.time), 18.2], [Date.parse(samples[1]!.time), 23.5]], outdoor: [[Date.parse(samples[0]!.time), 30], [Date.parse(samples[1]!.time), null]] });
  });

  it("dates the last reading against the answer's end (the server's now), never negative", () => {
    expect(lastReading({ samples, to: '2026-03-02T00:40:00Z' })).toEqual({ temperature: 23.5, humidity: 61.1, agoMs: 30 * 60_000 });
    expect(lastReading({ samples, to: '2026-03-02T00:00:00Z' })?.agoMs).toBe(0);
    expect(lastReading({ samples: [], to: '2026-03-02T00:40:00Z' })).toBeNull();
  });
});

describe('names and files', () => {
  it('writes the jurisdiction path by name, by id where it has none', () => {
    expect(jurisdictionText([{ id: 'hz', name: '杭州市' }, { id: 'hz-xh', name: null }])).toBe('杭州市 › hz-xh');
  });

  it('names an institution with its id, and an unknown one by its id alone', () => {
    const name = namesWithIds([{ id: 'hz-h001', name: 'City Hospital No. 1' }]);
    expect(name('hz-h001')).toBe('City Hospital No. 1 (hz-h001)');
    expect(name('hz-h009')).toBe('hz-h009');
  });

  it("asks the register of one institution's day", () => {
    expect(registerCsvUrl('hz-h001', '2026-03-02')).toBe('/api/v1/register.csv?institution=hz-h001&from=2026-03-02&to=2026-03-02');
  });
});

describe('the public disclosure', () => {
  const row = (institution: string, kgSealed: number, kgDisposed: number, confirmedViolations: number, share: number | null): DisclosureRow => ({ institution, name: institution, kind: 'hospital', jurisdiction: 'hz', bagsSealed: 1, kgSealed, bagsDisposed: 1, kgDisposed, handedOverWithin48hShare: share, confirmedViolations, riskClass: 'A' });

  it('takes only a real month from the URL', () => {
    expect(monthAsked('2026-03')).toBe('2026-03');
    for (const bad of ['', '2026-13', '2026-3', '2026-03-01', 'x']) expect(monthAsked(bad), bad).toBeUndefined();
  });

  it('sums the rows, and has zeros for none', () => {
    expect(disclosureTotals([row('a', 1.25, 1, 2, 1), row('b', 2.5, 0, 1, null)])).toEqual({ kgSealed: 3.75, kgDisposed: 1, violations: 3 });
    expect(disclosureTotals([])).toEqual({ kgSealed: 0, kgDisposed: 0, violations: 0 });
  });

  it('writes shares as percentages with one decimal at most, none as a dash, and kg with one decimal', () => {
    expect(shareText(0.875, 'en')).toBe('87.5 %');
    expect(shareText(1, 'en')).toBe('100 %');
    expect(shareText(0.33333, 'zh-CN')).toBe('33.3 %');
    expect(shareText(null, 'en')).toBe('–');
    expect(kgText(1234.56, 'en')).toBe('1,234.6');
    expect(kgText(0, 'zh-CN')).toBe('0.0');
  });

  it('links the JSON and CSV of the month', () => {
    expect(disclosureFiles('2026-03')).toEqual({ json: '/api/v1/public/disclosure?month=2026-03', csv: '/api/v1/public/disclosure.csv?month=2026-03' });
  });
});
