import { describe, expect, it } from 'vitest';
import { checkAlerts, checkDelivery, checkTrails, type ChainRecord } from '../../src/soak/check.ts';

const chain = (device: string, n: number): ChainRecord[] => Array.from({ length: n }, (_, i) => ({ device, seq: i + 1, hash: `${device}-h${i + 1}` }));

describe('the soak checker', () => {
  it('finds nothing wrong when every committed record is stored once', () => {
    const committed = [...chain('h01-med', 5), ...chain('t01-v1', 3)];
    const r = checkDelivery(committed, [...committed].reverse());
    expect(r).toEqual({ committed: 8, stored: 8, lost: [], duplicated: [], altered: [], unknown: [] });
  });

  it('names a record committed by an agent but not stored', () => {
    const committed = chain('h01-med', 5);
    const r = checkDelivery(committed, committed.filter((c) => c.seq !== 3));
    expect(r.lost).toEqual([{ device: 'h01-med', seq: 3, hash: 'h01-med-h3' }]);
  });

  it('names a record stored twice, by position or by hash', () => {
    const committed = chain('h01-med', 3);
    expect(checkDelivery(committed, [...committed, committed[1]!]).duplicated.map((d) => d.seq)).toEqual([2, 2]);
    const sameHashElsewhere = { device: 'h01-surg', seq: 1, hash: 'h01-med-h1' };
    const r = checkDelivery(committed, [...committed, sameHashElsewhere]);
    expect(r.duplicated).toContainEqual(sameHashElsewhere);
    expect(r.unknown).toEqual([sameHashElsewhere]);
  });

  it('names a stored record whose hash is not the one committed', () => {
    const committed = chain('h01-med', 2);
    const r = checkDelivery(committed, [committed[0]!, { ...committed[1]!, hash: 'forged' }]);
    expect(r.altered).toEqual([committed[1]]);
    expect(r.lost).toEqual([]);
  });

  it('finds a bag whose trail on the server misses a record a station wrote about it', () => {
    const stations = [
      { tag: 'epc:1', device: 'h01-med', seq: 4 },
      { tag: 'epc:1', device: 'h01-collect', seq: 9 },
      { tag: 'epc:2', device: 'h01-med', seq: 5 },
    ];
    expect(checkTrails(stations, stations)).toEqual({ bags: 2, broken: [] });
    expect(checkTrails(stations, [stations[0]!, stations[2]!]).broken).toEqual([{ tag: 'epc:1', missing: [{ device: 'h01-collect', seq: 9 }] }]);
  });

  it('counts integrity-class alerts as unexpected, except unknown-origin of a bag whose seal came late and then cleared', () => {
    const alerts = [
      { rule: 'device-silent', device: 'h01-med', bag: null, cleared: true },
      { rule: 'storage-overdue', device: null, bag: 'epc:7', cleared: false },
      { rule: 'unknown-origin', device: null, bag: 'epc:1', cleared: true, lateSeal: true },
      { rule: 'unknown-origin', device: null, bag: 'epc:4', cleared: true, lateSeal: true },
      { rule: 'unknown-origin', device: null, bag: 'epc:2', cleared: false, lateSeal: true },
      { rule: 'unknown-origin', device: null, bag: 'epc:5', cleared: true, lateSeal: false },
      { rule: 'cloned-tag', device: null, bag: 'epc:3', cleared: false },
    ];
    const r = checkAlerts(alerts, { station: 'h01-med', bags: new Set(['epc:1']) });
    expect(r.unexpected).toBe(3);
    expect(r.lateSeal).toEqual({ raised: 3, cleared: 2, sealedWhileOffline: 1 });
    expect(r.offlineStationSilent).toBe(1);
    expect(r.byRule).toEqual({ 'device-silent': 1, 'storage-overdue': 1, 'unknown-origin': 4, 'cloned-tag': 1 });
    expect(r.clearedByRule).toEqual({ 'device-silent': 1, 'unknown-origin': 3 });
  });
});
