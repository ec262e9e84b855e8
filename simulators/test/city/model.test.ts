/**
 * The city's pure parts, without agents: the layout and the daily rhythm are the same for the same
 * seed, every bag goes ward to furnace in order, each incident bends the flow as named and only when
 * asked for, and a model continued from a saved state does what an uninterrupted one would have done.
 */
import { DEVICE_ID_PATTERN, epcFromBadgeId, epcFromTagId } from '@wastetrail/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { INCIDENTS, parseIncidentList } from '../../src/city/incidents.ts';
import { planCity } from '../../src/city/layout.ts';
import { bagTag, CityModel, type CityAction } from '../../src/city/model.ts';
import { DAY_MS, firstMorning, formatLocalTime, HOUR_MS, localMidnight, MINUTE_MS } from '../../src/city/time.ts';
import { runPerfectly } from './perfect.ts';

const START = firstMorning(Date.UTC(2026, 2, 2, 4)); // 2026-03-02 07:30 in Hangzhou
type Handover = Extract<CityAction, { kind: 'handover' }>;
type Seal = Extract<CityAction, { kind: 'seal' }>;

const handovers = (actions: CityAction[], mode?: Handover['mode']) => actions.filter((a): a is Handover => a.kind === 'handover' && (mode === undefined || a.mode === mode));
const seals = (actions: CityAction[]) => actions.filter((a): a is Seal => a.kind === 'seal');
const bagsOf = (a: Handover) => a.loads.flatMap((l) => l.bags);
const refusedTags = (actions: CityAction[]) =>
  handovers(actions, 'receive').flatMap((r) => (r.manifests?.after ?? []).flatMap((m) => (m.event.type === 'manifest-received' ? m.event.body.refused.map((f) => f.tag) : [])));

function city(o: { seed?: number; institutions?: number; incidents?: readonly (typeof INCIDENTS)[number][] } = {}) {
  const layout = planCity({ institutions: o.institutions ?? 3, seed: o.seed ?? 7 });
  return new CityModel({ layout, runStartMs: START, incidents: o.incidents ?? [] });
}

describe('city layout', () => {
  it('is the same city for the same seed, and another for another seed', () => {
    expect(planCity({ institutions: 4, seed: 5 })).toEqual(planCity({ institutions: 4, seed: 5 }));
    const a = planCity({ institutions: 4, seed: 5 });
    const b = planCity({ institutions: 4, seed: 6 });
    expect(b.transport.vehicles.map((v) => v.plate)).not.toEqual(a.transport.vehicles.map((v) => v.plate));
  });

  it('has 杭州市 > two districts > a grid each, and every station, badge and plate well formed', () => {
    const l = planCity({ institutions: 3, seed: 1 });
    expect(l.jurisdictions.map((j) => [j.level, j.name])).toEqual([
      ['city', '杭州市'],
      ['district', '上城区'],
      ['grid', '上城区湖滨网格'],
      ['district', '西湖区'],
      ['grid', '西湖区西溪网格'],
    ]);
    const wards = l.hospitals.flatMap((h) => h.departments);
    // Each vehicle carries two stations: the crew's pickup kiosk and the vehicle station (GNSS, cargo door).
    expect(l.stations).toHaveLength(wards.length + l.hospitals.length + l.hospitals.filter((h) => h.collection).length + 2 * l.transport.vehicles.length + 1);
    expect(l.hospitals.some((h) => h.collection)).toBe(true);
    expect(new Set(l.stations.map((s) => s.deviceId)).size).toBe(l.stations.length);
    for (const s of l.stations) {
      expect(s.deviceId).toMatch(DEVICE_ID_PATTERN);
      for (const p of s.people) expect(epcFromBadgeId(p.badge)).toBeDefined();
    }
    expect(l.transport.vehicles.map((v) => v.plate).every((p) => /^浙A[0-9]{5}$/.test(p))).toBe(true);
    // Every hospital is on exactly one vehicle's route.
    expect(l.transport.vehicles.flatMap((v) => v.route).sort()).toEqual(l.hospitals.map((h) => h.id).sort());
  });
});

