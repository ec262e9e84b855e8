/** Runs a city model with stations that always succeed at once: the pure rhythm, without agents. */
import type { CityAction, CityModel } from '../../src/city/model.ts';

export interface PerfectRun {
  actions: CityAction[];
  notes: string[];
}

export function runPerfectly(model: CityModel, untilMs: number): PerfectRun {
  const actions: CityAction[] = [];
  const notes: string[] = [];
  for (let guard = 0; guard < 1_000_000; guard++) {
    const due = model.nextDue();
    if (due === undefined || due > untilMs) break;
    const started = model.start(due);
    notes.push(...model.takeNotes());
    if (started.length === 0 && model.busy === 0 && model.nextDue() === due) throw new Error(`stuck at ${due}`);
    for (const a of started) {
      actions.push(a);
      const committed = a.kind === 'seal' ? [a.tag] : a.kind === 'handover' ? a.loads.flatMap((l) => l.bags) : [];
      model.finish(a.id, { ok: true, committed });
    }
  }
  notes.push(...model.takeNotes());
  return { actions, notes };
}
