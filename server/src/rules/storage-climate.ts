/**
 * The 25/20 °C storage rule: waste not cleared the same day on a day above 25 °C must be kept below
 * 20 °C. A bag held over from a hot day (in the room when that local day ended) needs the room below
 * maxCelsius from then until it leaves; a stretch of readings at or above it, lasting graceMinutes,
 * while such a bag is there is a breach. A day is hot when its outdoor probe's maximum is above
 * hotDayCelsius; a day without an outdoor reading is judged as `withoutOutdoorProbe` says
 * (docs/transport/storage-climate.md says why).
 *
 * Judged on every reading in the window, not only the newest: readings that arrive after an outage
 * still show the night the room was warm.
 */
import type { BagTrail } from '../custody/trail.ts';
import { isoTime, subjectKey, type AlertCandidate, type EvidenceRef, type RuleId } from './candidate.ts';
import type { RuleThresholds } from './config.ts';
import { addDays, formatLocalDate, localDateOf, startOfLocalDay, type LocalDate } from './local-time.ts';
import { candidate, inCustody, stepRank, timeOf, trailRule, type ClimateReading, type Rule, type RuleContext, type RuleOutput } from './rule.ts';

/** A bag's stay in a storage room: from its `stored` step until its next step further on (or still there). */
export interface RoomStay {
  bag: string;
  fromMs: number;
  untilMs: number;
}

/** A storage room as rules key it: `institution/room` (the `site:` subject's id). */
export const siteKey = (institution: string, room: string) => `${institution}/${room}`;

/**
 * Every bag's stays in the storage rooms that have a sensor (`institution/room`), gathered one trail at
 * a time (rooms without a sensor are not judged by the climate rules, so their stays are not kept).
 */
export class RoomStays {
  private readonly byRoom = new Map<string, RoomStay[]>();
  private readonly sensed: ReadonlySet<string>;

  constructor(ctx: RuleContext) {
    this.sensed = new Set(ctx.climate.map((r) => siteKey(r.institution, r.room)));
  }

  add(trail: BagTrail): void {
    if (!inCustody(trail)) return;
    trail.steps.forEach((s, i) => {
      if (s.step !== 'stored') return;
      const key = siteKey(s.institution, s.holder.id);
      if (!this.sensed.has(key)) return;
      // The stay ends at the next step that takes the bag further (a move to another room is a new stay).
      const next = trail.steps.slice(i + 1).find((n) => n.step === 'stored' || stepRank(n.step) > stepRank('stored'));
      let list = this.byRoom.get(key);
      if (!list) this.byRoom.set(key, (list = []));
      list.push({ bag: trail.bag, fromMs: timeOf(s), untilMs: next ? timeOf(next) : Infinity });
    });
  }

  of(room: string): readonly RoomStay[] {
    return this.byRoom.get(room) ?? [];
  }
}

/** Whether each local day (YYYY-MM-DD) of these readings was hot. */
function hotDays(readings: readonly ClimateReading[], t: RuleThresholds): (day: LocalDate) => boolean {
  const outdoorMax = new Map<string, number>();
  const roomMax = new Map<string, number>();
  for (const r of readings) {
    const day = formatLocalDate(localDateOf(r.timeMs, t.timeZone));
    roomMax.set(day, Math.max(roomMax.get(day) ?? -Infinity, r.temperature));
    if (r.outdoor !== undefined) outdoorMax.set(day, Math.max(outdoorMax.get(day) ?? -Infinity, r.outdoor));
  }
  const limit = t.storageClimate.hotDayCelsius * 10;
  return (d) => {
    const day = formatLocalDate(d);
    const outdoor = outdoorMax.get(day);
    if (outdoor !== undefined) return outdoor > limit;
    if (t.storageClimate.withoutOutdoorProbe === 'assume-hot') return true;
    return (roomMax.get(day) ?? -Infinity) > limit;
  };
}

/** The bags in the room at `atMs` that were held over from a hot day (in the room when it ended). */
function heldOverFromHotDay(stays: readonly RoomStay[], atMs: number, hot: (d: LocalDate) => boolean, timeZone: string): string[] {
  const bags: string[] = [];
  for (const s of stays) {
    if (s.fromMs > atMs || s.untilMs <= atMs) continue;
    const today = localDateOf(atMs, timeZone);
    // Each local day from the stored day up to yesterday ended with the bag in the room.
    for (let d = localDateOf(s.fromMs, timeZone); startOfLocalDay(d, timeZone) < startOfLocalDay(today, timeZone); d = addDays(d, 1)) {
      if (hot(d)) {
        bags.push(s.bag);
        break;
      }
    }
  }
  return bags;
}

interface Breach {
  fromMs: number;
  toMs: number;
  peak: number;
  bags: Set<string>;
  evidence: EvidenceRef[];
}

/** A climate rule: the stays in sensed rooms gathered from the trails, then the rooms judged. */
export function roomStaysRule(id: RuleId, judge: (ctx: RuleContext, stays: RoomStays) => RuleOutput): Rule {
  return trailRule(id, (ctx) => {
    const stays = new RoomStays(ctx);
    return { add: (trail) => stays.add(trail), finish: () => judge(ctx, stays) };
  });
}

export const StorageClimateRule = roomStaysRule('storage-climate', judgeRooms);

function judgeRooms(ctx: RuleContext, stays: RoomStays): RuleOutput {
  const candidates: AlertCandidate[] = [];
  for (const room of ctx.climate) {
    const key = siteKey(room.institution, room.room);
    const t = ctx.thresholds(room.institution);
    const limit = t.storageClimate.maxCelsius * 10;
    // In time order whatever order they came in: a run is consecutive readings.
    const readings = [...room.readings].sort((a, b) => a.timeMs - b.timeMs);
    const hot = hotDays(readings, t);
    const roomStaysHere = stays.of(key);
    // Runs of consecutive readings at or above the limit with a held-over bag in the room.
    const breaches: Breach[] = [];
    let run: Breach | undefined;
    for (const r of readings) {
      const bags = r.temperature >= limit ? heldOverFromHotDay(roomStaysHere, r.timeMs, hot, t.timeZone) : [];
      if (bags.length === 0) {
        run = undefined;
        continue;
      }
      if (!run) breaches.push((run = { fromMs: r.timeMs, toMs: r.timeMs, peak: r.temperature, bags: new Set(), evidence: [] }));
      run.toMs = r.timeMs;
      run.peak = Math.max(run.peak, r.temperature);
      for (const b of bags) run.bags.add(b);
      run.evidence.push(r.record);
    }
    const graceMs = t.storageClimate.graceMinutes * 60_000;
    const counted = breaches.filter((b) => b.toMs - b.fromMs >= graceMs);
    const latest = counted.at(-1);
    if (!latest) continue;
    candidates.push(
      candidate('storage-climate', ctx, {
        severity: 'critical',
        subject: subjectKey('site', key),
        institution: room.institution,
        messageKey: 'storage-climate',
        params: {
          institution: room.institution,
          room: room.room,
          from: isoTime(latest.fromMs),
          to: isoTime(latest.toMs),
          minutes: Math.round((latest.toMs - latest.fromMs) / 60_000),
          peakCelsius: latest.peak / 10,
          maxCelsius: t.storageClimate.maxCelsius,
          hotDayCelsius: t.storageClimate.hotDayCelsius,
          bags: latest.bags.size,
        },
        evidence: counted.flatMap((b) => b.evidence),
        sinceMs: counted[0]!.fromMs,
      }),
    );
  }
  return { candidates, subjects: ctx.climate.map((r) => subjectKey('site', siteKey(r.institution, r.room))) };
}
