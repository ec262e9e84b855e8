import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type ApiInstance } from '../../src/api/app.ts';
import { BOM, csvField, csvLine, localDateTime, REGISTER_COLUMNS, registerHeader } from '../../src/exports/index.ts';
import { BAG_A, BAG_C, bearer, openTestWorld, seedBags, V1, V2, type TestWorld } from '../api/support.ts';

describe('CSV fields', () => {
  it('quotes what needs quoting and neutralises formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('-1')).toBe("'-1");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvLine(['a', 'b,c'])).toBe('a,"b,c"\r\n');
  });

  it('local times as Excel reads them', () => {
    expect(localDateTime('2026-03-02T01:00:00.000Z', 'Asia/Shanghai')).toBe('2026-03-02 09:00:00');
    expect(localDateTime('2026-03-02T01:00:00.000Z', 'UTC')).toBe('2026-03-02 01:00:00');
    expect(localDateTime(undefined, 'UTC')).toBe('');
  });

  it('the header: BOM, then each column in Chinese and English, CRLF', () => {
    const h = registerHeader('Asia/Shanghai');
    expect(h.startsWith(BOM)).toBe(true);
    expect(h.endsWith('\r\n')).toBe(true);
    const cells = h.slice(1, -2).split(',');
    expect(cells).toHaveLength(REGISTER_COLUMNS.length);
    expect(cells).toContain('来源单位 / Source institution');
    expect(cells).toContain('转运交接时间 / Handover to transport at (Asia/Shanghai)');
    expect(cells).toContain('处置方式 / Disposal method');
    expect(cells).toContain('最终去向 / Final destination');
  });
});

describe('GET /api/v1/register.csv', () => {
  let w: TestWorld;
  let app: ApiInstance;
  beforeAll(async () => {
    w = await openTestWorld();
    await seedBags(w);
    app = await buildApp(w.deps);
  });
  afterAll(async () => {
    await app.close();
    await w.cleanup();
  });

  /** Rows as objects keyed by the English header (the part after " / ", without the time zone). */
  function parse(body: string): Record<string, string>[] {
    expect(body.startsWith(BOM)).toBe(true);
    const [head, ...rows] = body.slice(1).split('\r\n').filter((l) => l !== '');
    const keys = head!.split(',').map((h) => h.split(' / ')[1]!.replace(/ \(.*\)$/, ''));
    // The fixture has no commas or quotes in its values.
    return rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [keys[i]!, v])));
  }

  it('one row per bag with what 条例 Art. 12 asks: source, category, weights, handover times, handlers, method, destination', async () => {
    const r = await app.inject({ url: '/api/v1/register.csv?from=2026-03-02&to=2026-03-02', headers: bearer(w, 'reg-city') });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(r.headers['content-disposition']).toBe('attachment; filename="wastetrail-register-2026-03-02-2026-03-02.csv"');
    const rows = parse(r.body);
    expect(rows).toHaveLength(4);
    const a = rows.find((x) => x.Bag === BAG_A)!;
    expect(a).toEqual({
      Bag: BAG_A,
      Tags: `${BAG_A} qr:WT-A-SECOND-TAG`,
      'Source institution': '市第一人民医院 City Hospital No. 1 (hz-h001)',
      'Source department': 'ICU',
      Category: '感染性 infectious',
      'Sealed weight': '1250',
      'Sealed at': '2026-03-02 09:00:00',
      'Sealed by': 'badge-0101',
      'Collected at': '2026-03-02 11:00:00',
      'Collection handlers': 'badge-0101/badge-0207',
      'Stored at': '2026-03-02 12:00:00',
      'Storage keeper': 'badge-0303',
      'Handover to transport at': '2026-03-03 09:00:00',
      'Handover weight': '1247',
      'Handover handlers': 'badge-0303/crew-5501',
      Vehicle: V1,
      'Transfer manifest': 'HZ2026030300017',
      'Received at disposal': '2026-03-03 11:00:00',
      'Received weight': '1246',
      'Received by': 'op-7001',
      'Disposal method': '焚烧 incineration',
      'Disposal batch': 'KILN2-20260303-01',
      'Disposed at': '2026-03-03 13:00:00',
      'Disposed by': 'op-7001',
      'Final destination': '余杭医废处置中心 Yuhang Disposal Centre (hz-d001)',
      State: '已处置 disposed',
      Anomalies: '',
      'Records verified': '7/7',
    });
    const c = rows.find((x) => x.Bag === BAG_C)!;
    expect(c).toMatchObject({ State: '转运中 picked-up', 'Received at disposal': '', 'Final destination': '', Vehicle: V2 });
  });

  it('times in the time zone asked for; an empty period has the header only', async () => {
    const utc = parse((await app.inject({ url: '/api/v1/register.csv?from=2026-03-02&to=2026-03-02&timeZone=UTC', headers: bearer(w, 'admin-h1') })).body);
    expect(utc.find((x) => x.Bag === BAG_A)!['Sealed at']).toBe('2026-03-02 01:00:00');
    const none = await app.inject({ url: '/api/v1/register.csv?from=2026-04-01&to=2026-04-30', headers: bearer(w, 'admin-h1') });
    expect(parse(none.body)).toEqual([]);
  });

  it('needs from and to, in order', async () => {
    const missing = await app.inject({ url: '/api/v1/register.csv?from=2026-03-02', headers: bearer(w, 'reg-city') });
    expect(missing.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'query.to' });
    const reversed = await app.inject({ url: '/api/v1/register.csv?from=2026-03-05&to=2026-03-01', headers: bearer(w, 'reg-city') });
    expect(reversed.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'query.from' });
  });
});
