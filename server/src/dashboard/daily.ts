/**
 * The dashboard's daily figures (GET /api/v1/dashboard/daily): the store's counts per institution and
 * day laid out as every day of the window for the city and for each institution, each day and the
 * window as a whole with its control index. Pure.
 */
import type { AlertDayFigures, BagDayFigures, DailyFigures } from '../store/index.ts';
import { controlIndex, type ControlCounts, type ControlIndex } from './control-index.ts';

export interface DayFigures extends ControlCounts {
  day: string;
  bags: number;
  sealedGrams: number;
  received: number;
  receivedGrams: number;
  /** Alerts opened that day, by their severity when opened. */
  alertsOpened: { critical: number; warning: number; info: number };
  control: ControlIndex;
}

export type WindowFigures = Omit<DayFigures, 'day'>;

export interface DailyView {
  city: { days: DayFigures[]; window: WindowFigures };
  institutions: { institution: string; days: DayFigures[]; window: WindowFigures }[];
}

type Counts = Omit<DayFigures, 'day' | 'control'>;

const zero = (): Counts => ({ bags: 0, sealedGrams: 0, received: 0, receivedGrams: 0, alertsOpened: { critical: 0, warning: 0, info: 0 }, handoverDue: 0, handedOverInTime: 0, weighed: 0, reconciled: 0, closeDue: 0, closedInTime: 0 });

function addBags(c: Counts, b: BagDayFigures | Counts): void {
  c.bags += b.bags;
  c.sealedGrams += b.sealedGrams;
  c.received += b.received;
  c.receivedGrams += b.receivedGrams;
  c.handoverDue += b.handoverDue;
  c.handedOverInTime += b.handedOverInTime;
  c.weighed += b.weighed;
  c.reconciled += b.reconciled;
}

function addAlerts(c: Counts, a: AlertDayFigures | Counts): void {
  const opened = 'alertsOpened' in a ? a.alertsOpened : a;
  c.alertsOpened.critical += opened.critical;
  c.alertsOpened.warning += opened.warning;
  c.alertsOpened.info += opened.info;
  c.closeDue += a.closeDue;
  c.closedInTime += a.closedInTime;
}

const withIndex = (c: Counts) => ({ ...c, control: controlIndex(c) });

/** `days`: every local day of the window, oldest first; `institutions`: those in scope, in the order to list them. */
export function dailyView(figures: DailyFigures, days: readonly string[], institutions: readonly string[]): DailyView {
  const key = (institution: string | null, day: string) => `${institution ?? ''}\u0000${day}`;
  const cells = new Map<string, Counts>();
  const cell = (institution: string | null, day: string) => {
    const k = key(institution, day);
    let c = cells.get(k);
    if (!c) cells.set(k, (c = zero()));
    return c;
  };
  for (const b of figures.bags) addBags(cell(b.institution, b.day), b);
  for (const a of figures.alerts) addAlerts(cell(a.institution, a.day), a);

  const series = (members: readonly (string | null)[]) => {
    const window = zero();
    const out = days.map((day) => {
      const c = zero();
      for (const m of members) {
        const x = cells.get(key(m, day));
        if (x) {
          addBags(c, x);
          addAlerts(c, x);
        }
      }
      addBags(window, c);
      addAlerts(window, c);
      return { day, ...withIndex(c) };
    });
    return { days: out, window: withIndex(window) };
  };
  // The city: every institution in scope and the alerts routed to its jurisdictions (institution null).
  return { city: series([...institutions, null]), institutions: institutions.map((institution) => ({ institution, ...series([institution]) })) };
}
