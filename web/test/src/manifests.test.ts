/**
 * The manifest pages' logic (web/src/manifests.ts) on API-shaped manifests: the list's filters from and
 * to the URL, discrepancies in words, the crew's day, and the disposal centre's arrivals.
 */
import { describe, expect, it } from 'vitest';
import { arrivals, crewManifests, dayBefore, discrepancyMessage, filtersFromUrl, isDiscrepant, localDay, manifestQuery, partyName, shortOf, withoutFilters, type Manifest } from '../../src/manifests.ts';

const TZ = 'Asia/Shanghai';

function manifest(n: string, over: Partial<Manifest> = {}): Manifest {
  return {
    manifest: n, status: 'sent', version: 1, versions: [], producer: 'hz-h001', transporter: 'hz-t001', receiver: 'hz-d001', vehicle: '浙A00001', bags: [],
    declaredBags: 0, declaredGrams: 0, acceptedBags: 0, acceptedGrams: 0, refusedBags: 0, refusedGrams: 0, acceptance: null, signatures: [], discrepancies: [], missingSteps: [],
    issuedAt: null, sentAt: null, receivedAt: null, closedAt: null, lastAt: '2026-03-02T01:00:00Z', records: [], partyNames: {}, ...over,
  };
}
const bag = (tag: string, over: Partial<Manifest['bags'][number]> = {}): Manifest['bags'][number] => ({ tag, category: 'infectious', declaredGrams: 1000, pickedUp: true, receivedGrams: null, outcome: null, ...over });

/** The filters of a URL query, read as useUrlQuery reads it. */
function fromUrl(q: Record<string, string | string[]>) {
  const get = (k: string) => (Array.isArray(q[k]) ? q[k][0] : q[k]) ?? '';
  const getAll = (k: string) => { const v = q[k]; return v === undefined ? [] : Array.isArray(v) ? v : [v]; };
  return filtersFromUrl(get, getAll);
}

describe('the list filters', () => {
  it('read every filter, the sort and the page from the URL, and give the API exactly those', () => {
    const f = fromUrl({ producer: ' hz-h001 ', vehicle: '浙A00001', status: ['sent', 'refused'], from: '2026-03-01', to: '2026-03-02', discrepant: 'true', open: 'false', sort: 'oldest', offset: '50' });
    expect(f).toEqual({ ...withoutFilters(), producer: 'hz-h001', vehicle: '浙A00001', status: ['sent', 'refused'], from: '2026-03-01', to: '2026-03-02', discrepant: 'true', open: 'false', sort: 'oldest', offset: 50 });
    expect(manifestQuery(f)).toEqual({ producer: 'hz-h001', vehicle: '浙A00001', status: ['sent', 'refused'], from: '2026-03-01', to: '2026-03-02', discrepant: 'true', open: 'false', sort: 'oldest', limit: 50, offset: 50 });
  });

  it('drop what the API would refuse from a hand-edited link: an unknown status or sort, a day not YYYY-MM-DD, a negative or fractional offset', () => {
    const f = fromUrl({ status: ['lost', 'sent'], from: '1/3/2026', to: '2026-3-2', discrepant: 'yes', open: '1', sort: 'heaviest', offset: '-5' });
    expect(f).toEqual({ ...withoutFilters(), status: ['sent'] });
    expect(fromUrl({ offset: '2.5' }).offset).toBe(0);
  });

  it('ask the API for the first page, newest first, with no filter', () => {
    expect(manifestQuery(withoutFilters())).toEqual({ limit: 50, offset: 0 });
  });
});

describe('discrepancies', () => {
  it('a warning alone is not a discrepancy', () => {
    expect(isDiscrepant(manifest('M', { discrepancies: [{ kind: 'weight', severity: 'warning', stage: 'receipt', percent: 3 }] }))).toBe(false);
    expect(isDiscrepant(manifest('M', { discrepancies: [{ kind: 'refusal', severity: 'discrepancy', stage: 'receipt', refused: ['x'] }] }))).toBe(true);
  });

  it('each kind as a message with its figures; weights stay in grams for the page', () => {
    expect(discrepancyMessage({ kind: 'count', severity: 'discrepancy', stage: 'pickup', missing: ['a', 'b'], undeclared: [] })).toEqual({ key: 'manifest.disc.count', stage: 'pickup', params: { missing: 2, undeclared: 0 }, grams: {} });
    expect(discrepancyMessage({ kind: 'refusal', severity: 'discrepancy', stage: 'receipt', refused: ['y'], receivedGrams: 905, declaredGrams: 900 })).toEqual({ key: 'manifest.disc.refusal', params: { n: 1 }, grams: { weight: 905 } });
    // A refused bag never weighed in: its declared weight.
    expect(discrepancyMessage({ kind: 'refusal', severity: 'discrepancy', stage: 'receipt', refused: ['y'], declaredGrams: 900 }).grams).toEqual({ weight: 900 });
    expect(discrepancyMessage({ kind: 'weight', severity: 'warning', stage: 'receipt', percent: 4, declaredGrams: 1000, receivedGrams: 960 })).toEqual({ key: 'manifest.disc.weightWarning', params: { percent: 4 }, grams: { declared: 1000, received: 960 } });
    expect(discrepancyMessage({ kind: 'weight', severity: 'discrepancy', stage: 'receipt', percent: 12, declaredGrams: 1000, receivedGrams: 880 }).key).toBe('manifest.disc.weight');
    expect(discrepancyMessage({ kind: 'signatory', severity: 'discrepancy', stage: 'receipt', step: 'received', institution: 'hz-h001', expected: 'hz-d001' })).toEqual({ key: 'manifest.disc.signatory', step: 'received', params: { institution: 'hz-h001', expected: 'hz-d001' }, grams: {} });
  });
});

