/**
 * The transfer manifest's rules (docs/transport/manifest.md), each judging one manifest on its own:
 *
 * - manifest-discrepancy: the receipt does not match the issue. A bag missing or not on the manifest
 *   (dumping, or waste of unknown origin) or accepted weight more than weightPercent off (trading) is
 *   critical, and so is a step signed at another institution than the party named for it (a forged
 *   issue or receipt); refused bags are a warning (they go back, they are not lost); a weight only beyond the
 *   intake tolerance is info.
 * - manifest-unclosed: issued and not closed by disposal within the limit.
 *
 * Alerts are filed under the producer: the hospital whose waste it is, and its regulator.
 */
import { manifestDiscrepancies, type Manifest } from '../manifests/manifest.ts';
import { hoursParam, isoTime, maxSeverity, subjectKey, type AlertCandidate, type RuleId, type Severity } from './candidate.ts';
import { candidate, type Rule, type RuleContext } from './rule.ts';

const HOUR = 3_600_000;

function manifestRule(id: RuleId, judge: (m: Manifest & { producer: string }, ctx: RuleContext) => AlertCandidate[]): Rule {
  return {
    id,
    evaluate(ctx) {
      // A manifest whose issue is not stored yet has no producer to judge it against.
      const issued = ctx.manifests.filter((m): m is Manifest & { producer: string } => m.producer !== null);
      return { candidates: issued.flatMap((m) => judge(m, ctx)), subjects: issued.map((m) => subjectKey('manifest', m.manifest)) };
    },
  };
}

const evidenceOf = (m: Manifest) => m.signatures.map((s) => s.record);

export const ManifestDiscrepancyRule = manifestRule('manifest-discrepancy', (m, ctx) => {
  const found = manifestDiscrepancies(m, ctx.thresholds(m.producer).manifestDiscrepancy);
  if (found.length === 0) return [];
  let severity: Severity = 'info';
  for (const d of found) severity = maxSeverity(severity, d.kind === 'refusal' ? 'warning' : d.severity === 'warning' ? 'info' : 'critical');
  const signatories = found.filter((d) => d.kind === 'signatory').length;
  const count = found.filter((d) => d.kind === 'count').at(-1);
  const refusal = found.find((d) => d.kind === 'refusal');
  const weight = found.find((d) => d.kind === 'weight');
  const since = m.receivedAt ?? m.sentAt ?? m.lastAt;
  return [
    candidate('manifest-discrepancy', ctx, {
      severity,
      subject: subjectKey('manifest', m.manifest),
      institution: m.producer,
      messageKey: 'manifest-discrepancy',
      params: {
        manifest: m.manifest,
        institution: m.producer,
        receiver: m.receiver ?? '-',
        missing: count?.missing?.length ?? 0,
        undeclared: count?.undeclared?.length ?? 0,
        refused: refusal?.refused?.length ?? 0,
        refusedKg: Math.round((refusal?.receivedGrams || refusal?.declaredGrams || 0) / 100) / 10,
        weightPercent: weight?.percent ?? 0,
        signatories,
      },
      evidence: evidenceOf(m),
      sinceMs: Date.parse(since),
    }),
  ];
});

export const ManifestUnclosedRule = manifestRule('manifest-unclosed', (m, ctx) => {
  if (m.closedAt !== null || m.issuedAt === null) return [];
  const t = ctx.thresholds(m.producer).manifestUnclosed;
  const issuedMs = Date.parse(m.issuedAt);
  const elapsed = ctx.nowMs - issuedMs;
  if (elapsed < t.hours * HOUR) return [];
  return [
    candidate('manifest-unclosed', ctx, {
      severity: 'warning',
      subject: subjectKey('manifest', m.manifest),
      institution: m.producer,
      messageKey: 'manifest-unclosed',
      params: { manifest: m.manifest, institution: m.producer, status: m.status, hours: hoursParam(elapsed), limitHours: t.hours, issuedAt: isoTime(issuedMs) },
      evidence: evidenceOf(m),
      sinceMs: issuedMs + t.hours * HOUR,
    }),
  ];
});
