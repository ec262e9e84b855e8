/**
 * The bag trail page's logic (web/src/trail.ts) and the durations and weights it writes (format.ts):
 * which API call a search makes and in which order, what a trail shows around its steps, the sealing
 * day's register in Asia/Shanghai, in both languages.
 */
import { describe, expect, it, vi } from 'vitest';

// The catalogue reads the saved language at load; Node has no localStorage or navigator.
vi.stubGlobal('localStorage', { getItem: () => 'en', setItem: () => undefined });
vi.stubGlobal('navigator', { language: 'en-GB' });
const { ApiFailure } = await import('../../src/api.ts');
const { i18n } = await import('../../src/i18n.ts');
const { formatDuration, formatWeight } = await import('../../src/format.ts');
const { anomaliesOf, bundleHref, findTrail, placeName, registerHref, shownHashes, showsTransitMap } = await import('../../src/trail.ts');
type Trail = import('../../src/trail.ts').Trail;
type BagSummary = import('../../src/trail.ts').BagSummary;

const rec = (device: string, seq: number, hash = 'a'.repeat(64)) => ({ device, seq, hash });
const step = (s: Partial<Trail['steps'][number]> & Pick<Trail['steps'][number], 'step' | 'time'>) =>
  ({ record: rec('d', 1), institution: 'hz-h001', holder: { kind: 'department', id: 'ICU' }, badges: [], ...s }) as Trail['steps'][number];
const trail = (over: Partial<Trail> = {}): Trail =>
  ({ bag: 'epc:3074257bf7194e4000001a85', tags: [], state: 'sealed', institution: 'hz-h001', department: 'ICU', category: 'sharps', sealedGrams: 600, box: null, currentDwellMs: null, steps: [], voided: [], anomalies: [], places: [], records: [], verification: { records: 0, verified: 0, failed: 0 }, ...over }) as Trail;
const bagSummary = (bag: string) => ({ bag }) as BagSummary;

/** Fake lookups recording each call; `label` and `manifest` say what those answer. */
function lookups(label: Trail | ApiFailure, manifest: BagSummary[] = []) {
  const calls: string[] = [];
  return {
    calls,
    api: {
      bag: async (id: string) => (calls.push(`bag ${id}`), trail({ bag: id })),
      label: async (text: string) => {
        calls.push(`label ${text}`);
        if (label instanceof ApiFailure) throw label;
        return label;
      },
      manifestBags: async (m: string) => (calls.push(`manifest ${m}`), manifest),
    },
  };
}
const notFound = new ApiFailure(404, 'BAG_NOT_FOUND', 'no');
const mistyped = new ApiFailure(400, 'LABEL_INVALID', 'check character');

describe('findTrail', () => {
  it('asks for a tag id directly (an EPC lower-cased, a qr: label as typed) and makes a bare EPC a tag id', async () => {
    for (const [q, call] of [
      ['EPC:3074257BF7194E4000001A85', 'bag epc:3074257bf7194e4000001a85'],
      ['  qr:WT1.H330106.ONC.I250314.42R ', 'bag qr:WT1.H330106.ONC.I250314.42R'],
      ['3074257BF7194E4000001A85', 'bag epc:3074257bf7194e4000001a85'],
    ]) {
      const { calls, api } = lookups(notFound);
      expect(await findTrail(q!, api)).toMatchObject({ trail: { bag: call!.slice(4) } });
      expect(calls).toEqual([call]);
    }
  });

  it('tries a label, then a manifest: one bag is its trail, several a list, none the label\'s own refusal', async () => {
    const found = lookups(trail({ bag: 'qr:X' }));
    expect(await findTrail('WT1.H330106.ONC.I250314.42R', found.api)).toMatchObject({ trail: { bag: 'qr:X' } });
    expect(found.calls).toEqual(['label WT1.H330106.ONC.I250314.42R']);

    const one = lookups(notFound, [bagSummary('epc:1')]);
    expect(await findTrail('HZ2026112000001', one.api)).toMatchObject({ trail: { bag: 'epc:1' } });
    expect(one.calls).toEqual(['label HZ2026112000001', 'manifest HZ2026112000001', 'bag epc:1']);

    const many = lookups(notFound, [bagSummary('epc:1'), bagSummary('epc:2')]);
    expect(await findTrail('HZ2026112000001', many.api)).toEqual({ manifest: 'HZ2026112000001', bags: [bagSummary('epc:1'), bagSummary('epc:2')] });

    await expect(findTrail('WT1.H330106.ONC.I250314.42X', lookups(mistyped).api)).rejects.toBe(mistyped);
    await expect(findTrail('nothing', lookups(notFound).api)).rejects.toBe(notFound);
  });

  it('text with spaces or beyond ASCII is no label: only a manifest (none: BAG_NOT_FOUND); other failures are not swallowed', async () => {
    const zh = lookups(notFound);
    await expect(findTrail('联单一', zh.api)).rejects.toMatchObject({ code: 'BAG_NOT_FOUND' });
    expect(zh.calls).toEqual(['manifest 联单一']);
    const spaced = lookups(notFound);
    await expect(findTrail('two words', spaced.api)).rejects.toMatchObject({ code: 'BAG_NOT_FOUND' });
    expect(spaced.calls).toEqual([]);
    const down = new ApiFailure(503, 'STORE_UNAVAILABLE', 'down');
    await expect(findTrail('WT1.X', lookups(down).api)).rejects.toBe(down);
  });
});

