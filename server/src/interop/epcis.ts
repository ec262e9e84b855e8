/**
 * Custody records as GS1 EPCIS 2.0 events (JSON-LD), pure: the same record always gives the same events,
 * byte for byte, whoever asks and whenever. docs/interop/epcis.md has the mapping table and the reasons.
 *
 * - Identities: an `epc:` tag of a GS1 scheme as its pure-identity URI (urn:epc:id:sgtin:...), any other
 *   EPC as a TDS raw URI (urn:epc:raw:96.x...), a QR label as urn:wastetrail:label:<payload>.
 * - Places: readPoint the station device (urn:wastetrail:station:<device>), bizLocation the institution
 *   (urn:wastetrail:institution:<id>): institutions have no GLN in our reference data yet.
 * - eventID: ni:///sha-256;<base64url of the record hash> (RFC 6920), the hash of the signed message.
 */
import { decodeEpc, epcFromTagId, fromHex, sha256, toBase64Url, toHex, utf8, type EventBody, type EventType, type WasteCategory, type Weight } from '@wastetrail/firmware-protocol';
import { offsetMs } from '../rules/local-time.ts';

/** The JSON-LD context of every event: GS1's, and ours for the extension fields (`wt:`). */
export const EPCIS_CONTEXT_URL = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';
export const WT_NAMESPACE = 'https://wastetrail.dev/ns/epcis#';
export const EPCIS_CONTEXT = [EPCIS_CONTEXT_URL, { wt: WT_NAMESPACE }] as const;

/** The transfer manifest (转移联单) as a bizTransaction: CBV's despatch advice, the closest standard type. */
export const MANIFEST_TRANSACTION_TYPE = 'desadv';

export type EpcisEvent = Record<string, unknown> & { type: 'ObjectEvent' | 'AggregationEvent'; eventID: string; eventTime: string };

/** What the mapper reads of a stored record. */
export interface RecordForEpcis {
  device: string;
  seq: number;
  hash: string;
  type: EventType;
  /** The record's own time (device clock): the eventTime. */
  deviceTime: string;
  /** When the server accepted it: the recordTime. */
  receivedAt: string;
  body: unknown;
}

export interface EpcisPlace {
  institution: string;
  site?: string;
}

export interface EpcisContext {
  /** Where a device stands (the keyring's institution and site); undefined for a device not registered. */
  placeOf(device: string): EpcisPlace | undefined;
  /** The record a correction targets, when stored (the same device, seq and hash). */
  target?: RecordForEpcis;
  /** eventTimeZoneOffset is the offset of this zone at the event. Default Asia/Shanghai. */
  timeZone?: string;
}

/** The eventID of a record's event: RFC 6920 `ni` name of the record's SHA-256 (hex in, base64url out). */
export function eventIdOf(recordHash: string): string {
  const bytes = fromHex(recordHash);
  if (!bytes || bytes.length !== 32) throw new Error(`not a SHA-256 hash: ${recordHash}`);
  return `ni:///sha-256;${toBase64Url(bytes)}`;
}

/** The EPC URI of a tag id, as EPCIS names objects. */
export function epcUriOfTag(tag: string): string {
  const epc = epcFromTagId(tag);
  if (epc) {
    const d = decodeEpc(epc);
    return d.scheme === 'unknown' ? `urn:epc:raw:${epc.length * 8}.x${d.hex.toUpperCase()}` : d.uri;
  }
  if (tag.startsWith('qr:')) return `urn:wastetrail:label:${encodeURIComponent(tag.slice(3))}`;
  throw new Error(`not a tag id: ${tag}`);
}

export const stationUri = (device: string) => `urn:wastetrail:station:${device}`;
export const institutionUri = (institution: string) => `urn:wastetrail:institution:${encodeURIComponent(institution)}`;
export const manifestUri = (manifest: string) => `urn:wastetrail:manifest:${encodeURIComponent(manifest)}`;

