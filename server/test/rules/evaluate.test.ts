/** evaluateRules as the server calls it: all rules, clean runs, jurisdictions, determinism. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reconstructTrail, type TrailRecord } from '../../src/custody/index.ts';
import {
  ALERT_MESSAGES,
  BAG_RULES,
  evaluateRules,
  isMessageKey,
  LOCALES,
  renderAlertMessage,
  RULE_IDS,
  ruleConfig,
  type AlertCandidate,
  type DeviceStatus,
  type MessageKey,
} from '../../src/rules/index.ts';
import { at, cleanDay, DISPOSAL, H, HOSPITAL, HOSPITAL_2, inputs, INSTITUTIONS, MIN, RecordBook, tag } from './support.ts';

function trailsAsOf(records: readonly TrailRecord[], nowMs: number) {
  const known = records.filter((r) => Date.parse(r.time) <= nowMs);
  const tags = [...new Set(known.flatMap((r) => (r.event.type === 'sealed' ? [r.event.body.tags[0]!] : [])))].sort();
  return tags.map((t) => reconstructTrail(known, t));
}

describe('a clean day', () => {
  it('raises no alert at all, at any hour from the first seal until the day is judged', () => {
    const { book, day, nowMs, devices } = cleanDay(6);
    for (let t = day + H / 2; t <= nowMs; t += H) {
      const r = evaluateRules(inputs({ nowMs: t, trails: trailsAsOf(book.records, t), devices: devices.map((d) => ({ ...d, lastSeenMs: t - MIN })) }));
      expect(r.candidates, new Date(t).toISOString()).toEqual([]);
    }
  });

  it('was judged by every rule but integrity, which ingest raises', () => {
    const { book, nowMs, devices } = cleanDay(3);
    const r = evaluateRules(inputs({ nowMs, trails: book.trails(), devices }));
    expect(r.evaluated.rules).toEqual(RULE_IDS.filter((id) => id !== 'integrity'));
    expect(r.evaluated.subjects).toEqual(expect.arrayContaining([`bag:${tag(0)}`, `site:${HOSPITAL}/R1`, `device:${HOSPITAL}-department`, `institution-day:${HOSPITAL}/2026-03-02`]));
  });
});

describe('the same records, later', () => {
  it('a day where nothing moved raises the clock rules one by one', () => {
    const { book, day } = cleanDay(2);
    const stuck = new RecordBook();
    for (const r of book.records) if (r.event.type === 'sealed' || r.event.type === 'collected' || r.event.type === 'stored') stuck.records.push(r);
    const rulesAt = (t: number) => [...new Set(evaluateRules(inputs({ nowMs: t, trails: stuck.trails() })).candidates.map((c) => `${c.rule}/${c.severity}`))];
    expect(rulesAt(day + 40 * H - 1)).toEqual([]);
    expect(rulesAt(day + 40 * H)).toEqual(['storage-overdue/warning']);
    expect(rulesAt(day + 53 * H)).toEqual(['collection-overdue/warning', 'storage-overdue/critical']);
  });
});

describe('per-jurisdiction thresholds in a full evaluation', () => {
  it('a grid stricter than its city fires first, for its own institutions only', () => {
    const config = ruleConfig({ jurisdictions: { '330100': { storageOverdue: { warnHours: 30 } }, '330106-g02': { storageOverdue: { warnHours: 20, criticalHours: 24 } } } });
    const T = at('2026-03-02T02:00:00.000Z');
    const book = new RecordBook();
    book.seal(tag(1), T - H, 1000, HOSPITAL);
    book.store([{ tag: tag(1) }], 1000, T, HOSPITAL);
    book.seal(tag(2), T - H, 1000, HOSPITAL_2);
    book.store([{ tag: tag(2) }], 1000, T, HOSPITAL_2);
    const at_ = (h: number) => evaluateRules(inputs({ nowMs: T + h * H, trails: book.trails(), rules: ['storage-overdue'] }, config)).candidates.map((c) => [c.institution, c.severity]);
    expect(at_(19.9)).toEqual([]);
    expect(at_(20)).toEqual([[HOSPITAL_2, 'warning']]);
    expect(at_(24)).toEqual([[HOSPITAL_2, 'critical']]);
    expect(at_(30)).toEqual([[HOSPITAL, 'warning'], [HOSPITAL_2, 'critical']]);
  });
});

describe('evaluation after one new record', () => {
  it('runs the bag rules on the bags it touched, and judges no site, device or day', () => {
    const { book, nowMs } = cleanDay(2);
    const one = book.trails().filter((t) => t.bag === tag(0));
    const r = evaluateRules(inputs({ nowMs, trails: one, rules: BAG_RULES }));
    expect(r.evaluated.rules).toEqual([...BAG_RULES].sort((a, b) => RULE_IDS.indexOf(a) - RULE_IDS.indexOf(b)));
    expect(r.evaluated.subjects.every((s) => s.startsWith('bag:') || s.startsWith('handover:'))).toBe(true);
  });

  it('names each bag judged once, and a bag rule run alone still names the bags it judged', () => {
    const { book, nowMs } = cleanDay(3);
    const trails = book.trails();
    const r = evaluateRules(inputs({ nowMs, trails, rules: BAG_RULES }));
    const bags = r.evaluated.subjects.filter((s) => s.startsWith('bag:'));
    expect(bags).toEqual(trails.map((t) => `bag:${t.bag}`).sort());
    for (const id of ['storage-overdue', 'weight-discrepancy', 'missing-in-transit'] as const) {
      const alone = evaluateRules(inputs({ nowMs, trails, rules: [id] }));
      expect(alone.evaluated.subjects.filter((s) => s.startsWith('bag:')), id).toEqual(bags);
    }
  });
});

// ---- Determinism ----

const STEPS = 6;
const bagArb = fc.record({
  hospital: fc.constantFrom(HOSPITAL, HOSPITAL_2),
  reach: fc.integer({ min: 1, max: STEPS }),
  unsealed: fc.boolean(),
  sealedAgain: fc.boolean(),
  grams: fc.integer({ min: 100, max: 5000 }),
  drift: fc.array(fc.integer({ min: -400, max: 400 }), { minLength: STEPS, maxLength: STEPS }),
  gapsMin: fc.array(fc.integer({ min: 0, max: 60 * 60 }), { minLength: STEPS, maxLength: STEPS }),
  room: fc.constantFrom('R1', 'R2'),
});
const deviceArb = fc.record({ silentMin: fc.integer({ min: 0, max: 5000 }), station: fc.constantFrom('department' as const, 'storage' as const, 'disposal' as const), institution: fc.constantFrom(HOSPITAL, HOSPITAL_2, DISPOSAL) });
const scenarioArb = fc.record({ bags: fc.array(bagArb, { minLength: 1, maxLength: 8 }), devices: fc.array(deviceArb, { maxLength: 4 }), nowH: fc.integer({ min: 0, max: 24 * 14 }) });

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer V> ? V : never;

function build(s: Scenario) {
  const base = at('2026-03-02T00:00:00.000Z');
  const book = new RecordBook();
  s.bags.forEach((b, i) => {
    const t0 = base + i * 7 * MIN;
    let t = t0;
    const w = (k: number) => Math.max(0, b.grams + b.drift[k]!);
    const one = [{ tag: tag(i) }];
    const steps = [
      () => !b.unsealed && book.seal(tag(i), t, b.grams, b.hospital),
      () => book.collect(one, w(1), t, b.hospital),
      () => book.store(one, w(2), t, b.hospital, b.room),
      () => book.pickUp(one, w(3), t, b.hospital),
      () => book.receive(one, w(4), t),
      () => book.dispose([tag(i)], t),
    ];
    for (let k = 0; k < b.reach; k++) {
      t += b.gapsMin[k]! * MIN;
      steps[k]!();
    }
    if (b.sealedAgain) book.seal(tag(i), t0 + 30 * MIN, b.grams, HOSPITAL_2);
  });
  const nowMs = base + s.nowH * H;
  const devices: DeviceStatus[] = s.devices.map((d, i) => ({ device: `dev-${i}`, institution: d.institution, lastSeenMs: nowMs - d.silentMin * MIN, stations: [d.station] }));
  return { records: book.records, nowMs, devices };
}

describe('evaluateRules is deterministic and independent of input order', () => {
  it('gives the same candidates for the same inputs in any order', () => {
    fc.assert(
      fc.property(scenarioArb, fc.infiniteStream(fc.double({ min: 0, max: 1, noNaN: true })), (scenario, random) => {
        const { records, nowMs, devices } = build(scenario);
        const trails = trailsAsOf(records, nowMs);
        const config = ruleConfig({ jurisdictions: { '330106-g02': { storageOverdue: { warnHours: 12 } } } });
        const first = evaluateRules(inputs({ nowMs, trails, devices }, config));
        const shuffle = <T>(xs: readonly T[]) => xs.map((x) => [random.next().value, x] as const).sort((a, b) => a[0] - b[0]).map(([, x]) => x);
        const again = evaluateRules(inputs({ nowMs, trails: shuffle(trails), devices: shuffle(devices), institutions: shuffle(INSTITUTIONS) }, config));
        expect(again).toEqual(first);
        // And from records that arrived in another order.
        expect(evaluateRules(inputs({ nowMs, trails: trailsAsOf(shuffle(records), nowMs), devices }, config))).toEqual(first);
        for (const c of first.candidates) checkCandidate(c);
      }),
      { numRuns: 80 },
    );
  });
});

/** Every candidate is well formed and renders fully in every language. */
function checkCandidate(c: AlertCandidate) {
  expect(c.dedupeKey).toBe(`${c.rule}:${c.subject}`);
  expect(isMessageKey(c.messageKey)).toBe(true);
  for (const locale of LOCALES) expect(renderAlertMessage(c.messageKey as MessageKey, c.params, locale)).not.toMatch(/\{\w+(:\w+)?\}/);
  expect(c.message).toBe(renderAlertMessage(c.messageKey as MessageKey, c.params, 'en'));
  expect(c.evidence.length).toBeLessThanOrEqual(50);
}

