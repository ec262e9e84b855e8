import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiInstance } from '../../src/api/app.ts';
import { epcUriOfTag, eventIdOf } from '../../src/interop/epcis.ts';
import { epcisSchemaValidator } from '../interop/support.ts';
import { BAG_A, bearer, closeApp, commit, D1, H2, openSeededApp, type TestWorld } from './support.ts';

interface Doc {
  type: string;
  epcisBody: { queryResults: { queryName: string; resultsBody: { eventList: Array<Record<string, unknown> & { eventID: string; eventTime: string; bizStep?: string }> } } };
}

let w: TestWorld;
let app: ApiInstance;
const validate = epcisSchemaValidator();

beforeAll(async () => {
  ({ w, app } = await openSeededApp());
});
afterAll(async () => closeApp(w, app));

const get = (url: string, user = 'reg-city') => app.inject({ url, headers: bearer(w, user) });
const events = (body: string) => (JSON.parse(body) as Doc).epcisBody.queryResults.resultsBody.eventList;

/** Every page of a query, following the Link headers as a client would. */
async function allPages(url: string, user = 'reg-city') {
  const pages: Array<Doc['epcisBody']['queryResults']['resultsBody']['eventList']> = [];
  for (let next: string | undefined = url; next !== undefined; ) {
    const r = await get(next, user);
    expect(r.statusCode, r.body).toBe(200);
    expect(validate(JSON.parse(r.body))).toEqual([]);
    pages.push(events(r.body));
    const link = r.headers.link as string | undefined;
    next = link === undefined ? undefined : /^<([^>]+)>; rel="next"$/.exec(link)![1];
    if (next !== undefined) expect(Date.parse(String(r.headers['gs1-next-page-token-expires']))).toBe(w.clock.now + 10 * 60_000);
  }
  return pages;
}

