import { describe, expect, it } from 'vitest';
import { matchesEventQuery, parseEventQuery, type EventQuery } from '../../src/interop/event-query.ts';
import type { EpcisEvent } from '../../src/interop/epcis.ts';

const shipping: EpcisEvent = {
  type: 'ObjectEvent',
  eventID: 'ni:///sha-256;AAAA',
  eventTime: '2026-03-03T01:00:00.000Z',
  recordTime: '2026-03-03T01:00:05.000Z',
  action: 'OBSERVE',
  bizStep: 'shipping',
  disposition: 'in_transit',
  epcList: ['urn:epc:id:sgtin:0614141.812345.6657', 'urn:wastetrail:label:WT1.H001.ICU.S260302.0042G'],
  readPoint: { id: 'urn:wastetrail:station:hz-h001-kiosk-01' },
  bizLocation: { id: 'urn:wastetrail:institution:hz-h001' },
};
const packed: EpcisEvent = { ...shipping, type: 'AggregationEvent', action: 'ADD', bizStep: 'packing', epcList: undefined, parentID: 'urn:epc:id:grai:0614141.12345.400', childEPCs: ['urn:epc:id:sgtin:0614141.812345.6657'] };

const query = (raw: Record<string, string>): EventQuery => {
  const q = parseEventQuery(raw);
  if (!q.ok) throw new Error(q.message);
  return q.query;
};

describe('EPCIS query parameters', () => {
  it('match times at their bounds (GE inclusive, LT exclusive), in any offset', () => {
    expect(matchesEventQuery(shipping, query({ GE_eventTime: '2026-03-03T09:00:00+08:00' }))).toBe(true);
    expect(matchesEventQuery(shipping, query({ LT_eventTime: '2026-03-03T09:00:00.000+08:00' }))).toBe(false);
    expect(matchesEventQuery(shipping, query({ GE_recordTime: '2026-03-03T01:00:05.001Z' }))).toBe(false);
  });

  it('match EPCs exactly or by pattern, in epcList or childEPCs; parentID only with MATCH_parentID or MATCH_anyEPC', () => {
    expect(matchesEventQuery(shipping, query({ MATCH_epc: 'urn:epc:id:sgtin:0614141.812345.6657' }))).toBe(true);
    expect(matchesEventQuery(shipping, query({ MATCH_epc: 'urn:epc:idpat:sgtin:0614141.812345.*' }))).toBe(true);
    expect(matchesEventQuery(shipping, query({ MATCH_epc: 'urn:epc:idpat:sgtin:0614141.*.*' }))).toBe(true);
    expect(matchesEventQuery(shipping, query({ MATCH_epc: 'urn:epc:idpat:sgtin:0614142.*.*' }))).toBe(false);
    // A pattern's "." is a separator, not any character.
    expect(matchesEventQuery(shipping, query({ MATCH_epc: 'urn:epc:idpat:sgtin:0614141x812345.*' }))).toBe(false);
    expect(matchesEventQuery(packed, query({ MATCH_epc: 'urn:epc:id:sgtin:0614141.812345.6657' }))).toBe(true);
    expect(matchesEventQuery(packed, query({ MATCH_epc: 'urn:epc:id:grai:0614141.12345.400' }))).toBe(false);
    expect(matchesEventQuery(packed, query({ MATCH_parentID: 'urn:epc:id:grai:0614141.12345.400' }))).toBe(true);
    expect(matchesEventQuery(packed, query({ MATCH_anyEPC: 'urn:epc:id:grai:0614141.12345.400|urn:epc:id:grai:1.2.3' }))).toBe(true);
  });

  it('match CBV words in any spelling, and several values as alternatives', () => {
    for (const v of ['shipping', 'urn:epcglobal:cbv:bizstep:shipping', 'https://ref.gs1.org/cbv/BizStep-shipping', 'receiving|shipping']) {
      expect(matchesEventQuery(shipping, query({ EQ_bizStep: v })), v).toBe(true);
    }
    expect(matchesEventQuery(shipping, query({ EQ_disposition: 'urn:epcglobal:cbv:disp:in_transit', EQ_action: 'OBSERVE', eventType: 'ObjectEvent' }))).toBe(true);
    expect(matchesEventQuery(shipping, query({ EQ_bizLocation: 'urn:wastetrail:institution:hz-h002' }))).toBe(false);
  });

  it('refuse what they cannot read, naming the parameter', () => {
    for (const [raw, field] of [
      [{ GE_eventTime: '2026-03-03' }, 'query.GE_eventTime'],
      [{ GE_eventTime: '2026-02-30T00:00:00Z' }, 'query.GE_eventTime'],
      [{ LT_recordTime: '2026-03-03T00:00:00' }, 'query.LT_recordTime'],
      [{ MATCH_epc: 'urn:epc:id:sgtin:1.2.3|' }, 'query.MATCH_epc'],
      [{ EQ_bizStep: 'Shipping' }, 'query.EQ_bizStep'],
      [{ eventType: 'objectevent' }, 'query.eventType'],
    ] as const) {
      expect(parseEventQuery(raw), JSON.stringify(raw)).toMatchObject({ ok: false, field });
    }
  });

  it('give one canonical text per question, whatever the order of the parameters', () => {
    const a = parseEventQuery({ EQ_bizStep: 'shipping', GE_eventTime: '2026-03-03T00:00:00Z' });
    const b = parseEventQuery({ GE_eventTime: '2026-03-03T00:00:00Z', EQ_bizStep: 'shipping' });
    const c = parseEventQuery({ GE_eventTime: '2026-03-03T00:00:00Z', EQ_bizStep: 'receiving' });
    expect(a.ok && b.ok && c.ok).toBe(true);
    if (a.ok && b.ok && c.ok) {
      expect(a.text).toBe(b.text);
      expect(a.text).not.toBe(c.text);
    }
  });
});
