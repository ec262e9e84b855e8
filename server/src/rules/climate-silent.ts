/**
 * Climate sensor silent: no reading from a storage room's sensor for longer than climateSilent.minutes
 * while bags are stored there. Judged on readings, not records: a station that signs batches of failed
 * polls (a dead sensor) is as blind as one that is offline. Rooms that never had a sensor are not judged.
 */
import { isoTime, subjectKey, type AlertCandidate } from './candidate.ts';
import { candidate, type RuleContext, type RuleOutput } from './rule.ts';
import { roomStaysRule, siteKey, type RoomStays } from './storage-climate.ts';

export const ClimateSilentRule = roomStaysRule('climate-silent', judgeSensors);

function judgeSensors(ctx: RuleContext, stays: RoomStays): RuleOutput {
  const candidates: AlertCandidate[] = [];
  for (const room of ctx.climate) {
    const key = siteKey(room.institution, room.room);
    const bags = stays.of(key).filter((s) => s.fromMs <= ctx.nowMs && s.untilMs > ctx.nowMs);
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
}
