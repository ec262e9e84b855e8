import { describe, expect, it } from 'vitest';
import { encodeGrai96, tagIdFromEpc, type DecodedRecord } from '@wastetrail/firmware-protocol';
import { epcisDocument, epcisEventsOf, epcisQueryDocument, epcUriOfTag, eventIdOf, refusalEventIdOf, timeZoneOffsetAt, type EpcisEvent, type RecordForEpcis } from '../../src/interop/epcis.ts';
import { BAG_A, BAG_A_QR, BAG_B, D1, H1, H2, TestDevice, V1 } from '../api/support.ts';
import { epcisSchemaValidator } from './support.ts';

const g = (value: number) => ({ value, unit: 'g' as const });
const BOX = (() => {
  const r = encodeGrai96({ filter: 0, companyPrefix: '0614141', assetType: '12345', serial: '400' }); // a turnover box
  if (!r.ok) throw new Error(r.error.message);
  return tagIdFromEpc(r.value)!;
})();
const PROPRIETARY = 'epc:e2801160600002084f1d3a5c'; // an Impinj TID-like EPC of no GS1 scheme

const h1 = new TestDevice('hz-h001-kiosk-01', H1, ['department', 'collection', 'storage'], 11);
const h2 = new TestDevice('hz-h002-kiosk-01', H2, ['department'], 12);
const d1 = new TestDevice('hz-d001-line-01', D1, ['disposal'], 13);
const places = new Map([
  [h1.id, { institution: H1, site: 'ICU' }],
  [h2.id, { institution: H2 }],
  [d1.id, { institution: D1 }],
]);

const stored = (r: DecodedRecord, receivedAt = '2026-03-02T09:00:00.000Z'): RecordForEpcis => ({
  device: r.record.device,
  seq: r.record.seq,
  hash: r.hash,
  type: r.record.type,
  deviceTime: r.record.time,
  receivedAt,
  body: r.record.body,
});

const sealed = stored(h1.sign({ type: 'sealed', body: { tags: [BAG_A, BAG_A_QR], category: 'infectious', weight: g(1250), department: 'ICU', staff: 'badge-0101' } }, '2026-03-02T01:00:00.000Z'));
const collected = stored(h1.sign({ type: 'collected', body: { bags: [{ tag: BAG_A, weight: g(1240) }, { tag: PROPRIETARY }], weight: g(2240), giver: 'badge-0101', receiver: 'badge-0207' } }, '2026-03-02T03:00:00.000Z'));
const storedStep = stored(h1.sign({ type: 'stored', body: { bags: [{ tag: BAG_A }], weight: g(1248), keeper: 'badge-0303', room: 'STORE-1' } }, '2026-03-02T04:00:00.000Z'));
const packed = stored(h1.sign({ type: 'aggregated', body: { box: BOX, bags: [BAG_A, BAG_B], action: 'pack', staff: 'badge-0303' } }, '2026-03-02T04:10:00.000Z'));
const unpacked = stored(h1.sign({ type: 'aggregated', body: { box: BOX, bags: [BAG_B], action: 'unpack', staff: 'badge-0303' } }, '2026-03-02T04:20:00.000Z'));
const amend = stored(h1.sign({ type: 'correction', body: { target: { device: h1.id, seq: collected.seq, hash: collected.hash }, action: 'amend', reason: 'scale read before the cart settled', authorisedBy: 'badge-0001', amend: { weight: g(2249) } } }, '2026-03-02T04:30:00.000Z'));
const voidSeal = stored(h1.sign({ type: 'correction', body: { target: { device: h1.id, seq: sealed.seq, hash: sealed.hash }, action: 'void', reason: 'tag read twice', authorisedBy: 'badge-0001' } }, '2026-03-02T04:40:00.000Z'));
const pickedUp = stored(h1.sign({ type: 'picked-up', body: { bags: [{ tag: BAG_A, weight: g(1247) }], weight: g(1247), giver: 'badge-0303', crew: 'crew-5501', vehicle: V1, manifest: 'HZ2026030300017' } }, '2026-03-03T01:00:00.000Z'));
const heartbeat = stored(h1.sign({ type: 'heartbeat', body: { uptime: 60, backlog: 0 } }, '2026-03-03T01:01:00.000Z'));
const received = stored(d1.sign({ type: 'received', body: { bags: [{ tag: BAG_A, weight: g(1246) }], weight: g(1246), operator: 'op-7001', vehicle: V1, manifest: 'HZ2026030300017' } }, '2026-03-03T03:00:00.000Z'));
const disposed = stored(d1.sign({ type: 'disposed', body: { bags: [BAG_A], method: 'incineration', batch: 'KILN2-20260303-01', operator: 'op-7001' } }, '2026-03-03T05:00:00.000Z'));
const labelled = stored(h2.sign({ type: 'sealed', body: { tags: [BAG_B], category: 'sharps', weight: g(830), department: 'ICU', staff: 'badge-2101' } }, '2026-07-02T01:05:00.000Z'));

