/**
 * The daily control index (server/src/dashboard/control-index.ts) and the daily view that lays the
 * store's counts out per day for the city and each institution (daily.ts).
 */
import { describe, expect, it } from 'vitest';
import { controlIndex, CONTROL_INDEX_WEIGHTS } from '../../src/dashboard/control-index.ts';
import { dailyView } from '../../src/dashboard/daily.ts';
import type { AlertDayFigures, BagDayFigures } from '../../src/store/index.ts';

const none = { handoverDue: 0, handedOverInTime: 0, weighed: 0, reconciled: 0, closeDue: 0, closedInTime: 0 };

describe('the control index', () => {
  it('is 100 when everything due was on time and 0 when nothing was', () => {
    expect(controlIndex({ handoverDue: 5, handedOverInTime: 5, weighed: 3, reconciled: 3, closeDue: 2, closedInTime: 2 })).toEqual({ index: 100, handover: 1, weight: 1, alerts: 1 });
    expect(controlIndex({ handoverDue: 5, handedOverInTime: 0, weighed: 3, reconciled: 0, closeDue: 2, closedInTime: 0 })).toEqual({ index: 0, handover: 0, weight: 0, alerts: 0 });
  });

  it('weighs the parts 0.4 / 0.3 / 0.3, to one decimal', () => {
    expect(CONTROL_INDEX_WEIGHTS).toEqual({ handover: 0.4, weight: 0.3, alerts: 0.3 });
    // 0.4 * 3/4 + 0.3 * 1/2 + 0.3 * 1/3 = 0.55
    expect(controlIndex({ handoverDue: 4, handedOverInTime: 3, weighed: 2, reconciled: 1, closeDue: 3, closedInTime: 1 })).toEqual({ index: 55, handover: 0.75, weight: 0.5, alerts: 1 / 3 });
    // 0.4 * 2/3 + 0.3 + 0.3 = 0.8666...
    expect(controlIndex({ handoverDue: 3, handedOverInTime: 2, weighed: 1, reconciled: 1, closeDue: 1, closedInTime: 1 }).index).toBe(86.7);
  });

  it('leaves out a part with nothing due and spreads its weight over the rest, rather than granting it', () => {
    // No alert: (0.4 * 3/4 + 0.3 * 1) / 0.7
    expect(controlIndex({ ...none, handoverDue: 4, handedOverInTime: 3, weighed: 2, reconciled: 2 })).toEqual({ index: 85.7, handover: 0.75, weight: 1, alerts: null });
    expect(controlIndex({ ...none, closeDue: 3, closedInTime: 1 })).toEqual({ index: 33.3, handover: null, weight: null, alerts: 1 / 3 });
    expect(controlIndex(none)).toEqual({ index: null, handover: null, weight: null, alerts: null });
  });

  it('never gives more than 100 %, even from inconsistent counts', () => {
    expect(controlIndex({ ...none, handoverDue: 1, handedOverInTime: 2 })).toEqual({ index: 100, handover: 1, weight: null, alerts: null });
  });
});

describe('the daily view', () => {
  const bagDay = (institution: string, day: string, over: Partial<BagDayFigures> = {}): BagDayFigures => ({ institution, day, bags: 2, sealedGrams: 2000, received: 1, receivedGrams: 990, handoverDue: 2, handedOverInTime: 1, weighed: 1, reconciled: 1, ...over });
  const alertDay = (institution: string | null, day: string, over: Partial<AlertDayFigures> = {}): AlertDayFigures => ({ institution, day, critical: 1, warning: 0, info: 0, closeDue: 1, closedInTime: 0, ...over });
  const days = ['2026-03-01', '2026-03-02', '2026-03-03'];

  it('gives every day of the window, empty days as zeros with no index, for the city and each institution', () => {
    const view = dailyView({ bags: [bagDay('h1', '2026-03-02'), bagDay('h2', '2026-03-02', { bags: 1, sealedGrams: 500, handoverDue: 1, handedOverInTime: 1, weighed: 0, reconciled: 0, received: 0, receivedGrams: 0 })], alerts: [alertDay('h1', '2026-03-03'), alertDay(null, '2026-03-03', { critical: 0, info: 2, closeDue: 0 })] }, days, ['h1', 'h2']);
    expect(view.city.days.map((d) => d.day)).toEqual(days);
    expect(view.city.days[0]).toMatchObject({ bags: 0, sealedGrams: 0, alertsOpened: { critical: 0, warning: 0, info: 0 }, control: { index: null } });
    expect(view.city.days[1]).toMatchObject({ bags: 3, sealedGrams: 2500, received: 1, receivedGrams: 990, handoverDue: 3, handedOverInTime: 2, weighed: 1, reconciled: 1 });
    // The district's own alerts count for the city, not for an institution.
    expect(view.city.days[2]).toMatchObject({ alertsOpened: { critical: 1, warning: 0, info: 2 }, closeDue: 1, closedInTime: 0, control: { index: 0, alerts: 0 } });
    expect(view.institutions.map((i) => i.institution)).toEqual(['h1', 'h2']);
    expect(view.institutions[0]!.days[2]!.alertsOpened).toEqual({ critical: 1, warning: 0, info: 0 });
    expect(view.institutions[1]!.days[2]!.alertsOpened).toEqual({ critical: 0, warning: 0, info: 0 });
    // The window: every count summed, its index from the sums (not a mean of the days' indexes).
    expect(view.city.window).toMatchObject({ bags: 3, handoverDue: 3, handedOverInTime: 2, weighed: 1, reconciled: 1, closeDue: 1, closedInTime: 0, alertsOpened: { critical: 1, warning: 0, info: 2 } });
    expect(view.city.window.control).toEqual(controlIndex({ handoverDue: 3, handedOverInTime: 2, weighed: 1, reconciled: 1, closeDue: 1, closedInTime: 0 }));
    expect(view.institutions[1]!.window.control).toEqual({ index: 100, handover: 1, weight: null, alerts: null });
  });

  it('ignores counts of an institution out of scope or a day out of the window', () => {
    const view = dailyView({ bags: [bagDay('h9', '2026-03-02'), bagDay('h1', '2026-02-28')], alerts: [alertDay('h9', '2026-03-02')] }, days, ['h1']);
    expect(view.city.window).toMatchObject({ bags: 0, closeDue: 0, alertsOpened: { critical: 0, warning: 0, info: 0 } });
  });
});
