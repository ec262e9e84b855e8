/**
 * The EPCIS event query (a subset of GS1's REST binding, docs/interop/epcis.md#query): its parameters
 * read and checked (pure), an event matched against them (pure), and the scan that fills a page from
 * the stored records in acceptance order (records.id), resumable after any record.
 */
import type { CustodyStore } from '../store/index.ts';
import type { EpcisEvent, EpcisPlace } from './epcis.ts';
import { storedRecordEvents } from './event-source.ts';

/** The query parameters this server answers; any other is refused. */
export const EVENT_QUERY_PARAMETERS = ['eventType', 'GE_eventTime', 'LT_eventTime', 'GE_recordTime', 'LT_recordTime', 'EQ_action', 'EQ_bizStep', 'EQ_disposition', 'EQ_readPoint', 'EQ_bizLocation', 'MATCH_epc', 'MATCH_parentID', 'MATCH_anyEPC', 'EQ_eventID'] as const;
export type EventQueryParameter = (typeof EVENT_QUERY_PARAMETERS)[number];
const TIME_PARAMETERS = ['GE_eventTime', 'LT_eventTime', 'GE_recordTime', 'LT_recordTime'] as const;
const LIST_PARAMETERS = ['eventType', 'EQ_action', 'EQ_bizStep', 'EQ_disposition', 'EQ_readPoint', 'EQ_bizLocation', 'MATCH_epc', 'MATCH_parentID', 'MATCH_anyEPC', 'EQ_eventID'] as const;

/** A checked query: times in ms, lists (GS1's pipe-delimited values) as sets of what events carry. */
export interface EventQuery {
  times: Partial<Record<(typeof TIME_PARAMETERS)[number], number>>;
  lists: Partial<Record<(typeof LIST_PARAMETERS)[number], string[]>>;
}

export type EventQueryCheck = { ok: true; query: EventQuery; text: string } | { ok: false; field: string; message: string };

/** RFC 3339 with an offset, as GS1's examples write it: 2022-06-30T00:15:47.000-05:00. */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-](0\d|1[0-4]):[0-5]\d)$/;

/** Milliseconds of an RFC 3339 date-time; NaN for any other text, or a day the calendar lacks (Date.parse would roll 30 February into March). */
function instant(text: string): number {
  const m = DATE_TIME.exec(text);
  if (!m) return NaN;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) return NaN;
  return Date.parse(text);
}
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s|]+$/;
const WORD = /^[a-z_]+$/;

/** A CBV vocabulary element in any of its spellings, as events carry it (the bare word). */
function cbvWord(value: string, vocabulary: 'bizstep' | 'disp'): string {
  const urn = `urn:epcglobal:cbv:${vocabulary}:`;
  const web = `https://ref.gs1.org/cbv/${vocabulary === 'bizstep' ? 'BizStep' : 'Disp'}-`;
  if (value.startsWith(urn)) return value.slice(urn.length);
  if (value.startsWith(web)) return value.slice(web.length);
  return value;
}

export function parseEventQuery(raw: Partial<Record<EventQueryParameter, string>>): EventQueryCheck {
  const query: EventQuery = { times: {}, lists: {} };
  for (const name of TIME_PARAMETERS) {
    const v = raw[name];
    if (v === undefined) continue;
    const ms = instant(v);
    if (Number.isNaN(ms)) return { ok: false, field: `query.${name}`, message: `${name} must be an RFC 3339 date-time with an offset (2026-03-02T08:00:00.000+08:00), got ${JSON.stringify(v)}` };
    query.times[name] = ms;
  }
  for (const name of LIST_PARAMETERS) {
    const v = raw[name];
    if (v === undefined) continue;
    const values = v.split('|');
    for (const value of values) {
      const ok =
        name === 'eventType' ? value === 'ObjectEvent' || value === 'AggregationEvent' || /^[A-Z][A-Za-z]+Event$/.test(value)
        : name === 'EQ_action' ? ['ADD', 'OBSERVE', 'DELETE'].includes(value)
        : name === 'EQ_bizStep' || name === 'EQ_disposition' ? WORD.test(value) || URI.test(value)
        : URI.test(value);
      if (!ok) return { ok: false, field: `query.${name}`, message: `${name}: ${JSON.stringify(value)} is not a valid value (several values are separated by "|")` };
    }
    query.lists[name] = name === 'EQ_bizStep' ? values.map((x) => cbvWord(x, 'bizstep')) : name === 'EQ_disposition' ? values.map((x) => cbvWord(x, 'disp')) : values;
  }
  if (query.times.GE_eventTime !== undefined && query.times.LT_eventTime !== undefined && query.times.GE_eventTime >= query.times.LT_eventTime) {
    return { ok: false, field: 'query.LT_eventTime', message: 'LT_eventTime must be after GE_eventTime' };
  }
  // The query as canonical text: a page token binds its pages to exactly this question.
  const text = JSON.stringify({ times: Object.fromEntries(Object.entries(query.times).sort()), lists: Object.fromEntries(Object.entries(query.lists).sort()) });
  return { ok: true, query, text };
}