describe('the daily rhythm', () => {
  it('does the same things for the same seed, and other things for another seed', () => {
    const a = runPerfectly(city({ seed: 3, incidents: INCIDENTS }), START + 3 * DAY_MS);
    const b = runPerfectly(city({ seed: 3, incidents: INCIDENTS }), START + 3 * DAY_MS);
    expect(b).toEqual(a);
    const c = runPerfectly(city({ seed: 4, incidents: INCIDENTS }), START + 3 * DAY_MS);
    expect(seals(c.actions).map((s) => s.grams)).not.toEqual(seals(a.actions).map((s) => s.grams));
  });

  it('takes every bag ward -> (collector) -> storage -> vehicle -> disposal -> furnace, in that order, within the day after', () => {
    const model = city({ seed: 11 });
    const { actions } = runPerfectly(model, START + 4 * DAY_MS);
    const layout = model.layout;
    const stepsOf = new Map<string, string[]>();
    const timesOf = new Map<string, number[]>();
    const note = (tag: string, step: string, at: number) => {
      stepsOf.set(tag, [...(stepsOf.get(tag) ?? []), step]);
      timesOf.set(tag, [...(timesOf.get(tag) ?? []), at]);
    };
    for (const a of actions) {
      if (a.kind === 'seal') note(a.tag, 'sealed', a.at);
      if (a.kind === 'handover') for (const t of bagsOf(a)) note(t, a.mode, a.at);
    }
    const collectedAt = new Set(layout.hospitals.filter((h) => h.collection).flatMap((h) => h.departments.map((d) => d.station.deviceId)));
    const sealedOn = seals(actions).filter((s) => s.at < START + 2 * DAY_MS);
    expect(sealedOn.length).toBeGreaterThan(100);
    for (const s of sealedOn) {
      const expected = collectedAt.has(s.station) ? ['sealed', 'collect', 'store-in', 'pickup', 'receive', 'dispose'] : ['sealed', 'store-in', 'pickup', 'receive', 'dispose'];
      expect(stepsOf.get(s.tag), s.tag).toEqual(expected);
      const times = timesOf.get(s.tag)!;
      expect([...times].sort((x, y) => x - y)).toEqual(times);
      // Stored at most ~28 h (overnight), disposed within the next afternoon.
      expect(times.at(-1)! - times[0]!).toBeLessThan(34 * HOUR_MS);
    }
    // Handover weights are what the scale shows with those bags on it: the sum of their sealed weights.
    const sealed = new Map(seals(actions).map((s) => [s.tag, s.grams]));
    for (const h of handovers(actions)) for (const l of h.loads) expect(l.grams).toBe(l.bags.reduce((g, t) => g + sealed.get(t)!, 0));
    expect(model.totals).toMatchObject({ failed: 0, lost: 0 });
  });

  it('seals through the working day, stores three times, picks up daily from 14:00, burns after unloading', () => {
    const { actions } = runPerfectly(city({ seed: 2 }), START + DAY_MS);
    const localHour = (t: number) => (t - localMidnight(t)) / HOUR_MS;
    expect(seals(actions).every((s) => localHour(s.at) >= 8 && localHour(s.at) < 17)).toBe(true);
    expect(handovers(actions, 'pickup').every((p) => localHour(p.at) >= 14 && p.details.manifest!.startsWith('ZY20260302-H'))).toBe(true);
    const pickups = handovers(actions, 'pickup');
    const receipts = handovers(actions, 'receive');
    expect(receipts.map((r) => r.details.manifest).sort()).toEqual(pickups.map((p) => p.details.manifest).sort());
    // Each pickup's manifest is issued at the hospital's storage room for exactly its bags, as sealed;
    // each receipt signs it for exactly the bags weighed in; each burn closes the manifests of its bags.
    for (const p of pickups) {
      const issue = p.manifests!.before![0]!;
      expect(issue.station).toMatch(/-store$/);
      expect(issue.event).toMatchObject({ type: 'manifest-issued', body: { manifest: p.details.manifest, version: 1, vehicle: p.details.vehicle } });
      if (issue.event.type !== 'manifest-issued') throw new Error('not an issue');
      expect(issue.event.body.bags.map((b) => b.tag)).toEqual(bagsOf(p));
      expect(issue.event.body.weight.value).toBe(p.loads[0]!.grams);
    }
    for (const r of receipts) {
      const receipt = r.manifests!.after![0]!.event;
      expect(receipt.type === 'manifest-received' && receipt.body.accepted.map((a) => a.tag)).toEqual(bagsOf(r));
    }
    const disposals = handovers(actions, 'dispose');
    expect(disposals.flatMap((d) => d.manifests!.after!.map((m) => m.event.body.manifest)).sort()).toEqual(pickups.map((p) => p.details.manifest).sort());
    expect(disposals.length).toBeGreaterThan(0);
    expect(disposals.every((d) => d.details.method === 'incineration' && /^B20260302-\d$/.test(d.details.batch!))).toBe(true);
    // Bag tags are SGTIN-96 EPCs the reader can carry, never reused.
    const tags = seals(actions).map((s) => s.tag);
    expect(new Set(tags).size).toBe(tags.length);
    expect(tags.every((t) => epcFromTagId(t)?.length === 12)).toBe(true);
    expect(bagTag(1)).toBe('epc:3035a537c800004000000001');
  });
});

