/**
 * Climate sensor silent: no reading from a storage room's sensor for longer than climateSilent.minutes
 * while bags are stored there. Judged on readings, not records: a station that signs batches of failed
 * polls (a dead sensor) is as blind as one that is offline. Rooms that never had a sensor are not judged.
 */
import { isoTime, subjectKey, type AlertCandidate } from './candidate.ts';
import { candidate, type Rule } from './rule.ts';
import { roomStays, siteKey } from './storage-climate.ts';

export const ClimateSilentRule: Rule = {
  id: 'climate-silent',
  evaluate(ctx) {
    const stays = roomStays(ctx);
    const candidates: AlertCandidate[] = [];
    for (const room of ctx.climate) {
      const key = siteKey(room.institution, room.room);
      const bags = (stays.get(key) ?? []).filter((s) => s.fromMs <= ctx.nowMs && s.untilMs > ctx.nowMs);
      const limitMinutes = ctx.thresholds(room.institution).climateSilent.minutes;
      if (bags.length === 0 || ctx.nowMs - room.lastReadingMs <= limitMinutes * 60_000) continue;
      candidates.push(
        candidate('climate-silent', ctx, {
          severity: 'warning',
          subject: subjectKey('site', key),
          institution: room.institution,
          messageKey: 'climate-silent',
          params: { institution: room.institution, room: room.room, lastReading: isoTime(room.lastReadingMs), limitMinutes, bags: bags.length },
          evidence: [],
          // Silent since the later of the last reading and the first bag's arrival.
          sinceMs: Math.max(room.lastReadingMs, Math.min(...bags.map((b) => b.fromMs))),
        }),
      );
    }
    return { candidates, subjects: ctx.climate.map((r) => subjectKey('site', siteKey(r.institution, r.room))) };
  },
};