/** "+08:00" for Asia/Shanghai. */
export function timeZoneOffsetAt(ms: number, timeZone: string): string {
  const minutes = Math.round(offsetMs(ms, timeZone) / 60_000);
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** CBV business step, disposition and action of each custody step (the mapping table of epcis.md). */
export const EPCIS_STEP = {
  sealed: { action: 'ADD', bizStep: 'commissioning', disposition: 'active' },
  collected: { action: 'OBSERVE', bizStep: 'collecting', disposition: 'in_progress' },
  stored: { action: 'OBSERVE', bizStep: 'storing', disposition: 'in_progress' },
  'picked-up': { action: 'OBSERVE', bizStep: 'shipping', disposition: 'in_transit' },
  received: { action: 'OBSERVE', bizStep: 'receiving', disposition: 'in_progress' },
  disposed: { action: 'DELETE', bizStep: 'destroying', disposition: 'destroyed' },
  pack: { action: 'ADD', bizStep: 'packing', disposition: 'container_closed' },
  unpack: { action: 'DELETE', bizStep: 'unpacking', disposition: 'container_open' },
  // The transfer manifest's own signatures (docs/transport/manifest.md): the producer declares the bags
  // ready to leave; the receiver accepts some and refuses others as non-conformant after inspection.
  'manifest-issued': { action: 'OBSERVE', bizStep: 'staging_outbound', disposition: 'in_progress' },
  'manifest-accepted': { action: 'OBSERVE', bizStep: 'accepting', disposition: 'in_progress' },
  'manifest-refused': { action: 'OBSERVE', bizStep: 'inspecting', disposition: 'non_conformant' },
} as const;

/**
 * A manifest receipt that both accepts and refuses bags gives two events; the refusal's eventID names
 * SHA-256 of `wastetrail/epcis/refused\n` and the record hash (hex), so it too is stable and recomputable.
 */
export function refusalEventIdOf(recordHash: string): string {
  return eventIdOf(toHex(sha256(utf8(`wastetrail/epcis/refused\n${recordHash}`))));
}

/**
 * The EPCIS events of one record: one for a custody step; for a correction, the target's event with its
 * error declaration, and (amend) the corrective event; none for a heartbeat (not custody), for a
 * correction whose target is not stored, or for a record of a device not registered.
 */
export function epcisEventsOf(r: RecordForEpcis, ctx: EpcisContext): EpcisEvent[] {
  if (r.type === 'heartbeat') return [];
  if (r.type === 'correction') return correctionEvents(r, ctx);
  if (r.type === 'manifest-received') {
    const b = r.body as EventBody<'manifest-received'>;
    const accepted = b.accepted.length > 0 ? stepEvent(r, ctx, { part: 'accepted' }) : undefined;
    const refused = b.refused.length > 0 ? stepEvent(r, ctx, { part: 'refused', ...(accepted ? { eventID: refusalEventIdOf(r.hash) } : {}) }) : undefined;
    return [accepted, refused].filter((e): e is EpcisEvent => e !== undefined);
  }
  const e = stepEvent(r, ctx);
  return e ? [e] : [];
}

function stepEvent(r: RecordForEpcis, ctx: EpcisContext, over?: { eventID?: string; recordTime?: string; amend?: { weight?: Weight; category?: WasteCategory }; part?: 'accepted' | 'refused' }): EpcisEvent | undefined {
  const place = ctx.placeOf(r.device);
  if (!place) return undefined;
  const eventMs = Date.parse(r.deviceTime);
  const common = {
    '@context': EPCIS_CONTEXT,
    eventID: over?.eventID ?? eventIdOf(r.hash),
    eventTime: r.deviceTime,
    eventTimeZoneOffset: timeZoneOffsetAt(eventMs, ctx.timeZone ?? 'Asia/Shanghai'),
    recordTime: over?.recordTime ?? r.receivedAt,
  };
  const where = { readPoint: { id: stationUri(r.device) }, bizLocation: { id: institutionUri(place.institution) } };
  const link = { 'wt:record': { device: r.device, seq: r.seq, hash: r.hash } };
  const mass = (w: Weight | undefined) => (w === undefined ? {} : { sensorElementList: [{ sensorReport: [{ type: 'Mass', value: w.value, uom: 'GRM' }] }] });
  const bagWeights = (bags: ReadonlyArray<{ tag: string; weight?: Weight }>) => {
    const weighed = bags.filter((b) => b.weight !== undefined).map((b) => ({ epc: epcUriOfTag(b.tag), grams: b.weight!.value }));
    return weighed.length > 0 ? { 'wt:bagWeights': weighed } : {};
  };
  const object = (kind: keyof typeof EPCIS_STEP, epcs: readonly string[], rest: Record<string, unknown>): EpcisEvent => ({
    ...common,
    type: 'ObjectEvent',
    epcList: epcs.map(epcUriOfTag),
    ...EPCIS_STEP[kind],
    ...where,
    ...rest,
    ...link,
  });
  const manifest = (m: string) => ({ bizTransactionList: [{ type: MANIFEST_TRANSACTION_TYPE, bizTransaction: manifestUri(m) }] });
  const amended = <T extends { weight?: Weight }>(b: T): Weight | undefined => over?.amend?.weight ?? b.weight;

  switch (r.type) {
    case 'sealed': {
      const b = r.body as EventBody<'sealed'>;
      // Instance/lot master data of the bag, fixed at commissioning: what it holds and where it came from.
      const ilmd = { 'wt:category': over?.amend?.category ?? b.category, 'wt:department': b.department, ...(place.site ? { 'wt:site': place.site } : {}) };
      return object('sealed', b.tags, { ...mass(amended(b)), ilmd });
    }
    case 'collected': {
      const b = r.body as EventBody<'collected'>;
      return object('collected', b.bags.map((x) => x.tag), { ...mass(amended(b)), ...bagWeights(b.bags) });
    }
    case 'stored': {
      const b = r.body as EventBody<'stored'>;
      return object('stored', b.bags.map((x) => x.tag), { ...mass(amended(b)), ...bagWeights(b.bags), 'wt:room': b.room });
    }
    case 'picked-up': {
      const b = r.body as EventBody<'picked-up'>;
      return object('picked-up', b.bags.map((x) => x.tag), { ...manifest(b.manifest), ...mass(amended(b)), ...bagWeights(b.bags), 'wt:vehicle': b.vehicle });
    }
    case 'received': {
      const b = r.body as EventBody<'received'>;
      return object('received', b.bags.map((x) => x.tag), { ...manifest(b.manifest), ...mass(amended(b)), ...bagWeights(b.bags), 'wt:vehicle': b.vehicle });
    }
    case 'disposed': {
      const b = r.body as EventBody<'disposed'>;
      return object('disposed', b.bags, { ...mass(amended(b)), 'wt:method': b.method, 'wt:batch': b.batch });
    }
    case 'aggregated': {
      const b = r.body as EventBody<'aggregated'>;
      return { ...common, type: 'AggregationEvent', parentID: epcUriOfTag(b.box), childEPCs: b.bags.map(epcUriOfTag), ...EPCIS_STEP[b.action], ...where, ...link };
    }
    case 'manifest-issued': {
      const b = r.body as EventBody<'manifest-issued'>;
      const parties = { version: b.version, producer: b.producer, transporter: b.transporter, receiver: b.receiver, ...(b.reason !== undefined ? { reason: b.reason } : {}) };
      return object('manifest-issued', b.bags.map((x) => x.tag), { ...manifest(b.manifest), ...mass(b.weight), ...bagWeights(b.bags), 'wt:manifest': parties, ...(b.vehicle !== undefined ? { 'wt:vehicle': b.vehicle } : {}) });
    }
    case 'manifest-received': {
      const b = r.body as EventBody<'manifest-received'>;
      if (over?.part === 'refused') {
        const reasons = b.refused.map((x) => ({ epc: epcUriOfTag(x.tag), reason: x.reason, ...(x.weight ? { grams: x.weight.value } : {}) }));
        return object('manifest-refused', b.refused.map((x) => x.tag), { ...manifest(b.manifest), 'wt:refused': reasons, 'wt:vehicle': b.vehicle });
      }
      const grams = b.accepted.reduce((sum, x) => sum + x.weight.value, 0);
      return object('manifest-accepted', b.accepted.map((x) => x.tag), { ...manifest(b.manifest), ...mass({ value: grams, unit: 'g' }), ...bagWeights(b.accepted), 'wt:vehicle': b.vehicle });
    }
    // manifest-closed names no object (a document's status: in the change feed and the manifest API);
    // track, door and climate are sensor streams of vehicles and rooms, not of the bags (docs/interop/epcis.md).
    default:
      return undefined;
  }
}

/**
 * A correction as EPCIS says it: the corrected event again, same eventID, with an errorDeclaration
 * (void: did_not_occur; amend: incorrect_data, naming the corrective event); for amend also the
 * corrective event, the target's event with the new values and the correction's own eventID.
 */
function correctionEvents(r: RecordForEpcis, ctx: EpcisContext): EpcisEvent[] {
  const b = r.body as EventBody<'correction'>;
  const t = ctx.target;
  if (!t || t.device !== b.target.device || t.seq !== b.target.seq || t.hash !== b.target.hash) return [];
  if (t.type === 'correction' || t.type === 'heartbeat') return [];
  const original = stepEvent(t, ctx);
  if (!original) return [];
  const correctiveId = eventIdOf(r.hash);
  const declaration = {
    declarationTime: r.deviceTime,
    reason: b.action === 'void' ? 'did_not_occur' : 'incorrect_data',
    ...(b.action === 'amend' ? { correctiveEventIDs: [correctiveId] } : {}),
    'wt:reason': b.reason,
    'wt:record': { device: r.device, seq: r.seq, hash: r.hash },
  };
  const declared: EpcisEvent = { ...original, errorDeclaration: declaration };
  if (b.action === 'void') return [declared];
  const corrective = stepEvent(t, ctx, { eventID: correctiveId, recordTime: r.receivedAt, amend: b.amend ?? {} });
  return corrective ? [declared, { ...corrective, 'wt:corrects': original.eventID }] : [declared];
}

/** An EPCIS 2.0 document of events (for files and exports). */
export function epcisDocument(events: readonly EpcisEvent[], creationDate: string): Record<string, unknown> {
  return { '@context': EPCIS_CONTEXT, type: 'EPCISDocument', schemaVersion: '2.0', creationDate, epcisBody: { eventList: events.map(withoutContext) } };
}

/** The answer of a query: an EPCISQueryDocument (GS1 REST binding). */
export function epcisQueryDocument(events: readonly EpcisEvent[], creationDate: string, queryName = 'SimpleEventQuery'): Record<string, unknown> {
  return {
    '@context': EPCIS_CONTEXT,
    type: 'EPCISQueryDocument',
    schemaVersion: '2.0',
    creationDate,
    epcisBody: { queryResults: { queryName, resultsBody: { eventList: events.map(withoutContext) } } },
  };
}

/** Inside a document the document's context applies; events standing alone carry their own. */
function withoutContext(e: EpcisEvent): Record<string, unknown> {
  const { '@context': _context, ...rest } = e;
  return rest;
}
