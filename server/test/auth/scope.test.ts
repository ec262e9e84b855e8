import { describe, expect, it } from 'vitest';
import {
  bagFilterFor,
  canSeeAlert,
  canSeeBag,
  canSeeDevice,
  canSeeInstitution,
  jurisdictionPath,
  jurisdictionSubtree,
  matchesNothing,
  maySeeBags,
  maySeeIngestStats,
  visibleInstitutionIds,
  type BagFacts,
  type Principal,
  type ScopeWorld,
} from '../../src/auth/index.ts';
import type { UserRole } from '../../src/store/index.ts';

// Hangzhou: city > two districts > grids; two hospitals in Xihu grids, a disposal centre in Yuhang.
const world: ScopeWorld = {
  jurisdictions: [
    { id: '330100', parent: null, level: 'city', name: 'Hangzhou' },
    { id: '330106', parent: '330100', level: 'district', name: 'Xihu' },
    { id: '330110', parent: '330100', level: 'district', name: 'Yuhang' },
    { id: '330106-g01', parent: '330106', level: 'grid', name: 'g01' },
    { id: '330106-g02', parent: '330106', level: 'grid', name: 'g02' },
    { id: '330110-g05', parent: '330110', level: 'grid', name: 'g05' },
  ],
  institutions: [
    { id: 'h1', name: 'H1', kind: 'hospital', jurisdiction: '330106-g01' },
    { id: 'h2', name: 'H2', kind: 'hospital', jurisdiction: '330106-g02' },
    { id: 'd1', name: 'D1', kind: 'disposal', jurisdiction: '330110-g05' },
    { id: 't1', name: 'T1', kind: 'transport', jurisdiction: '330100' },
  ],
};

const who = (role: UserRole, scope: string | null): Principal => ({ userId: 1, username: `${role}@${scope}`, role, scope });
const bag = (over: Partial<BagFacts> = {}): BagFacts => ({ institution: 'h1', vehicleCompanies: [], disposalInstitutions: [], ...over });

describe('the jurisdiction tree', () => {
  it('a subtree is the jurisdiction and everything below it', () => {
    expect([...jurisdictionSubtree('330100', world.jurisdictions)].sort()).toEqual(['330100', '330106', '330106-g01', '330106-g02', '330110', '330110-g05']);
    expect([...jurisdictionSubtree('330106', world.jurisdictions)].sort()).toEqual(['330106', '330106-g01', '330106-g02']);
    expect([...jurisdictionSubtree('330106-g01', world.jurisdictions)]).toEqual(['330106-g01']);
    expect([...jurisdictionSubtree('nowhere', world.jurisdictions)]).toEqual(['nowhere']);
  });

  it('survives a cycle in the parent links', () => {
    const loop = [
      { id: 'a', parent: 'b', level: 'city' as const, name: 'a' },
      { id: 'b', parent: 'a', level: 'district' as const, name: 'b' },
    ];
    expect([...jurisdictionSubtree('a', loop)].sort()).toEqual(['a', 'b']);
    expect(jurisdictionPath('a', loop)).toEqual(['b', 'a']);
  });

  it('a path runs from the city down', () => {
    expect(jurisdictionPath('330106-g02', world.jurisdictions)).toEqual(['330100', '330106', '330106-g02']);
  });
});

describe('institutions', () => {
  it('a regulator sees its jurisdiction and below, never above or beside', () => {
    expect(visibleInstitutionIds(who('regulator', '330100'), world)).toEqual(['d1', 'h1', 'h2', 't1']);
    expect(visibleInstitutionIds(who('regulator', '330106'), world)).toEqual(['h1', 'h2']);
    expect(visibleInstitutionIds(who('regulator', '330106-g01'), world)).toEqual(['h1']);
    expect(visibleInstitutionIds(who('regulator', '330110'), world)).toEqual(['d1']);
    expect(visibleInstitutionIds(who('regulator', null), world)).toEqual([]);
  });

  it('others see their own institution; the public sees every institution (aggregates), or those of its jurisdiction', () => {
    expect(visibleInstitutionIds(who('institution_admin', 'h2'), world)).toEqual(['h2']);
    expect(visibleInstitutionIds(who('transport', 't1'), world)).toEqual(['t1']);
    expect(visibleInstitutionIds(who('disposal', 'd1'), world)).toEqual(['d1']);
    expect(visibleInstitutionIds(who('public', null), world)).toEqual(['d1', 'h1', 'h2', 't1']);
    expect(visibleInstitutionIds(who('public', '330110'), world)).toEqual(['d1']);
    expect(canSeeInstitution(who('institution_admin', 'h1'), world.institutions[1]!, world)).toBe(false);
  });
});