/** An EPC pattern (urn:epc:idpat:sgtin:0614141.812345.*) or an EPC URI, as a test. */
function epcMatcher(pattern: string): (uri: string) => boolean {
  if (!pattern.startsWith('urn:epc:idpat:')) return (uri) => uri === pattern;
  const re = new RegExp(`^${`urn:epc:id:${pattern.slice('urn:epc:idpat:'.length)}`.replace(/[.+?^${}()[\]\\]/g, '\\$&').replace(/\*/g, '[^.:]+')}$`);
  return (uri) => re.test(uri);
}

export function matchesEventQuery(e: EpcisEvent, q: EventQuery): boolean {
  const t = q.times;
  const eventMs = Date.parse(e.eventTime);
  const recordMs = Date.parse(String(e.recordTime));
  if (t.GE_eventTime !== undefined && eventMs < t.GE_eventTime) return false;
  if (t.LT_eventTime !== undefined && eventMs >= t.LT_eventTime) return false;
  if (t.GE_recordTime !== undefined && recordMs < t.GE_recordTime) return false;
  if (t.LT_recordTime !== undefined && recordMs >= t.LT_recordTime) return false;
  const l = q.lists;
  const one = (wanted: string[] | undefined, value: unknown) => wanted === undefined || (typeof value === 'string' && wanted.includes(value));
  const id = (v: unknown) => (v as { id?: string } | undefined)?.id;
  if (!one(l.eventType, e.type) || !one(l.EQ_action, e.action) || !one(l.EQ_bizStep, e.bizStep) || !one(l.EQ_disposition, e.disposition)) return false;
  if (!one(l.EQ_readPoint, id(e.readPoint)) || !one(l.EQ_bizLocation, id(e.bizLocation)) || !one(l.EQ_eventID, e.eventID)) return false;
  const epcs = [...((e.epcList as string[] | undefined) ?? []), ...((e.childEPCs as string[] | undefined) ?? [])];
  const parent = typeof e.parentID === 'string' ? [e.parentID] : [];
  const any = (patterns: string[] | undefined, uris: string[]) => patterns === undefined || patterns.some((p) => uris.some(epcMatcher(p)));
  return any(l.MATCH_epc, epcs) && any(l.MATCH_parentID, parent) && any(l.MATCH_anyEPC, [...epcs, ...parent]);
}

export interface EventPageOptions {
  /** The acceptance id to start after (0: from the first record). */
  after: number;
  perPage: number;
  /** Whether the asker may see records of this device (scope). */
  visibleDevice(device: string): boolean;
  places: ReadonlyMap<string, EpcisPlace>;
  timeZone: string;
  /** Records looked at per page at most: a query that matches little answers a short page, with a token to go on. */
  maxScan: number;
}

export interface EventPage {
  events: EpcisEvent[];
  /** The acceptance id of the last record looked at: the next page starts after it. */
  after: number;
  /** Whether records are left to look at. */
  more: boolean;
}

const BATCH = 500;

/**
 * One page of matching events, in acceptance order. A record's events are never split across pages (an
 * amending correction gives two): a page ends before a record whose events would not fit, unless the
 * page is still empty (perPage 1 and such a record: both come).
 */
export async function eventPage(store: Pick<CustodyStore, 'recordsAfter' | 'recordAt'>, q: EventQuery, o: EventPageOptions): Promise<EventPage> {
  const events: EpcisEvent[] = [];
  let cursor = o.after;
  let scanned = 0;
  for (;;) {
    const batch = await store.recordsAfter(cursor, BATCH);
    if (batch.length === 0) return { events, after: cursor, more: false };
    for (const r of batch) {
      if (events.length >= o.perPage || scanned >= o.maxScan) return { events, after: cursor, more: true };
      scanned += 1;
      const matched = r.type !== 'heartbeat' && o.visibleDevice(r.device) ? (await storedRecordEvents(store, r, o.places, o.timeZone, o.visibleDevice)).filter((e) => matchesEventQuery(e, q)) : [];
      if (events.length > 0 && events.length + matched.length > o.perPage) return { events, after: cursor, more: true };
      events.push(...matched);
      cursor = r.id;
    }
  }
}
