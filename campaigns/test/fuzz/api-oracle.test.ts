import { describe, expect, it } from 'vitest';
import { judge, mayseeBag, type Operation, type World } from '../../src/fuzz/api.ts';

// hz-h01 sealed bag A, which the company hz-t01 carried to hz-d01; hz-h02 sealed bag B, not yet carried.
const world: World = {
  sealedBy: new Map([
    ['epc:a', 'hz-h01'],
    ['epc:b', 'hz-h02'],
  ]),
  touchedBy: new Map([
    ['epc:a', new Set(['hz-h01', 'hz-t01', 'hz-d01'])],
    ['epc:b', new Set(['hz-h02'])],
  ]),
  receivedAt: new Map([['epc:a', new Set(['hz-d01'])]]),
};
const op = (path: string): Operation => ({ method: 'GET', path, params: [] });
const verdicts = (path: string, values: Record<string, string>, json: unknown, role: string, scope: string | null) => [...judge(op(path), values, json, role, scope, world, undefined as never)];

describe('the API fuzz scope oracle', () => {
  it('lets each role see the bags its part of the trail gives it, and no other', () => {
    expect(mayseeBag('institution_admin', 'hz-h01', 'epc:a', world)).toBe(true);
    expect(mayseeBag('institution_admin', 'hz-h01', 'epc:b', world)).toBe(false);
    expect(mayseeBag('transport', 'hz-t01', 'epc:a', world)).toBe(true);
    expect(mayseeBag('transport', 'hz-t01', 'epc:b', world)).toBe(false);
    expect(mayseeBag('disposal', 'hz-d01', 'epc:a', world)).toBe(true);
    expect(mayseeBag('disposal', 'hz-d01', 'epc:b', world)).toBe(false);
    expect(mayseeBag('public', null, 'epc:a', world)).toBe(false);
    expect(mayseeBag('anonymous', null, 'epc:a', world)).toBe(false);
  });

  it("flags another hospital's bag answered by tag, listed, or named by an alert", () => {
    expect(verdicts('/api/v1/tags/{tag}', { tag: 'epc:b' }, {}, 'institution_admin', 'hz-h01').map((v) => v.ok)).toEqual([false]);
    expect(verdicts('/api/v1/tags/{tag}', { tag: 'epc:a' }, {}, 'institution_admin', 'hz-h01').map((v) => v.ok)).toEqual([true]);
    const list = { bags: [{ bag: 'epc:a', tags: ['epc:a'] }, { bag: 'epc:b', tags: ['epc:b'] }] };
    expect(verdicts('/api/v1/bags', {}, list, 'institution_admin', 'hz-h01').map((v) => v.ok)).toEqual([true, false]);
    const alerts = { alerts: [{ id: 1, rule: 'weight-discrepancy', institution: 'hz-d01', bag: 'epc:a' }, { id: 2, rule: 'storage-overdue', institution: 'hz-h02', bag: 'epc:b' }] };
    expect(verdicts('/api/v1/alerts', {}, alerts, 'transport', 'hz-t01').map((v) => v.ok)).toEqual([true, false]);
    expect(verdicts('/api/v1/alerts', {}, alerts, 'public', null).map((v) => v.ok)).toEqual([false, false]);
    expect(verdicts('/api/v1/devices', {}, { devices: [{ id: 'h02-med', institution: 'hz-h02' }] }, 'institution_admin', 'hz-h01').map((v) => v.ok)).toEqual([false]);
  });
});