describe('GET /epcis/events', () => {
  it('answers an EPCISQueryDocument that GS1\'s schema accepts, with every custody record\'s events for a city regulator', async () => {
    const r = await get('/epcis/events?perPage=1000');
    expect(r.statusCode).toBe(200);
    expect(r.headers['gs1-epcis-version']).toBe('2.0.0');
    expect(r.headers.link).toBeUndefined();
    const doc = JSON.parse(r.body) as Doc;
    expect(validate(doc)).toEqual([]);
    expect(doc.type).toBe('EPCISQueryDocument');
    // 12 records of the seeded city; the amending correction gives two events (declaration, corrective).
    const list = events(r.body);
    expect(list).toHaveLength(13);
    expect(list.filter((e) => e.errorDeclaration !== undefined)).toHaveLength(1);
  });

  it('pages through the same events with expiring next-page links, none twice and none missed', async () => {
    const whole = events((await get('/epcis/events?perPage=1000')).body).map((e) => e.eventID + (e.errorDeclaration ? '#declared' : ''));
    const pages = await allPages('/epcis/events?perPage=4');
    expect(pages.length).toBeGreaterThanOrEqual(4);
    expect(pages.every((p) => p.length <= 4)).toBe(true);
    expect(pages.flat().map((e) => e.eventID + (e.errorDeclaration ? '#declared' : ''))).toEqual(whole);
  });

  it('filters by bizStep (any CBV spelling), EPC, bizLocation and event time, and pages a filtered query', async () => {
    const whole = events((await get('/epcis/events?perPage=1000')).body);
    const shipping = events((await get('/epcis/events?EQ_bizStep=shipping')).body);
    expect(shipping.map((e) => e.eventID)).toEqual(whole.filter((e) => e.bizStep === 'shipping').map((e) => e.eventID));
    expect(shipping).toHaveLength(3);
    expect(events((await get('/epcis/events?EQ_bizStep=urn:epcglobal:cbv:bizstep:shipping')).body)).toEqual(shipping);
    expect(events((await get(`/epcis/events?EQ_bizStep=${encodeURIComponent('https://ref.gs1.org/cbv/BizStep-shipping|receiving')}`)).body)).toHaveLength(4);

    const bagA = epcUriOfTag(BAG_A);
    const ofA = events((await get(`/epcis/events?MATCH_epc=${encodeURIComponent(bagA)}`)).body);
    expect(ofA.map((e) => e.eventID)).toEqual(whole.filter((e) => ((e.epcList as string[] | undefined) ?? []).includes(bagA)).map((e) => e.eventID));
    expect(ofA.length).toBe(8); // sealed, collected, stored, the correction's declaration and corrective event, picked up, received, disposed
    const pattern = bagA.replace('urn:epc:id:', 'urn:epc:idpat:').replace(/\.[^.]+$/, '.*');
    expect(events((await get(`/epcis/events?MATCH_epc=${encodeURIComponent(pattern)}`)).body).length).toBeGreaterThanOrEqual(ofA.length);

    const atD1 = events((await get(`/epcis/events?EQ_bizLocation=${encodeURIComponent(`urn:wastetrail:institution:${D1}`)}`)).body);
    expect(atD1.map((e) => e.bizStep)).toEqual(['receiving', 'destroying']);

    const window = events((await get(`/epcis/events?GE_eventTime=${encodeURIComponent('2026-03-03T09:00:00+08:00')}&LT_eventTime=${encodeURIComponent('2026-03-03T11:00:00.000+08:00')}`)).body);
    expect(window.map((e) => e.eventTime).sort()).toEqual(whole.map((e) => e.eventTime).filter((t) => t >= '2026-03-03T01:00:00.000Z' && t < '2026-03-03T03:00:00.000Z').sort());
    expect(window).toHaveLength(3);

    const paged = await allPages('/epcis/events?EQ_bizStep=shipping&perPage=1');
    expect(paged.flat().map((e) => e.eventID)).toEqual(shipping.map((e) => e.eventID));
  });

  it('is scoped like the rest of the API: an institution sees its own stations\' events; the public may not ask', async () => {
    const h2 = events((await get('/epcis/events?perPage=1000', 'admin-h2')).body);
    expect(h2.map((e) => e.bizStep)).toEqual(['commissioning', 'commissioning', 'shipping', 'shipping']);
    expect(new Set(h2.map((e) => (e.bizLocation as { id: string }).id))).toEqual(new Set([`urn:wastetrail:institution:${H2}`]));
    expect(events((await get('/epcis/events?perPage=1000', 'reg-yuhang')).body).map((e) => e.bizStep)).toEqual(['receiving', 'destroying']);
    const pub = await get('/epcis/events', 'citizen');
    expect(pub.statusCode).toBe(403);
    expect(JSON.parse(pub.body).error.code).toBe('FORBIDDEN');
    expect((await app.inject({ url: '/epcis/events' })).statusCode).toBe(401);
  });

  it('refuses an expired, forged, borrowed or re-aimed page token with its code', async () => {
    const first = await get('/epcis/events?perPage=2&EQ_bizStep=shipping');
    const next = /^<([^>]+)>/.exec(first.headers.link as string)![1]!;
    const token = new URL(next, 'http://x').searchParams.get('nextPageToken')!;

    const forged = `${token.slice(0, 10)}${token[10] === 'A' ? 'B' : 'A'}${token.slice(11)}`;
    const bad = await get(next.replace(token, forged));
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body).error).toMatchObject({ code: 'PAGE_TOKEN_INVALID', field: 'query.nextPageToken' });
    expect(JSON.parse((await get('/epcis/events?nextPageToken=nonsense')).body).error.code).toBe('PAGE_TOKEN_INVALID');
    expect(JSON.parse((await get(next, 'reg-xihu')).body).error.code).toBe('PAGE_TOKEN_INVALID');
    expect(JSON.parse((await get(next.replace('EQ_bizStep=shipping', 'EQ_bizStep=receiving'))).body).error.code).toBe('PAGE_TOKEN_INVALID');

    expect((await get(next)).statusCode).toBe(200);
    w.clock.now += 10 * 60_000;
    try {
      const expired = await get(next);
      expect(expired.statusCode).toBe(410);
      expect(JSON.parse(expired.body).error.code).toBe('PAGE_TOKEN_EXPIRED');
    } finally {
      w.clock.now -= 10 * 60_000;
    }
  });

  it('refuses parameters it does not take or cannot read, never guessing', async () => {
    for (const [query, field] of [
      ['GE_eventTime=2026-03-03', 'query.GE_eventTime'],
      ['LT_eventTime=yesterday', 'query.LT_eventTime'],
      ['GE_eventTime=2026-03-04T00:00:00Z&LT_eventTime=2026-03-03T00:00:00Z', 'query.LT_eventTime'],
      ['EQ_bizStep=ship ping', 'query.EQ_bizStep'],
      ['MATCH_epc=notauri', 'query.MATCH_epc'],
      ['EQ_action=WRITE', 'query.EQ_action'],
      ['perPage=0', 'query.perPage'],
      ['perPage=1001', 'query.perPage'],
      ['perPage=0x10', 'query.perPage'],
      ['EQ_quantity=3', 'query.EQ_quantity'],
    ] as const) {
      const r = await get(`/epcis/events?${query.replace(' ', '%20')}`);
      expect(r.statusCode, query).toBe(400);
      expect(JSON.parse(r.body).error, query).toMatchObject({ code: 'VALIDATION_FAILED', field });
    }
  });
});

describe('a correction of another institution\'s record', () => {
  it('shows its error declaration only to whoever may see the corrected record\'s device', async () => {
    const seeded = await openSeededApp();
    try {
      const { h1, h2 } = seeded.w.devices;
      const target = h2.chain[0]!; // bag C sealed at H2
      const correction = h1.sign({ type: 'correction', body: { target: { device: h2.id, seq: target.record.seq, hash: target.hash }, action: 'void', reason: 'sealed at the wrong kiosk', authorisedBy: 'badge-0001' } }, '2026-03-04T01:00:00.000Z');
      await commit(seeded.w.store, [correction]);
      const declared = (user: string) =>
        seeded.app.inject({ url: '/epcis/events?perPage=1000', headers: bearer(seeded.w, user) }).then((r) => events(r.body).filter((e) => e.errorDeclaration !== undefined && (e.errorDeclaration as { reason: string }).reason === 'did_not_occur'));
      expect(await declared('reg-city')).toHaveLength(1);
      expect((await declared('reg-city'))[0]!.eventID).toBe(eventIdOf(target.hash));
      expect(await declared('admin-h2')).toEqual([]);
      expect(await declared('admin-h1')).toEqual([]);
    } finally {
      await closeApp(seeded.w, seeded.app);
    }
  });
});