const byKey = new Map([sealed, collected].map((r) => [`${r.device}#${r.seq}`, r]));
const eventsOf = (r: RecordForEpcis) => {
  const target = r.type === 'correction' ? byKey.get(`${(r.body as { target: { device: string; seq: number } }).target.device}#${(r.body as { target: { seq: number } }).target.seq}`) : undefined;
  return epcisEventsOf(r, { placeOf: (d) => places.get(d), ...(target ? { target } : {}) });
};
const all = [sealed, collected, storedStep, packed, unpacked, amend, voidSeal, pickedUp, heartbeat, received, disposed, labelled];
const validate = epcisSchemaValidator();

describe('EPCIS events of custody records', () => {
  it('every record type maps to events that GS1 EPCIS 2.0 JSON Schema accepts, standalone and in documents', () => {
    const events = all.flatMap(eventsOf);
    expect(events.length).toBe(12); // one per record, none for the heartbeat, two for the amending correction
    for (const e of events) expect(validate(e), JSON.stringify(e)).toEqual([]);
    expect(validate(epcisDocument(events, '2026-03-05T00:00:00.000Z'))).toEqual([]);
    expect(validate(epcisQueryDocument(events, '2026-03-05T00:00:00.000Z'))).toEqual([]);
  });

  it('the schema check can fail: a step without its time zone offset, or a bizStep outside CBV as a bare word, is refused', () => {
    const [e] = eventsOf(sealed) as [EpcisEvent];
    const { eventTimeZoneOffset: _offset, ...noOffset } = e;
    expect(validate(noOffset).length).toBeGreaterThan(0);
    expect(validate({ ...e, bizStep: 'sealing-the-bag' }).length).toBeGreaterThan(0);
  });

  it('the same record always gives the same event, its eventID the RFC 6920 name of the record hash', () => {
    expect(eventsOf(sealed)).toEqual(eventsOf(structuredClone(sealed)));
    const [e] = eventsOf(sealed) as [EpcisEvent];
    const b64url = Buffer.from(sealed.hash, 'hex').toString('base64url');
    expect(e.eventID).toBe(`ni:///sha-256;${b64url}`);
    expect(eventIdOf(sealed.hash)).toBe(e.eventID);
    expect(b64url).toHaveLength(43);
    // Another record, another id.
    expect(eventIdOf(collected.hash)).not.toBe(e.eventID);
  });

  it('a sealed bag is commissioned: ADD, with its tags, weight, category and department, at its station and institution', () => {
    const [e] = eventsOf(sealed) as [EpcisEvent];
    expect(e).toMatchObject({
      type: 'ObjectEvent',
      action: 'ADD',
      bizStep: 'commissioning',
      disposition: 'active',
      eventTime: '2026-03-02T01:00:00.000Z',
      eventTimeZoneOffset: '+08:00',
      recordTime: '2026-03-02T09:00:00.000Z',
      epcList: [epcUriOfTag(BAG_A), 'urn:wastetrail:label:WT-A-SECOND-TAG'],
      readPoint: { id: `urn:wastetrail:station:${h1.id}` },
      bizLocation: { id: `urn:wastetrail:institution:${H1}` },
      sensorElementList: [{ sensorReport: [{ type: 'Mass', value: 1250, uom: 'GRM' }] }],
      ilmd: { 'wt:category': 'infectious', 'wt:department': 'ICU', 'wt:site': 'ICU' },
      'wt:record': { device: h1.id, seq: sealed.seq, hash: sealed.hash },
    });
    expect(epcUriOfTag(BAG_A)).toMatch(/^urn:epc:id:sgtin:\d+\.\d+\.\d+$/);
  });

  it('handovers observe the bags with CBV steps; the transfer manifest is a desadv bizTransaction; per-bag weights ride along', () => {
    const [c] = eventsOf(collected) as [EpcisEvent];
    expect(c).toMatchObject({ action: 'OBSERVE', bizStep: 'collecting', disposition: 'in_progress' });
    // A proprietary EPC is named by its raw TDS URI, never guessed into a GS1 scheme.
    expect(c.epcList).toEqual([epcUriOfTag(BAG_A), 'urn:epc:raw:96.xE2801160600002084F1D3A5C']);
    expect(c['wt:bagWeights']).toEqual([{ epc: epcUriOfTag(BAG_A), grams: 1240 }]);
    expect(eventsOf(storedStep)[0]).toMatchObject({ bizStep: 'storing', 'wt:room': 'STORE-1' });
    expect(eventsOf(storedStep)[0]).not.toHaveProperty('wt:bagWeights');
    const [p] = eventsOf(pickedUp) as [EpcisEvent];
    expect(p).toMatchObject({ bizStep: 'shipping', disposition: 'in_transit', bizTransactionList: [{ type: 'desadv', bizTransaction: 'urn:wastetrail:manifest:HZ2026030300017' }], 'wt:vehicle': V1 });
    const [r] = eventsOf(received) as [EpcisEvent];
    expect(r).toMatchObject({ bizStep: 'receiving', bizLocation: { id: `urn:wastetrail:institution:${D1}` }, bizTransactionList: [{ type: 'desadv', bizTransaction: 'urn:wastetrail:manifest:HZ2026030300017' }] });
    // The vehicle plate is Chinese: kept as text in the extension, percent-encoded wherever it is in a URI.
    expect(r['wt:vehicle']).toBe('浙A1234');
  });

  it('disposal destroys the bags (DELETE); a batch without a weight has no sensor element', () => {
    const [e] = eventsOf(disposed) as [EpcisEvent];
    expect(e).toMatchObject({ action: 'DELETE', bizStep: 'destroying', disposition: 'destroyed', 'wt:method': 'incineration', 'wt:batch': 'KILN2-20260303-01' });
    expect(e).not.toHaveProperty('sensorElementList');
  });

  it('turnover boxes are AggregationEvents: pack ADDs the bags to the box, unpack DELETEs them', () => {
    expect(eventsOf(packed)[0]).toMatchObject({ type: 'AggregationEvent', action: 'ADD', bizStep: 'packing', parentID: 'urn:epc:id:grai:0614141.12345.400', childEPCs: [epcUriOfTag(BAG_A), epcUriOfTag(BAG_B)] });
    expect(eventsOf(unpacked)[0]).toMatchObject({ type: 'AggregationEvent', action: 'DELETE', bizStep: 'unpacking', childEPCs: [epcUriOfTag(BAG_B)] });
  });

  it('an amending correction declares the target in error and gives the corrective event; a void one declares it did not occur', () => {
    const [original] = eventsOf(collected) as [EpcisEvent];
    const [declared, corrective] = eventsOf(amend) as [EpcisEvent, EpcisEvent];
    expect(declared.eventID).toBe(original.eventID);
    expect(declared.errorDeclaration).toEqual({
      declarationTime: '2026-03-02T04:30:00.000Z',
      reason: 'incorrect_data',
      correctiveEventIDs: [eventIdOf(amend.hash)],
      'wt:reason': 'scale read before the cart settled',
      'wt:record': { device: h1.id, seq: amend.seq, hash: amend.hash },
    });
    expect(corrective).toMatchObject({ eventID: eventIdOf(amend.hash), eventTime: original.eventTime, 'wt:corrects': original.eventID, sensorElementList: [{ sensorReport: [{ type: 'Mass', value: 2249, uom: 'GRM' }] }] });
    const voided = eventsOf(voidSeal);
    expect(voided).toHaveLength(1);
    expect(voided[0]!.errorDeclaration).toMatchObject({ reason: 'did_not_occur' });
    expect(voided[0]!.errorDeclaration).not.toHaveProperty('correctiveEventIDs');
  });

  it('gives no event for a heartbeat, a correction whose target is not stored or differs, or a device not registered', () => {
    expect(eventsOf(heartbeat)).toEqual([]);
    expect(epcisEventsOf(amend, { placeOf: (d) => places.get(d) })).toEqual([]);
    expect(epcisEventsOf(amend, { placeOf: (d) => places.get(d), target: { ...collected, hash: sealed.hash } })).toEqual([]);
    expect(epcisEventsOf(sealed, { placeOf: () => undefined })).toEqual([]);
  });

  it('the transfer manifest: the issue stages the bags outbound; a partial receipt accepts some and refuses others as non-conformant, each event valid and stable', () => {
    const M = 'HZ2026030300018';
    const issued = stored(h1.sign({ type: 'manifest-issued', body: { manifest: M, version: 1, producer: H1, transporter: 'hz-t001', receiver: D1, bags: [{ tag: BAG_A, category: 'infectious', weight: g(1250) }, { tag: BAG_B, category: 'sharps', weight: g(800) }], weight: g(2050), issuer: 'badge-0303' } }, '2026-03-03T00:50:00.000Z'));
    const partial = stored(d1.sign({ type: 'manifest-received', body: { manifest: M, vehicle: V1, accepted: [{ tag: BAG_A, weight: g(1246) }], refused: [{ tag: BAG_B, weight: g(805), reason: 'container leaking' }], operator: 'op-7001' } }, '2026-03-03T03:05:00.000Z'));
    const whole = stored(d1.sign({ type: 'manifest-received', body: { manifest: M, vehicle: V1, accepted: [], refused: [{ tag: BAG_A, reason: 'wrong category' }], operator: 'op-7001' } }, '2026-03-03T03:06:00.000Z'));
    const closed = stored(d1.sign({ type: 'manifest-closed', body: { manifest: M, outcome: 'processed', operator: 'op-7001' } }, '2026-03-03T05:00:00.000Z'));
    const tx = [{ type: 'desadv', bizTransaction: `urn:wastetrail:manifest:${M}` }];
    const [issue] = eventsOf(issued) as [EpcisEvent];
    expect(issue).toMatchObject({ action: 'OBSERVE', bizStep: 'staging_outbound', epcList: [epcUriOfTag(BAG_A), epcUriOfTag(BAG_B)], bizTransactionList: tx, 'wt:manifest': { version: 1, producer: H1, receiver: D1 } });
    const [accepted, refused] = eventsOf(partial) as [EpcisEvent, EpcisEvent];
    expect(accepted).toMatchObject({ eventID: eventIdOf(partial.hash), bizStep: 'accepting', epcList: [epcUriOfTag(BAG_A)], sensorElementList: [{ sensorReport: [{ type: 'Mass', value: 1246, uom: 'GRM' }] }], bizTransactionList: tx });
    expect(refused).toMatchObject({ eventID: refusalEventIdOf(partial.hash), bizStep: 'inspecting', disposition: 'non_conformant', epcList: [epcUriOfTag(BAG_B)], 'wt:refused': [{ epc: epcUriOfTag(BAG_B), reason: 'container leaking', grams: 805 }] });
    expect(refused.eventID).not.toBe(accepted.eventID);
    expect(eventsOf(structuredClone(partial))).toEqual([accepted, refused]);
    // A whole refusal is one event, named by the record hash itself.
    expect(eventsOf(whole)).toEqual([expect.objectContaining({ eventID: eventIdOf(whole.hash), bizStep: 'inspecting' })]);
    expect(eventsOf(closed)).toEqual([]);
    for (const e of [issue, accepted, refused, ...eventsOf(whole)]) expect(validate(e), JSON.stringify(e)).toEqual([]);
  });

  it('the offset follows the zone at the event (daylight saving included)', () => {
    expect(timeZoneOffsetAt(Date.parse('2026-07-02T01:05:00.000Z'), 'Asia/Shanghai')).toBe('+08:00');
    expect(timeZoneOffsetAt(Date.parse('2026-07-02T01:05:00.000Z'), 'Europe/Berlin')).toBe('+02:00');
    expect(timeZoneOffsetAt(Date.parse('2026-01-02T01:05:00.000Z'), 'America/St_Johns')).toBe('-03:30');
  });
});
