/**
 * Route deviation: a vehicle farther than `metres` from its registered route for at least `minutes`.
 * Fixes inside a geofence never count (a hospital's yard may lie off the road the route follows). Each
 * time off the route is an episode of its own, named by when it began; a single bad fix is too short
 * to be one.
 */
import { isoTime, subjectKey, type AlertCandidate } from './candidate.ts';
import { candidate, type Rule } from './rule.ts';
import { judgedBefore, positionParam, TransportMap, type TrackPoint } from './transport.ts';

export const RouteDeviationRule: Rule = {
  id: 'route-deviation',
  evaluate(ctx) {
    const t = ctx.transport;
    if (!t) return { candidates: [], subjects: [] };
    const map = new TransportMap(t);
    const candidates: AlertCandidate[] = [];
    for (const track of t.tracks) {
      if (!map.hasRoute(track.vehicle)) continue;
      const limit = ctx.thresholds(track.institution).routeDeviation;
      let run: { first: TrackPoint; last: TrackPoint; farthest: TrackPoint; metres: number } | undefined;
      const close = () => {
        if (run && run.last.atMs - run.first.atMs >= limit.minutes * 60_000 && !judgedBefore(t, run.first.atMs)) {
          candidates.push(
            candidate('route-deviation', ctx, {
              severity: 'critical',
              subject: subjectKey('vehicle', `${track.vehicle}@${isoTime(run.first.atMs)}`),
              institution: track.institution,
              device: track.device,
              messageKey: 'route-deviation',
              params: {
                vehicle: track.vehicle,
                from: isoTime(run.first.atMs),
                metres: Math.round(run.metres),
                minutes: Math.round((run.last.atMs - run.first.atMs) / 60_000),
                limitMetres: limit.metres,
                limitMinutes: limit.minutes,
                position: positionParam(run.farthest),
              },
              evidence: [run.first.record, run.farthest.record, run.last.record],
              sinceMs: run.first.atMs,
            }),
          );
        }
        run = undefined;
      };
      for (const p of track.points) {
        const off = map.metresOffRoute(track.vehicle, p)!;
        if (off <= limit.metres || map.fenceAt(p)) {
          close();
          continue;
        }
        if (!run) run = { first: p, last: p, farthest: p, metres: off };
        run.last = p;
        if (off > run.metres) Object.assign(run, { farthest: p, metres: off });
      }
      close();
    }
    return { candidates, subjects: candidates.map((c) => c.subject) };
  },
};
