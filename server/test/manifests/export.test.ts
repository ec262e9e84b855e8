/** The 联单 export: a line per waste category with its HW01 code, the parties by name, signature times on the local clock. */
import { beforeEach, describe, expect, it } from 'vitest';
import { buildManifest } from '../../src/manifests/manifest.ts';
import { manifestExportHeader, manifestExportLines, manifestExportRows, WASTE_CODES } from '../../src/manifests/export.ts';
import type { Institution } from '../../src/store/index.ts';
import { bagTag, closed, issued, pickedUp, received, resetSeqs } from './support.ts';

const M = 'HZ2026030200017';
const INSTITUTIONS = new Map<string, Institution>([['hz-h001', { id: 'hz-h001', name: '市第一人民医院', kind: 'hospital', jurisdiction: 'x' }]]);

beforeEach(resetSeqs);

describe('the 联单 export', () => {
  it('one line per category, in code order, with counts, kilograms, refusals and every signature', () => {
    const m = buildManifest(M, [
      issued(M, '2026-03-02T02:00:00.000Z', [
        { tag: bagTag(1), grams: 1000, category: 'sharps' },
        { tag: bagTag(2), grams: 800 },
        { tag: bagTag(3), grams: 1200 },
      ]),
      pickedUp(M, '2026-03-02T02:30:00.000Z', [bagTag(1), bagTag(2), bagTag(3)], 3000),
      received(M, '2026-03-02T04:00:00.000Z', [[bagTag(2), 810], [bagTag(3), 1190], [bagTag(9), 300]], [[bagTag(1), 990, '=HYPERLINK("x")']]),
      closed(M, '2026-03-02T06:00:00.000Z'),
    ])!;
    const rows = manifestExportRows(m, INSTITUTIONS, 'Asia/Shanghai');
    expect(rows.map((r) => [r.wasteCode, r.category, r.bags, r.declaredKg, r.acceptedBags, r.acceptedKg, r.refusedBags, r.refusedKg])).toEqual([
      [WASTE_CODES.infectious, '感染性废物 infectious', '2', '2.000', '2', '2.000', '0', '0.000'],
      [WASTE_CODES.sharps, '损伤性废物 sharps', '1', '1.000', '0', '0.000', '1', '0.990'],
      // A bag weighed in that was never declared has a line of its own.
      ['', '未申报 undeclared', '0', '0.000', '1', '0.300', '0', '0.000'],
    ]);
    expect(rows[0]).toMatchObject({ manifest: M, version: '1', status: '已处置 processed', producer: '市第一人民医院 (hz-h001)', transporter: 'hz-t01', wasteClass: 'HW01 医疗废物', producerSigned: 'badge-0207 2026-03-02 10:00:00', transporterSigned: 'crew-5501 2026-03-02 10:30:00', closed: 'op-7001 2026-03-02 14:00:00' });
    expect(rows[0]!.discrepancies).toBe('count/discrepancy@receipt refusal/discrepancy@receipt');
    // A reason a spreadsheet would run as a formula is neutralised.
    expect(manifestExportLines(m, INSTITUTIONS, 'Asia/Shanghai')).toContain(`"'=HYPERLINK(""x"")"`);
    expect(manifestExportHeader('Asia/Shanghai')).toMatch(/^\uFEFF联单编号 \/ Manifest number,版本 \/ Version,.*产生单位签字\(工牌 时间\) \/ Producer signed \(badge, Asia\/Shanghai\)/);
  });

  it('a manifest known only from a pickup still exports, with what is known', () => {
    const m = buildManifest(M, [pickedUp(M, '2026-03-02T02:30:00.000Z', [bagTag(1)], 1000)])!;
    const [row, ...rest] = manifestExportRows(m, INSTITUTIONS, 'UTC');
    expect(rest).toEqual([]);
    expect(row).toMatchObject({ version: '', producer: '', status: '运输中 sent', transporterSigned: 'crew-5501 2026-03-02 02:30:00', producerSigned: '' });
  });
});
