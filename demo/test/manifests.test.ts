/**
 * The city's transfer manifests through the server's manifest projection and rules, without agents
 * (the pure parts; demo.test.ts runs them on real agents): every manifest is issued, signed by the crew,
 * received and closed, a clean run raises no manifest alert, and the partial refusal closes its manifest
 * with a refusal discrepancy.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CustodyEvent } from '@wastetrail/firmware-protocol';
import { CityModel, DAY_MS, firstMorning, planCity, type CityAction, type IncidentName } from '@wastetrail/simulators';
import type { TrailRecord } from '../../server/src/custody/index.ts';
import { buildManifest, manifestsNamed, type Manifest } from '../../server/src/manifests/index.ts';
import { evaluateRules, MANIFEST_RULES, ruleConfig } from '../../server/src/rules/index.ts';
import { runPerfectly } from '../../simulators/test/city/perfect.ts';

const START = firstMorning(Date.UTC(2026, 2, 2, 4));
const UNTIL = START + 3 * DAY_MS;

/** The manifest records the city's stations would sign: each issue, pickup, receipt and closing. */
function manifestRecords(model: CityModel, actions: readonly CityAction[]): TrailRecord[] {
  const institutionOf = new Map(model.layout.stations.map((s) => [s.deviceId, s.institution]));
  const seqs = new Map<string, number>();
  const sign = (device: string, at: number, event: CustodyEvent): TrailRecord => {
    const seq = (seqs.get(device) ?? 0) + 1;
    seqs.set(device, seq);
    const hash = createHash('sha256').update(`${device}/${seq}`).digest('hex');
    return { device, seq, hash, time: new Date(at).toISOString(), institution: institutionOf.get(device)!, stations: [], event };
  };
  const out: TrailRecord[] = [];
  for (const a of actions) {
    if (a.kind !== 'handover') continue;
    for (const m of a.manifests?.before ?? []) out.push(sign(m.station, a.at, m.event));
    if (a.mode === 'pickup') {
      const bags = a.loads.flatMap((l) => l.bags);
      out.push(sign(a.station, a.at + 1, { type: 'picked-up', body: { bags: bags.map((tag) => ({ tag })), weight: { value: a.loads[0]!.grams, unit: 'g' }, giver: a.badges[0]!, crew: a.badges[1]!, vehicle: a.details.vehicle!, manifest: a.details.manifest! } }));
    }
    for (const m of a.manifests?.after ?? []) out.push(sign(m.station, a.at + 2, m.event));
  }
  return out;
}

function run(incidents: IncidentName[]) {
  const model = new CityModel({ layout: planCity({ institutions: 4, seed: 21 }), runStartMs: START, incidents });
  const { actions } = runPerfectly(model, UNTIL);
  const records = manifestRecords(model, actions);
  const manifests = manifestsNamed(records).map((m) => buildManifest(m, records)!);
  const evaluation = evaluateRules({ nowMs: UNTIL, config: ruleConfig(), institutions: [], manifests, rules: MANIFEST_RULES });
  return { manifests, evaluation, actions };
}

describe("the city's transfer manifests", () => {
  it('a clean run: every manifest issued, sent, received whole and processed, without a discrepancy or an alert', () => {
    const { manifests, evaluation } = run([]);
    expect(manifests.length).toBeGreaterThan(8);
    const closed = manifests.filter((m) => m.closedAt !== null);
    // The last afternoon's manifests may still be on the road at the end of the run.
    expect(closed.length).toBeGreaterThanOrEqual(manifests.length - 4);
    for (const m of closed) {
      expect(m, m.manifest).toMatchObject({ status: 'processed', acceptance: 'whole', discrepancies: [], missingSteps: [] });
      expect(m.signatures.map((s) => s.step)).toEqual(['issued', 'picked-up', 'received', 'closed']);
      expect(m.acceptedGrams).toBe(m.declaredGrams);
    }
    expect(evaluation.candidates).toEqual([]);
    expect(evaluation.evaluated.subjects).toHaveLength(manifests.length);
  });

  it('the partial refusal closes its manifest with a refusal discrepancy, and raises exactly that alert', () => {
    const { manifests, evaluation } = run(['partial-refusal']);
    const refused = manifests.filter((m) => m.refusedBags > 0);
    expect(refused).toHaveLength(1);
    const m: Manifest = refused[0]!;
    expect(m).toMatchObject({ status: 'processed', acceptance: 'partial', refusedBags: 1 });
    expect(m.discrepancies).toEqual([expect.objectContaining({ kind: 'refusal', severity: 'discrepancy', stage: 'receipt', refused: [m.bags.find((b) => b.outcome === 'refused')!.tag] })]);
    expect(evaluation.candidates.map((c) => [c.rule, c.subject, c.severity, c.params.refused])).toEqual([['manifest-discrepancy', `manifest:${m.manifest}`, 'warning', 1]]);
  });

  it('the dumped bag shows on its manifest as missing at receipt: a critical discrepancy, long before missing-in-transit', () => {
    const { manifests, evaluation } = run(['dumped-bag']);
    const short = manifests.filter((m) => m.discrepancies.some((d) => d.kind === 'count'));
    expect(short).toHaveLength(1);
    expect(short[0]!.discrepancies).toEqual([{ kind: 'count', severity: 'discrepancy', stage: 'receipt', missing: [expect.any(String)], undeclared: [] }]);
    expect(evaluation.candidates.map((c) => [c.rule, c.severity])).toEqual([['manifest-discrepancy', 'critical']]);
  });
});