describe('bags', () => {
  it('the public never sees a bag', () => {
    expect(maySeeBags(who('public', null))).toBe(false);
    expect(canSeeBag(who('public', null), bag(), world)).toBe(false);
    expect(bagFilterFor(who('public', null), {}, world)).toBeUndefined();
  });

  it('an institution admin sees the bags its institution sealed', () => {
    expect(canSeeBag(who('institution_admin', 'h1'), bag(), world)).toBe(true);
    expect(canSeeBag(who('institution_admin', 'h2'), bag(), world)).toBe(false);
    expect(canSeeBag(who('institution_admin', 'h1'), bag({ institution: null }), world)).toBe(false);
  });

  it('a transport company sees the bags its vehicles carried; a disposal centre those it received', () => {
    expect(canSeeBag(who('transport', 't1'), bag({ vehicleCompanies: ['t1'] }), world)).toBe(true);
    expect(canSeeBag(who('transport', 't1'), bag({ vehicleCompanies: ['t2'] }), world)).toBe(false);
    expect(canSeeBag(who('disposal', 'd1'), bag({ disposalInstitutions: ['d1'] }), world)).toBe(true);
    expect(canSeeBag(who('disposal', 'd1'), bag(), world)).toBe(false);
  });

  it('a regulator sees bags sealed in its jurisdiction, and bags received at a disposal centre in it (unknown origin included)', () => {
    expect(canSeeBag(who('regulator', '330106-g01'), bag(), world)).toBe(true);
    expect(canSeeBag(who('regulator', '330106-g02'), bag(), world)).toBe(false);
    expect(canSeeBag(who('regulator', '330110'), bag({ disposalInstitutions: ['d1'] }), world)).toBe(true);
    expect(canSeeBag(who('regulator', '330110'), bag({ institution: null, disposalInstitutions: ['d1'] }), world)).toBe(true);
    expect(canSeeBag(who('regulator', '330110'), bag(), world)).toBe(false);
  });

  it('a search is narrowed to the scope: requested institutions outside it match nothing', () => {
    const reg = who('regulator', '330106');
    expect(bagFilterFor(reg, {}, world)).toEqual({ institutions: ['h1', 'h2'] });
    expect(bagFilterFor(reg, { institutions: ['h2', 'd1'], states: ['stored'] }, world)).toEqual({ institutions: ['h2'], states: ['stored'] });
    const outside = bagFilterFor(reg, { institutions: ['d1'] }, world)!;
    expect(matchesNothing(outside)).toBe(true);
    // A disposal centre in scope: everything received there, wherever sealed.
    expect(bagFilterFor(who('regulator', '330110'), { disposalInstitution: 'd1' }, world)).toEqual({ disposalInstitution: 'd1' });
    expect(matchesNothing(bagFilterFor(reg, { disposalInstitution: 'd1' }, world)!)).toBe(true);
  });

  it('admins, crews and centres get their own filter whatever they ask for', () => {
    expect(bagFilterFor(who('institution_admin', 'h1'), {}, world)).toEqual({ institutions: ['h1'] });
    expect(matchesNothing(bagFilterFor(who('institution_admin', 'h1'), { institutions: ['h2'] }, world)!)).toBe(true);
    expect(bagFilterFor(who('transport', 't1'), {}, world, ['V1', 'V2'])).toEqual({ vehicles: ['V1', 'V2'] });
    expect(bagFilterFor(who('transport', 't1'), { vehicles: ['V2', 'V9'] }, world, ['V1', 'V2'])).toEqual({ vehicles: ['V2'] });
    expect(matchesNothing(bagFilterFor(who('transport', 't1'), {}, world, [])!)).toBe(true);
    expect(bagFilterFor(who('disposal', 'd1'), { states: ['received'] }, world)).toEqual({ states: ['received'], disposalInstitution: 'd1' });
    expect(matchesNothing(bagFilterFor(who('disposal', 'd1'), { disposalInstitution: 'd2' }, world)!)).toBe(true);
  });
});

describe('alerts, devices, ingest statistics', () => {
  const h1Alert = { institution: 'h1', jurisdiction: '330106-g01' };
  it('a regulator sees alerts of its jurisdiction and below', () => {
    expect(canSeeAlert(who('regulator', '330100'), h1Alert, world)).toBe(true);
    expect(canSeeAlert(who('regulator', '330106'), h1Alert, world)).toBe(true);
    expect(canSeeAlert(who('regulator', '330106-g02'), h1Alert, world)).toBe(false);
    // An alert with no jurisdiction is routed by its institution's.
    expect(canSeeAlert(who('regulator', '330106'), { institution: 'h1', jurisdiction: null }, world)).toBe(true);
  });

  it('others see their own alerts; a crew or a centre also those about bags it handled', () => {
    expect(canSeeAlert(who('institution_admin', 'h1'), h1Alert, world)).toBe(true);
    expect(canSeeAlert(who('institution_admin', 'h2'), h1Alert, world)).toBe(false);
    expect(canSeeAlert(who('transport', 't1'), h1Alert, world)).toBe(false);
    expect(canSeeAlert(who('transport', 't1'), h1Alert, world, bag({ vehicleCompanies: ['t1'] }))).toBe(true);
    expect(canSeeAlert(who('disposal', 'd1'), h1Alert, world, bag({ disposalInstitutions: ['d1'] }))).toBe(true);
    expect(canSeeAlert(who('disposal', 'd1'), { institution: 'd1', jurisdiction: '330110-g05' }, world)).toBe(true);
    expect(canSeeAlert(who('public', null), h1Alert, world)).toBe(false);
  });

  it('devices follow institutions; the public sees none; ingest statistics are for regulators', () => {
    expect(canSeeDevice(who('regulator', '330106'), { institution: 'h2' }, world)).toBe(true);
    expect(canSeeDevice(who('regulator', '330106'), { institution: 'd1' }, world)).toBe(false);
    expect(canSeeDevice(who('institution_admin', 'h1'), { institution: 'h1' }, world)).toBe(true);
    expect(canSeeDevice(who('public', null), { institution: 'h1' }, world)).toBe(false);
    expect(maySeeIngestStats(who('regulator', '330106-g01'))).toBe(true);
    for (const role of ['institution_admin', 'transport', 'disposal', 'public'] as const) expect(maySeeIngestStats(who(role, 'x'))).toBe(false);
  });
});