describe('around the steps', () => {
  it('names places, groups anomalies by their step (the rest loose), lists the hashes shown', () => {
    const t = trail({
      places: [{ id: 'hz-h001', name: 'City Hospital No. 1', kind: 'hospital' }, { id: 'hz-d001', name: null, kind: 'disposal' }],
      steps: [step({ step: 'sealed', time: '2026-03-01T17:30:00.000Z', record: rec('k', 1) }), step({ step: 'stored', time: '2026-03-02T01:00:00.000Z', record: rec('k', 2) })],
      anomalies: [
        { kind: 'STEP_OUT_OF_ORDER', record: rec('k', 2), message: 'stored before collected' },
        { kind: 'STEP_REPEATED', record: rec('k', 2), message: 'again' },
        { kind: 'WRONG_INSTITUTION', record: rec('x', 9), message: 'elsewhere' },
      ],
      records: [{ ...rec('k', 1, 'b'.repeat(64)), type: 'sealed', deviceTime: '', receivedAt: '', kid: '', verified: true }],
    });
    expect([placeName(t, 'hz-h001'), placeName(t, 'hz-d001'), placeName(t, 'hz-x')]).toEqual(['City Hospital No. 1 (hz-h001)', 'hz-d001', 'hz-x']);
    const a = anomaliesOf(t);
    expect([...a.byRecord].map(([k, v]) => [k, v.map((x) => x.kind)])).toEqual([['k#2', ['STEP_OUT_OF_ORDER', 'STEP_REPEATED']]]);
    expect(a.loose.map((x) => x.kind)).toEqual(['WRONG_INSTITUTION']);
    expect([...shownHashes(t)]).toEqual([['k#1', 'b'.repeat(64)]]);
  });

  it('exports the register of the sealing day in Asia/Shanghai (17:30 UTC is the next day there), none without a seal or institution', () => {
    const sealedLate = trail({ steps: [step({ step: 'sealed', time: '2026-03-01T17:30:00.000Z' })] });
    expect(registerHref(sealedLate)).toBe('/api/v1/register.csv?institution=hz-h001&from=2026-03-02&to=2026-03-02');
    expect(registerHref(trail({ steps: [step({ step: 'stored', time: '2026-03-01T10:00:00.000Z' })] }))).toBeNull();
    expect(registerHref({ ...sealedLate, institution: null })).toBeNull();
    expect(bundleHref('qr:WT1.A/B')).toBe('/api/v1/bags/qr%3AWT1.A%2FB/bundle');
  });

  it('offers the transit map on a pickup by a vehicle only', () => {
    expect(showsTransitMap(step({ step: 'picked-up', time: '', vehicle: 'ZA-A1234' }))).toBe(true);
    expect(showsTransitMap(step({ step: 'picked-up', time: '' }))).toBe(false);
    expect(showsTransitMap(step({ step: 'received', time: '', vehicle: 'ZA-A1234' }))).toBe(false);
  });
});

describe('durations and weights, in both languages', () => {
  it('writes grams under a kilogram as g, else kg; durations as days, hours and minutes', () => {
    i18n.global.locale.value = 'en';
    expect([formatWeight(600), formatWeight(1250), formatWeight(12_345), formatWeight(null)]).toEqual(['600 g', '1.25 kg', '12.35 kg', '']);
    expect([formatDuration(0), formatDuration(59_000), formatDuration(90 * 60_000), formatDuration(68 * 3_600_000), formatDuration(12 * 86_400_000 + 3_600_000)]).toEqual(['0 min', '0 min', '1 h 30 min', '2 d 20 h', '12 d']);
    i18n.global.locale.value = 'zh-CN';
    expect([formatWeight(1250), formatDuration(68 * 3_600_000), formatDuration(90 * 60_000)]).toEqual(['1.25 kg', '2天20小时', '1小时30分钟']);
    i18n.global.locale.value = 'en';
  });
});