describe('party names', () => {
  it('name and id when the name is known, the id alone when not, nothing for no party', () => {
    expect(partyName({ 'hz-h001': 'City Hospital No. 1' }, 'hz-h001')).toBe('City Hospital No. 1 (hz-h001)');
    expect(partyName({}, 'hz-h009')).toBe('hz-h009');
    expect(partyName({}, null)).toBe('');
  });
});

describe("the crew's day", () => {
  it("today's manifests first, then the open ones from before, each once", () => {
    const [a, b, c] = [manifest('A'), manifest('B'), manifest('C')];
    expect(crewManifests([a, b], [b, c]).map((m) => m.manifest)).toEqual(['A', 'B', 'C']);
    expect(crewManifests([], [])).toEqual([]);
  });

  it("is Shanghai's day, not the browser's: 23:30 UTC is already the next day there", () => {
    expect(localDay(Date.parse('2026-03-01T23:30:00Z'), TZ)).toBe('2026-03-02');
    expect(localDay(Date.parse('2026-03-01T15:59:00Z'), TZ)).toBe('2026-03-01');
    expect(dayBefore('2026-03-02', 3)).toBe('2026-02-27');
    expect(dayBefore('2028-03-01', 1)).toBe('2028-02-29');
  });
});

describe("the disposal centre's arrivals", () => {
  const refusedHere = manifest('R', {
    status: 'processed', receivedAt: '2026-03-02T01:00:00Z', declaredGrams: 3300, acceptedGrams: 2390, refusedGrams: 905,
    bags: [bag('x', { outcome: 'accepted', receivedGrams: 2390 }), bag('y', { outcome: 'refused', receivedGrams: 905, refusalReason: 'leaking' })],
    discrepancies: [{ kind: 'refusal', severity: 'discrepancy', stage: 'receipt', refused: ['y'] }],
  });
  const shortOne = manifest('S', { status: 'received', receivedAt: '2026-03-02T15:30:00Z', declaredGrams: 5000, acceptedGrams: 4000, refusedGrams: 0, bags: [bag('z', { outcome: 'accepted' })] });
  const yesterday = manifest('Y', { status: 'processed', receivedAt: '2026-03-01T15:59:59Z', declaredGrams: 100, bags: [bag('w', { outcome: 'refused' })] });
  const onTheWay = manifest('T', { status: 'sent', receivedAt: null, bags: [bag('p'), bag('q', { pickedUp: false })] });

  it("counts only the receipts of Shanghai's today, their refused bags, their discrepancies and the weight short; expects the bags picked up and not received", () => {
    const a = arrivals([refusedHere, shortOne, yesterday], [onTheWay], '2026-03-02', TZ);
    // S was received at 15:30 UTC, 23:30 in Shanghai: still the 2nd. Y at 23:59:59 on the 1st in Shanghai.
    expect(a.received.map((m) => m.manifest)).toEqual(['R', 'S']);
    expect(a.refused.map((r) => [r.manifest.manifest, r.bag.tag])).toEqual([['R', 'y']]);
    expect(a.discrepant.map((m) => m.manifest)).toEqual(['R']);
    // R: 3300 - 2390 - 905 = 5 g; S: 1000 g.
    expect(a.shortGrams).toBe(1005);
    expect(a.expected.map((e) => e.bag.tag)).toEqual(['p']);
  });

  it('a weight beyond the declared is not short, and nothing received is nothing short', () => {
    expect(shortOf({ declaredGrams: 1000, acceptedGrams: 1100, refusedGrams: 0 })).toBe(0);
    expect(arrivals([], [], '2026-03-02', TZ)).toEqual({ received: [], refused: [], discrepant: [], shortGrams: 0, expected: [] });
  });
});
