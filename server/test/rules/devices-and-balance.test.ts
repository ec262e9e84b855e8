/** Device silence and the daily mass balance: rules over fleets and days rather than one bag. */
import { describe, expect, it } from 'vitest';
import { evaluateRules, ruleConfig, type DeviceStatus } from '../../src/rules/index.ts';
import { at, DISPOSAL, H, HOSPITAL, HOSPITAL_2, inputs, MIN, RecordBook, tag } from './support.ts';

describe('device silent', () => {
  // Hangzhou is UTC+8: 17:50 local on Monday 2 March is 09:50Z.
  const lastSeenMs = at('2026-03-02T09:50:00.000Z');
  const kiosk: DeviceStatus = { device: 'hz-h001-k01', institution: HOSPITAL, lastSeenMs, stations: ['department'] };
  const judge = (nowMs: number, devices: DeviceStatus[] = [kiosk], config = ruleConfig()) => evaluateRules(inputs({ nowMs, devices, rules: ['device-silent'] }, config));

  it('counts only operating hours: quiet overnight is not an outage, 30 min into the next morning is', () => {
    expect(judge(at('2026-03-03T00:19:00.000Z')).candidates).toEqual([]); // 08:19: 10 + 19 min
    const found = judge(at('2026-03-03T00:20:00.000Z')).candidates; // 08:20: 10 + 20 min
    expect(found).toMatchObject([{ rule: 'device-silent', severity: 'warning', dedupeKey: 'device-silent:device:hz-h001-k01', device: 'hz-h001-k01', sinceMs: lastSeenMs }]);
    expect(found[0]!.message).toBe(`Device hz-h001-k01 at ${HOSPITAL} has sent nothing since 2026-03-02T09:50:00.000Z: more than 30 min of operating hours.`);
  });

  it('fires during the day after N minutes, and never for a device not yet seen', () => {
    const noon = at('2026-03-02T04:00:00.000Z');
    const d: DeviceStatus = { ...kiosk, lastSeenMs: noon };
    expect(judge(noon + 29 * MIN, [d]).candidates).toEqual([]);
    expect(judge(noon + 30 * MIN, [d]).candidates).toHaveLength(1);
    const { lastSeenMs: _, ...neverSeen } = kiosk;
    const r = judge(noon + 30 * 24 * H, [neverSeen]);
    expect(r.candidates).toEqual([]);
    expect(r.evaluated.subjects).toEqual(['device:hz-h001-k01']);
  });

  it('keeps the hours of each station: a disposal line running all night is missed at night', () => {
    const config = ruleConfig({ defaults: { deviceSilent: { stationHours: { disposal: { days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' } } } } });
    const line: DeviceStatus = { device: 'hz-d001-l01', institution: DISPOSAL, lastSeenMs: at('2026-03-02T17:00:00.000Z'), stations: ['disposal'] }; // 01:00 local
    const ward: DeviceStatus = { ...kiosk, lastSeenMs: at('2026-03-02T17:00:00.000Z') };
    const r = judge(at('2026-03-02T17:30:00.000Z'), [line, ward], config);
    expect(r.candidates.map((c) => c.device)).toEqual(['hz-d001-l01']);
  });

  it('takes the silence limit and hours from the device institution jurisdiction', () => {
    const config = ruleConfig({ jurisdictions: { '330106-g02': { deviceSilent: { minutes: 120 } } } });
    const noon = at('2026-03-02T04:00:00.000Z');
    const h1: DeviceStatus = { ...kiosk, lastSeenMs: noon };
    const h2: DeviceStatus = { ...kiosk, device: 'hz-h002-k01', institution: HOSPITAL_2, lastSeenMs: noon };
    expect(judge(noon + H, [h1, h2], config).candidates.map((c) => c.device)).toEqual(['hz-h001-k01']);
    expect(judge(noon + 2 * H, [h1, h2], config).candidates.map((c) => c.device)).toEqual(['hz-h001-k01', 'hz-h002-k01']);
  });
});

describe('mass balance', () => {
  // Bags sealed on Monday 2 March (local); the day ends at 16:00Z, and is judged 72 h later.
  const day = at('2026-03-02T01:00:00.000Z');
  const settled = at('2026-03-05T16:00:00.000Z');

  function dayOf(received: (i: number) => number | undefined) {
    const book = new RecordBook();
    for (let i = 0; i < 5; i++) book.seal(tag(i), day + i * MIN, 2000);
    for (let i = 0; i < 5; i++) {
      const grams = received(i);
      if (grams === undefined) continue;
      book.store([{ tag: tag(i) }], 2000, day + 2 * H);
      book.pickUp([{ tag: tag(i) }], 2000, day + 20 * H);
      book.receive([{ tag: tag(i) }], grams, day + 21 * H);
    }
    return book;
  }
  const judge = (book: RecordBook, nowMs: number, config = ruleConfig()) => evaluateRules(inputs({ nowMs, trails: book.trails(), rules: ['mass-balance'] }, config));

  it('fires per institution and day when kilograms sealed and received differ, once the day has settled', () => {
    const book = dayOf((i) => (i < 3 ? 2000 : undefined));
    expect(judge(book, settled - 1).candidates).toEqual([]);
    const found = judge(book, settled).candidates;
    expect(found).toMatchObject([
      {
        rule: 'mass-balance',
        severity: 'warning',
        dedupeKey: `mass-balance:institution-day:${HOSPITAL}/2026-03-02`,
        institution: HOSPITAL,
        params: { date: '2026-03-02', sealedKg: 10, receivedKg: 6, diffPercent: 40, bags: 5, missingBags: 2 },
        sinceMs: at('2026-03-01T16:00:00.000Z'),
      },
    ]);
    expect(found[0]!.evidence).toHaveLength(2);
  });

  it('is silent within the threshold, fires beyond it on weight alone', () => {
    expect(judge(dayOf(() => 1950), settled).candidates).toEqual([]); // 250 g of 10 kg: under the 1 kg floor
    expect(judge(dayOf(() => 1700), settled).candidates).toMatchObject([{ params: { receivedKg: 8.5, missingBags: 0 } }]);
  });

  it('judges the last lookbackDays settled days, each a subject, and leaves older days alone', () => {
    const book = dayOf(() => undefined);
    const r = judge(book, settled);
    expect(r.evaluated.subjects.filter((s) => s.startsWith(`institution-day:${HOSPITAL}/`))).toEqual(
      ['02-24', '02-25', '02-26', '02-27', '02-28', '03-01', '03-02'].map((d) => `institution-day:${HOSPITAL}/2026-${d}`),
    );
    expect(judge(book, settled + 7 * 24 * H).candidates).toEqual([]);
  });

  it('shares a receipt weighed as a whole among its bags by sealed weight', () => {
    const book = new RecordBook();
    book.seal(tag(1), day, 1000);
    book.seal(tag(2), day, 3000);
    book.receive([{ tag: tag(1) }, { tag: tag(2) }], 2500, day + 20 * H);
    // 4 kg sealed, 2.5 kg received: 37.5 % off, and no bag missing.
    expect(judge(book, settled).candidates).toMatchObject([{ params: { sealedKg: 4, receivedKg: 2.5, diffPercent: 37.5, missingBags: 0 } }]);
  });
});
