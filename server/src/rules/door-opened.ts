/**
 * Door opened: the cargo door of a vehicle opened outside the geofences of hospitals, disposal centres
 * and depots. Waste leaves a vehicle only at those places; anywhere else is dumping or trading. A door
 * opened before the vehicle had any fix counts too: not knowing where is no excuse.
 */
import { isoTime, subjectKey, type AlertCandidate } from './candidate.ts';
import { candidate, type Rule } from './rule.ts';
import { positionParam, TransportMap } from './transport.ts';

export const DoorOpenedRule: Rule = {
  id: 'door-opened',
  evaluate(ctx) {
    const t = ctx.transport;
    if (!t) return { candidates: [], subjects: [] };
    const map = new TransportMap(t);
    const candidates: AlertCandidate[] = [];
    for (const track of t.tracks) {
      for (const d of track.doors) {
        if (d.action !== 'open' || (d.position && map.fenceAt(d.position))) continue;
        candidates.push(
          candidate('door-opened', ctx, {
            severity: 'critical',
            subject: subjectKey('vehicle', `${track.vehicle}@${isoTime(d.atMs)}`),
            institution: track.institution,
            device: track.device,
            messageKey: 'door-opened',
            params: { vehicle: track.vehicle, at: isoTime(d.atMs), position: d.position ? positionParam(d.position) : '-' },
            evidence: [d.record],
            sinceMs: d.atMs,
          }),
        );
      }
    }
    return { candidates, subjects: candidates.map((c) => c.subject) };
  },
};
