/**
 * Device silent: nothing heard from a device for too long while its station should be working. Only
 * time inside operating hours counts, so a ward kiosk switched off overnight is not an outage, while
 * one that went quiet during the day is: an outage hides the records that should have been made.
 */
import type { OperatingHours } from './config.ts';
import { isoTime, subjectKey, type AlertCandidate } from './candidate.ts';
import { operatingMsBetween } from './local-time.ts';
import { candidate, type Rule } from './rule.ts';

export const DeviceSilentRule: Rule = {
  id: 'device-silent',
  evaluate(ctx) {
    const candidates: AlertCandidate[] = [];
    for (const d of ctx.devices) {
      if (d.lastSeenMs === undefined || d.lastSeenMs >= ctx.nowMs) continue;
      const t = ctx.thresholds(d.institution);
      const s = t.deviceSilent;
      // A device serving several stations is expected whenever any of them works.
      const hours: OperatingHours[] = [...new Set(d.stations.length > 0 ? d.stations.map((r) => s.stationHours[r] ?? s.operatingHours) : [s.operatingHours])];
      const limitMs = s.minutes * 60_000;
      if (operatingMsBetween(d.lastSeenMs, ctx.nowMs, hours, t.timeZone, limitMs) < limitMs) continue;
      candidates.push(
        candidate('device-silent', ctx, {
          severity: 'warning',
          subject: subjectKey('device', d.device),
          institution: d.institution,
          device: d.device,
          messageKey: 'device-silent',
          params: { device: d.device, institution: d.institution, limitMinutes: s.minutes, lastSeen: isoTime(d.lastSeenMs) },
          evidence: [],
          sinceMs: d.lastSeenMs,
        }),
      );
    }
    return { candidates, subjects: ctx.devices.map((d) => subjectKey('device', d.device)) };
  },
};
