/**
 * Duplicate / cloned tag: one tag sealed twice, or seen at two places faster than anything could carry
 * it between them. Places are institutions: with coordinates, the implied speed is judged (with an
 * allowance for device clocks); without, two institutions within a few minutes is enough. Steps signed
 * by mobile institutions (a transport company's vehicles) are not at a fixed place and are skipped.
 */
import type { CustodyStep } from '../custody/trail.ts';
import { subjectKey, type AlertCandidate } from './candidate.ts';
import { bagRule, candidate, firstStepOf, timeOf, type RuleContext } from './rule.ts';

const HOUR = 3_600_000;
const EARTH_RADIUS_KM = 6371.0088;

/** Great-circle distance (haversine). */
export function distanceKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

interface Jump {
  from: CustodyStep;
  to: CustodyStep;
  minutes: number;
  distanceKm?: number;
  speedKmh?: number;
}

function impossibleJumps(steps: readonly CustodyStep[], ctx: RuleContext): Jump[] {
  const placed = steps.filter((s) => !ctx.institution(s.institution)?.mobile);
  const jumps: Jump[] = [];
  for (let i = 0; i + 1 < placed.length; i++) {
    const from = placed[i]!;
    const to = placed[i + 1]!;
    if (from.institution === to.institution) continue;
    const dtMs = Math.abs(timeOf(to) - timeOf(from));
    const t = ctx.thresholds(to.institution).clonedTag;
    const minutes = Math.round(dtMs / 6000) / 10;
    const a = ctx.institution(from.institution)?.location;
    const b = ctx.institution(to.institution)?.location;
    if (a && b) {
      const km = distanceKm(a, b);
      const speed = km / ((dtMs + t.clockSkewMinutes * 60_000) / HOUR);
      if (speed > t.maxSpeedKmh) jumps.push({ from, to, minutes, distanceKm: Math.round(km * 10) / 10, speedKmh: Math.round(speed) });
    } else if (dtMs < t.unknownDistanceMinutes * 60_000) {
      jumps.push({ from, to, minutes });
    }
  }
  return jumps;
}

export const ClonedTagRule = bagRule('cloned-tag', (trail, ctx): AlertCandidate[] => {
  const again = trail.anomalies.filter((a) => a.kind === 'DUPLICATE_SEAL');
  const jumps = impossibleJumps(trail.steps, ctx);
  if (again.length === 0 && jumps.length === 0) return [];
  const seal = firstStepOf(trail, 'sealed');
  const evidence = [...(seal ? [seal.record] : []), ...again.map((a) => a.record), ...jumps.flatMap((j) => [j.from.record, j.to.record])];
  const base = { severity: 'critical' as const, subject: subjectKey('bag', trail.bag), bag: trail.bag, evidence };
  if (again.length > 0) {
    const institution = trail.institution ?? seal?.institution ?? trail.steps[0]?.institution ?? '';
    return [
      candidate('cloned-tag', ctx, {
        ...base,
        institution,
        messageKey: 'cloned-tag.sealed-again',
        params: { bag: trail.bag, institution, count: again.length + 1 },
        sinceMs: seal ? timeOf(seal) : 0,
      }),
    ];
  }
  const j = jumps[0]!;
  const params = { bag: trail.bag, from: j.from.institution, to: j.to.institution, minutes: j.minutes };
  return [
    candidate('cloned-tag', ctx, {
      ...base,
      institution: trail.institution ?? j.from.institution,
      ...(j.distanceKm !== undefined
        ? { messageKey: 'cloned-tag.too-fast', params: { ...params, distanceKm: j.distanceKm, speedKmh: j.speedKmh! } }
        : { messageKey: 'cloned-tag.too-soon', params }),
      sinceMs: timeOf(j.to),
    }),
  ];
});
