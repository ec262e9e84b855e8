/**
 * Vehicle silent while loaded: a vehicle that picked bags up and has not delivered them, whose station
 * has sent nothing for `minutes`. An empty vehicle parked overnight may be switched off; a loaded one
 * going dark is what a detour looks like from the server.
 */
import { isoTime, subjectKey, type AlertCandidate } from './candidate.ts';
import { candidate, furthestStep, inCustody, lastStepOf, trailRule } from './rule.ts';
import { positionParam } from './transport.ts';

export const VehicleSilentRule = trailRule('vehicle-silent', (ctx) => {
  const loaded = new Map<string, number>();
  return {
    add(trail) {
      if (!inCustody(trail) || furthestStep(trail) !== 'picked-up') return;
      const vehicle = lastStepOf(trail, 'picked-up')?.vehicle;
      if (vehicle !== undefined) loaded.set(vehicle, (loaded.get(vehicle) ?? 0) + 1);
    },
    finish() {
      const t = ctx.transport;
      if (!t) return { candidates: [], subjects: [] };
      const candidates: AlertCandidate[] = [];
      for (const track of t.tracks) {
        const bags = loaded.get(track.vehicle) ?? 0;
        const limit = ctx.thresholds(track.institution).vehicleSilent;
        if (bags === 0 || track.lastSeenMs === undefined || ctx.nowMs - track.lastSeenMs < limit.minutes * 60_000) continue;
        const last = track.points.at(-1);
        candidates.push(
          candidate('vehicle-silent', ctx, {
            severity: 'critical',
            subject: subjectKey('vehicle', track.vehicle),
            institution: track.institution,
            device: track.device,
            messageKey: 'vehicle-silent',
            params: { vehicle: track.vehicle, bags, lastSeen: isoTime(track.lastSeenMs), limitMinutes: limit.minutes, position: last ? positionParam(last) : '-', positionAt: last ? isoTime(last.atMs) : '-' },
            evidence: last ? [last.record] : [],
            sinceMs: track.lastSeenMs,
          }),
        );
      }
      return { candidates, subjects: t.tracks.map((tr) => subjectKey('vehicle', tr.vehicle)) };
    },
  };
});
