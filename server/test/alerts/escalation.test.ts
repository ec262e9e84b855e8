import { describe, expect, it } from 'vitest';
import { draftFrom, escalateAlerts, escalationPolicyFor, levelDue, type Alert } from '../../src/alerts/index.ts';
import { DEFAULT_THRESHOLDS, ruleConfig, type Severity } from '../../src/rules/index.ts';
import { fakeCandidate } from './support.ts';

const MIN = 60_000;
const policy = DEFAULT_THRESHOLDS.escalation;
const alert = (severity: Severity, over: Partial<Alert> = {}): Alert => ({ id: 'a1', ...draftFrom(fakeCandidate({ severity }), 0), ...over });

describe('escalation when left unacknowledged', () => {
  it('goes handler -> institution head -> regulator after the delays of its severity', () => {
    expect(levelDue(policy.critical, 59 * MIN)).toBe(1);
    expect(levelDue(policy.critical, 60 * MIN)).toBe(2);
    expect(levelDue(policy.critical, 240 * MIN)).toBe(3);
    expect(levelDue(policy.warning, 479 * MIN)).toBe(1);
    expect(levelDue(policy.warning, 480 * MIN)).toBe(2);
    expect(levelDue(policy.warning, 1440 * MIN)).toBe(3);
    expect(levelDue(policy.info, 1e12)).toBe(1);

    const a = alert('critical');
    expect(escalateAlerts([a], { nowMs: 59 * MIN, policy })).toEqual({ updated: [], effects: [] });
    const up = escalateAlerts([a], { nowMs: 60 * MIN, policy });
    expect(up.effects).toEqual([{ kind: 'escalated', alertId: 'a1', dedupeKey: a.dedupeKey, severity: 'critical', level: 2, audience: 'institution-head' }]);
    expect(up.updated[0]).toMatchObject({ escalationLevel: 2, details: { escalations: [{ level: 2, atMs: 60 * MIN }] } });
    // Already at 2: nothing until the regulator's turn; then one more step.
    expect(escalateAlerts(up.updated, { nowMs: 200 * MIN, policy }).effects).toEqual([]);
    expect(escalateAlerts(up.updated, { nowMs: 240 * MIN, policy }).effects.map((e) => e.kind === 'escalated' && e.audience)).toEqual(['regulator']);
  });

  it('announces every level a late tick skipped', () => {
    const r = escalateAlerts([alert('warning')], { nowMs: 3 * 24 * 60 * MIN, policy });
    expect(r.effects.map((e) => (e.kind === 'escalated' ? e.level : 0))).toEqual([2, 3]);
    expect(r.updated[0]!.escalationLevel).toBe(3);
  });

  it('stops for an acknowledged alert, never touches a resolved one, and never lowers a level', () => {
    expect(escalateAlerts([alert('critical', { status: 'acknowledged', acknowledgedBy: 'k', acknowledgedAtMs: 1 })], { nowMs: 1e9, policy }).effects).toEqual([]);
    expect(escalateAlerts([alert('critical', { status: 'resolved' })], { nowMs: 1e9, policy }).effects).toEqual([]);
    expect(escalateAlerts([alert('info', { escalationLevel: 3 })], { nowMs: 1e9, policy })).toEqual({ updated: [], effects: [] });
  });

  it('takes its delays from the alert jurisdiction', () => {
    const config = ruleConfig({ jurisdictions: { '330106': { escalation: { critical: { institutionHeadMinutes: 15 } } } } });
    const forAlert = escalationPolicyFor(config, [{ id: 'hz-h001', jurisdiction: ['330100', '330106', '330106-g01'] }, { id: 'nb-h001', jurisdiction: ['330200', '330203'] }]);
    const here = alert('critical');
    const elsewhere = alert('critical', { id: 'a2', institution: 'nb-h001', jurisdiction: '330203' });
    const unknown = alert('critical', { id: 'a3', institution: '' });
    const r = escalateAlerts([here, elsewhere, unknown], { nowMs: 15 * MIN, policy: forAlert });
    expect(r.updated.map((a) => a.id)).toEqual(['a1']);
    expect(escalateAlerts([here, elsewhere, unknown], { nowMs: 60 * MIN, policy: forAlert }).updated.map((a) => a.id)).toEqual(['a1', 'a2', 'a3']);
  });
});
