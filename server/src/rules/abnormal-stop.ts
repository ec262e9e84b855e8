/**
 * Abnormal stop: a vehicle staying within `radiusMetres` of one spot for at least `minutes` outside the
 * geofences of hospitals, disposal centres and depots, where waste is never handed over. Red lights and
 * traffic jams are shorter; a stop still going on when the track ends counts up to its last fix.
 */
import { isoTime, subjectKey, type AlertCandidate } from './candidate.ts';
import { candidate, type Rule } from './rule.ts';
import { judgedBefore, positionParam, stationarySpans, TransportMap } from './transport.ts';

export const AbnormalStopRule: Rule = {
  id: 'abnormal-stop',
  evaluate(ctx) {
    const t = ctx.transport;
    if (!t) return { candidates: [], subjects: [] };
    const map = new TransportMap(t);
    const candidates: AlertCandidate[] = [];
    for (const track of t.tracks) {
      const limit = ctx.thresholds(track.institution).abnormalStop;
      for (const { first, last } of stationarySpans(track.points, limit.radiusMetres)) {
        if (last.atMs - first.atMs < limit.minutes * 60_000 || map.fenceAt(first) || judgedBefore(t, first.atMs)) continue;
        candidates.push(
          candidate('abnormal-stop', ctx, {
            severity: 'critical',
            subject: subjectKey('vehicle', `${track.vehicle}@${isoTime(first.atMs)}`),
            institution: track.institution,
            device: track.device,
            messageKey: 'abnormal-stop',
            params: { vehicle: track.vehicle, from: isoTime(first.atMs), minutes: Math.round((last.atMs - first.atMs) / 60_000), limitMinutes: limit.minutes, position: positionParam(first) },
            evidence: [first.record, last.record],
            sinceMs: first.atMs,
          }),
        );
      }
    }
    return { candidates, subjects: candidates.map((c) => c.subject) };
  },
};
