/**
 * The daily control index (医废管控指数, after Haining's): how well a day's waste was kept under control,
 * 0-100. Pure: counts in, index out. docs/web.md#the-daily-control-index defines it; the counts come
 * from the store (repository.ts DailyFiguresQuery says what each one counts).
 */

/** What each part weighs in the index: the handover on time first (the regulations' 48 h), then the weights and the alerts. */
export const CONTROL_INDEX_WEIGHTS = { handover: 0.4, weight: 0.3, alerts: 0.3 } as const;
export type ControlIndexPart = keyof typeof CONTROL_INDEX_WEIGHTS;

/** An alert is closed in time when resolved within this many hours of being opened (a working day's answer). */
export const ALERT_CLOSE_HOURS = 24;

export interface ControlCounts {
  handoverDue: number;
  handedOverInTime: number;
  weighed: number;
  reconciled: number;
  closeDue: number;
  closedInTime: number;
}

export interface ControlIndex {
  /** 0-100, one decimal; null when no part has anything to judge yet. */
  index: number | null;
  /** Each part's share (0-1), null when nothing of it is due. */
  handover: number | null;
  weight: number | null;
  alerts: number | null;
}

const share = (good: number, due: number): number | null => (due > 0 ? Math.min(good, due) / due : null);

/**
 * The weighted mean of the parts that have something to judge, the weights of the others spread over
 * the rest: a day without alerts is judged on its bags alone, not given a free 100 % for alerts.
 */
export function controlIndex(c: ControlCounts): ControlIndex {
  const parts: Record<ControlIndexPart, number | null> = {
    handover: share(c.handedOverInTime, c.handoverDue),
    weight: share(c.reconciled, c.weighed),
    alerts: share(c.closedInTime, c.closeDue),
  };
  let sum = 0;
  let weights = 0;
  for (const [part, value] of Object.entries(parts) as [ControlIndexPart, number | null][]) {
    if (value === null) continue;
    sum += CONTROL_INDEX_WEIGHTS[part] * value;
    weights += CONTROL_INDEX_WEIGHTS[part];
  }
  return { index: weights > 0 ? Math.round((1000 * sum) / weights) / 10 : null, ...parts };
}
