import { describe, expect, it } from 'vitest';
import { filterStaff, keepsRegistry, staffCounts, type StaffEntry } from '../../src/staff.ts';

const entry = (badge: string, name: string, active = true): StaffEntry => ({ badge, name, active, institution: 'h1', role: 'staff', updatedAt: null });
const ENTRIES = [entry('giai:1.1', '李娜'), entry('giai:1.2', 'Zhang Wei', false), entry('badge-0303', '王强')];

describe('the staff registry page', () => {
  it('filters by name or badge, case-insensitively, and a blank filter keeps all', () => {
    expect(filterStaff(ENTRIES, 'zhang').map((e) => e.badge)).toEqual(['giai:1.2']);
    expect(filterStaff(ENTRIES, 'GIAI:1').map((e) => e.badge)).toEqual(['giai:1.1', 'giai:1.2']);
    expect(filterStaff(ENTRIES, '王')).toHaveLength(1);
    expect(filterStaff(ENTRIES, '  ')).toHaveLength(3);
    expect(filterStaff(ENTRIES, 'nobody')).toEqual([]);
  });

  it('counts everyone and the active ones', () => {
    expect(staffCounts(ENTRIES)).toEqual({ total: 3, active: 2 });
    expect(staffCounts([])).toEqual({ total: 0, active: 0 });
  });

  it("lets the institution's own accounts keep it, not a regulator or the public", () => {
    expect(['institution_admin', 'transport', 'disposal', 'regulator', 'public'].map(keepsRegistry)).toEqual([true, true, true, false, false]);
  });
});