describe('messages', () => {
  it('exist in every language with the same parameters', () => {
    for (const [key, texts] of Object.entries(ALERT_MESSAGES)) {
      const names = (s: string) => [...s.matchAll(/\{(\w+)(?::\w+)?\}/g)].map((m) => m[1]).sort();
      expect(names(texts['zh-CN']), key).toEqual(names(texts.en));
    }
  });

  it('render custody steps and anomalies in the reader language', () => {
    const params = { bag: 'epc:01020304', institution: 'hz-h001', step: 'stored', grams: 899, referenceStep: 'sealed', referenceGrams: 1000, diffGrams: 101, diffPercent: 10.1, toleranceGrams: 100 };
    expect(renderAlertMessage('weight-discrepancy.bag', params, 'zh-CN')).toBe('医疗废物袋 epc:01020304 在暂存入库环节（hz-h001）称重 899 克，封袋时为 1000 克，相差 101 克（10.1%），超出允许的 100 克。');
    expect(renderAlertMessage('out-of-order', { bag: 'b', anomalies: 'STEP_OUT_OF_ORDER,WRONG_INSTITUTION' }, 'zh-CN')).toBe('医疗废物袋 b 的交接过程异常（环节顺序颠倒、由非持有机构经手）。');
    expect(renderAlertMessage('storage-overdue', { bag: 'b' }, 'en')).toContain('{room}');
  });
});
