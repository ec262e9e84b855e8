import { describe, expect, it } from 'vitest';
import type { Institution } from '../../src/store/index.ts';
import { DISCLOSURE_CSV_HEADER, disclosureCsv, disclosureRows, monthDays, nextMonth } from '../../src/supervision/index.ts';

const INSTITUTIONS: Institution[] = [
  { id: 'hz-h002', name: 'Clinic, "West"', kind: 'clinic', jurisdiction: 'hz-xh' },
  { id: 'hz-h001', name: '市第一人民医院', kind: 'hospital', jurisdiction: 'hz-xh' },
  { id: 'hz-t001', name: 'Transport', kind: 'transport', jurisdiction: 'hz' },
];

describe('the monthly disclosure', () => {
  it('one row per hospital and clinic, in id order, from the sealed totals', () => {
    const rows = disclosureRows(INSTITUTIONS, [{ institution: 'hz-h001', bags: 3, sealedGrams: 4567, disposedBags: 2, disposedGrams: 3001, handedOverWithin48h: 2 }], new Map([['hz-h001', 2]]), new Map([['hz-h001', 'C']]));
    expect(rows).toEqual([
      { institution: 'hz-h001', name: '市第一人民医院', kind: 'hospital', jurisdiction: 'hz-xh', bagsSealed: 3, kgSealed: 4.567, bagsDisposed: 2, kgDisposed: 3.001, handedOverWithin48hShare: 0.6667, confirmedViolations: 2, riskClass: 'C' },
      { institution: 'hz-h002', name: 'Clinic, "West"', kind: 'clinic', jurisdiction: 'hz-xh', bagsSealed: 0, kgSealed: 0, bagsDisposed: 0, kgDisposed: 0, handedOverWithin48hShare: null, confirmedViolations: 0, riskClass: 'A' },
    ]);
    const csv = disclosureCsv('2026-03', rows).split('\r\n');
    expect(csv[0]).toBe(DISCLOSURE_CSV_HEADER);
    expect(csv[1]).toBe('2026-03,hz-h001,市第一人民医院,hospital,hz-xh,3,4.567,2,3.001,0.6667,2,C');
    expect(csv[2]).toBe('2026-03,hz-h002,"Clinic, ""West""",clinic,hz-xh,0,0,0,0,,0,A');
    expect(csv[3]).toBe('');
  });

  it('knows the days of a month', () => {
    expect(monthDays('2026-02')).toEqual({ fromDay: '2026-02-01', toDay: '2026-02-28' });
    expect(monthDays('2028-02')).toEqual({ fromDay: '2028-02-01', toDay: '2028-02-29' });
    expect(monthDays('2026-12')).toEqual({ fromDay: '2026-12-01', toDay: '2026-12-31' });
    expect(nextMonth('2026-12')).toBe('2027-01');
    expect(() => monthDays('2026-13')).toThrow(RangeError);
  });
});