describe('incidents', () => {
  const all = runPerfectly(city({ seed: 5, incidents: INCIDENTS }), START + 4 * DAY_MS);
  const none = runPerfectly(city({ seed: 5 }), START + 4 * DAY_MS);

  it('cloned-tag: one tag sealed at two hospitals five minutes apart, the copy set aside', () => {
    const byTag = groupBy(seals(all.actions), (s) => s.tag);
    const twice = [...byTag.values()].filter((s) => s.length > 1);
    expect(twice).toHaveLength(1);
    const [first, second] = twice[0]!;
    expect(second!.station.split('-')[0]).not.toBe(first!.station.split('-')[0]);
    expect(second!.at - first!.at).toBe(5 * MINUTE_MS);
    expect(second!.note).toMatch(/^cloned-tag:/);
    // The copy never travels: the tag is handed over once per step.
    for (const h of handovers(all.actions)) expect(new Set(bagsOf(h)).size).toBe(bagsOf(h).length);
    expect([...groupBy(seals(none.actions), (s) => s.tag).values()].every((s) => s.length === 1)).toBe(true);
  });

  it('skimmed-weights: one bag arrives about 15 % light and is weighed on its own', () => {
    const sealed = new Map(seals(all.actions).map((s) => [s.tag, s.grams]));
    const alone = handovers(all.actions, 'receive').flatMap((r) => r.loads).filter((l) => l.bags.length === 1 && l.grams !== sealed.get(l.bags[0]!));
    expect(alone).toHaveLength(1);
    const loss = 1 - alone[0]!.grams / sealed.get(alone[0]!.bags[0]!)!;
    expect(loss).toBeGreaterThan(0.12);
    expect(loss).toBeLessThan(0.18);
    expect(all.actions.some((a) => a.note?.startsWith('skimmed-weights:'))).toBe(true);
  });

  it('dumped-bag: one bag is picked up and never received', () => {
    // The bag refused at the disposal centre (partial-refusal) is not received either, but it is accounted for.
    const received = new Set([...handovers(all.actions, 'receive').flatMap(bagsOf), ...refusedTags(all.actions)]);
    const lastPickup = START + 3 * DAY_MS;
    const missing = handovers(all.actions, 'pickup').filter((p) => p.at < lastPickup).flatMap(bagsOf).filter((t) => !received.has(t));
    expect(missing).toHaveLength(1);
    const receivedNone = new Set(handovers(none.actions, 'receive').flatMap(bagsOf));
    expect(handovers(none.actions, 'pickup').filter((p) => p.at < lastPickup).flatMap(bagsOf).every((t) => receivedNone.has(t))).toBe(true);
  });

  it('overdue-storage: one hospital hands nothing over for 60 h, so its first stored bags wait over 48 h', () => {
    const note = all.notes.find((n) => n.startsWith('overdue-storage:'));
    expect(note).toBeDefined();
    const model = city({ seed: 5, incidents: INCIDENTS });
    const layout = model.layout;
    const hospital = layout.hospitals.find((h) => note!.includes(h.name))!;
    const manifest = `-H${String(hospital.index + 1).padStart(2, '0')}`;
    const pickups = handovers(all.actions, 'pickup').filter((p) => p.details.manifest!.endsWith(manifest));
    expect(pickups.every((p) => p.at >= START + 60 * HOUR_MS)).toBe(true);
    const storedAt = new Map(handovers(all.actions, 'store-in').flatMap((s) => bagsOf(s).map((t) => [t, s.at] as const)));
    const waited = bagsOf(pickups[0]!).map((t) => pickups[0]!.at - storedAt.get(t)!);
    expect(Math.max(...waited)).toBeGreaterThan(48 * HOUR_MS);
  });

  it('partial-refusal: one bag of one delivery is refused with a reason and weighed; the rest received, the manifest closed', () => {
    const receipts = handovers(all.actions, 'receive');
    const refusing = receipts.filter((r) => r.manifests?.after?.some((m) => m.event.type === 'manifest-received' && m.event.body.refused.length > 0));
    expect(refusing).toHaveLength(1);
    const r = refusing[0]!;
    expect(r.note).toMatch(/^partial-refusal:/);
    const receipt = r.manifests!.after![0]!.event;
    if (receipt.type !== 'manifest-received') throw new Error('not a receipt');
    const [refused] = receipt.body.refused;
    expect(refused).toMatchObject({ reason: '包装破损渗漏 container leaking' });
    // Not on the scale for custody, and never burnt; its manifest is closed once the rest is.
    expect(bagsOf(r)).not.toContain(refused!.tag);
    expect(receipt.body.accepted.map((a) => a.tag).sort()).toEqual([...bagsOf(r)].sort());
    expect(handovers(all.actions, 'dispose').flatMap(bagsOf)).not.toContain(refused!.tag);
    const closings = handovers(all.actions, 'dispose').flatMap((d) => d.manifests?.after ?? []).map((m) => m.event.body.manifest);
    expect(closings).toContain(r.details.manifest);
    expect(refusedTags(none.actions)).toEqual([]);
  });

  it('network-outage, tampered-record, rogue-device: placed after the start of the run, on ward stations', () => {
    const net = all.actions.filter((a): a is Extract<CityAction, { kind: 'network' }> => a.kind === 'network');
    expect(net.map((n) => [n.up, formatLocalTime(n.at)])).toEqual([
      [false, '2026-03-02 09:00'],
      [true, '2026-03-02 12:00'],
    ]);
    expect(net[0]!.station).toBe(net[1]!.station);
    const tamper = all.actions.find((a) => a.kind === 'tamper')!;
    expect(tamper.kind === 'tamper' && tamper.station).not.toBe(net[0]!.station);
    expect(all.actions.filter((a) => a.kind === 'rogue-device')).toHaveLength(1);
    expect(none.actions.filter((a) => a.kind !== 'seal' && a.kind !== 'handover')).toEqual([]);
    expect(none.notes).toEqual([]);
  });

  it('cold-room-failure: one storage room fails from 19:00 to 07:00 on the first evening, with bags stored at 17:15 waiting overnight', () => {
    const cold = all.actions.filter((a): a is Extract<CityAction, { kind: 'cold-room' }> => a.kind === 'cold-room');
    expect(cold.map((c) => [c.failed, formatLocalTime(c.at)])).toEqual([
      [true, '2026-03-02 19:00'],
      [false, '2026-03-03 07:00'],
    ]);
    expect(cold[0]!.station).toBe(cold[1]!.station);
    expect(cold[0]!.station).toMatch(/-store$/);
    expect(cold[0]!.note).toMatch(/^cold-room-failure:/);
    // Bags went into that room in the evening and left only the next day: held over through the failure.
    const intoRoom = handovers(all.actions, 'store-in').filter((h) => h.station === cold[0]!.station && h.at < cold[0]!.at && h.at >= cold[0]!.at - 3 * HOUR_MS);
    expect(intoRoom.flatMap(bagsOf).length).toBeGreaterThan(0);
  });

  it('reads incident lists by name', () => {
    expect(parseIncidentList('all')).toEqual([...INCIDENTS]);
    expect(parseIncidentList('none')).toEqual([]);
    expect(parseIncidentList(' Rogue-Device, cloned-tag ')).toEqual(['cloned-tag', 'rogue-device']);
    expect(() => parseIncidentList('cloned-tag,meteor')).toThrow(/unknown incident "meteor"/);
  });
});

