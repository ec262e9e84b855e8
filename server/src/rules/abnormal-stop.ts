/**
 * Abnormal stop: a vehicle staying within `radiusMetres` of one spot for at least `minutes` outside the
 * geofences of hospitals, disposal centres and depots, where waste is never handed over. Red lights and
 * traffic jams are shorter; a stop still going on when the track ends counts up to its last fix.
 */
import { isoTime, subjectKey, type AlertCandidate } from './candidate.ts';
import { candidate, type Rule } from './rule.ts';
import { metresBetween, positionParam, TransportMap, type TrackPoint } from './transport.ts';

export const AbnormalStopRule: Rule = {
  id: 'abnormal-stop',
  evaluate(ctx) {
    const t = ctx.transport;
    if (!t) return { candidates: [], subjects: [] };
    const map = new TransportMap(t);
    const candidates: AlertCandidate[] = [];
    for (const track of t.tracks) {
      const limit = ctx.thresholds(track.institution).abnormalStop;
      let anchor: TrackPoint | undefined;
      let last: TrackPoint | undefined;
      const close = () => {
        if (anchor && last && last.atMs - anchor.atMs >= limit.minutes * 60_000 && !map.fenceAt(anchor)) {
          candidates.push(
            candidate('abnormal-stop', ctx, {
              severity: 'critical',
              subject: subjectKey('vehicle', `${track.vehicle}@${isoTime(anchor.atMs)}`),
              institution: track.institution,
              device: track.device,
              messageKey: 'abnormal-stop',
              params: { vehicle: track.vehicle, from: isoTime(anchor.atMs), minutes: Math.round((last.atMs - anchor.atMs) / 60_000), limitMinutes: limit.minutes, position: positionParam(anchor) },
              evidence: [anchor.record, last.record],
              sinceMs: anchor.atMs,
            }),
          );
        }
      };
      for (const p of track.points) {
        if (anchor && metresBetween(anchor, p) <= limit.radiusMetres) {
          last = p;
          continue;
        }
        close();
        anchor = last = p;
      }
      close();
    }
    return { candidates, subjects: candidates.map((c) => c.subject) };
  },
};