describe('continuing from a saved state', () => {
  it('does what an uninterrupted city would have done', () => {
    const whole = runPerfectly(city({ seed: 9 }), START + 3 * DAY_MS).actions;
    const first = city({ seed: 9 });
    const before = runPerfectly(first, START + DAY_MS + 11 * HOUR_MS).actions;
    const saved = JSON.parse(JSON.stringify(first.snapshot()));
    const second = new CityModel({ layout: planCity({ institutions: 3, seed: 9 }), runStartMs: saved.simTime, saved });
    const after = runPerfectly(second, START + 3 * DAY_MS).actions;
    const strip = (as: CityAction[]) => as.map(({ id: _, ...rest }) => rest);
    expect(strip([...before, ...after])).toEqual(strip(whole));
    expect(second.totals).toEqual(runTotals(9));
  });

  it('never reuses a bag serial, even for a new layout', () => {
    const first = city({ seed: 9 });
    runPerfectly(first, START + DAY_MS);
    const saved = first.snapshot();
    const other = new CityModel({ layout: planCity({ institutions: 2, seed: 9 }), runStartMs: saved.simTime, saved, firstSerial: saved.nextSerial });
    const tags = seals(runPerfectly(other, saved.simTime + DAY_MS).actions).map((s) => s.tag);
    const earlier = new Set(Array.from({ length: saved.nextSerial - 1 }, (_, i) => bagTag(i + 1)));
    expect(tags.length).toBeGreaterThan(0);
    expect(tags.some((t) => earlier.has(t))).toBe(false);
  });
});

function groupBy<T, K>(items: T[], key: (item: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const item of items) out.set(key(item), [...(out.get(key(item)) ?? []), item]);
  return out;
}

function runTotals(seed: number) {
  const m = city({ seed });
  runPerfectly(m, START + 3 * DAY_MS);
  return m.totals;
}
