/**
 * A demo city day as EPCIS 2.0 (issue #20): the real demo (server, gateway, edge agents on simulated
 * devices, every incident) runs a simulated day; then every event of every stored record must pass
 * GS1's own EPCIS JSON Schema (ajv, as GS1's validate.sh runs it) with 0 errors, standalone and as one
 * EPCISDocument, and the query API must page through the same events as the regulator sees them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { INCIDENTS } from '@wastetrail/simulators';
import { epcisDocument, type EpcisEvent } from '../../server/src/interop/epcis.ts';
import { placesOf, storedRecordEvents } from '../../server/src/interop/event-source.ts';
import { epcisSchemaValidator } from '../../server/test/interop/support.ts';
import { startDemo } from '../src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'wastetrail-epcis-day-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DAY_MS = 24 * 3600_000;

async function waitFor(pred: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!pred()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a demo city day as EPCIS 2.0', () => {
  it('exports every custody record as events GS1\'s schema accepts (0 errors), and the query API pages through them', async () => {
    const demo = await startDemo({ dataDir: dir, institutions: 3, speed: 4800, seed: 5, incidents: INCIDENTS, log: () => undefined });
    let closed = false;
    try {
      await waitFor(() => demo.progress().simTime - demo.startedAt >= DAY_MS && demo.progress().counts.disposed > 0, 'a simulated day with bags disposed', 150_000);
      const { store } = demo.server;

      // The city counts a step when the station did it; the server stores it when the agent's upload lands.
      let records = await store.recordsAfter(0, 1_000_000);
      for (const end = performance.now() + 60_000; !records.some((r) => r.type === 'disposed') && performance.now() < end; records = await store.recordsAfter(0, 1_000_000)) {
        await new Promise((r) => setTimeout(r, 500));
      }
      // Every stored record's events, as the export maps them.
      const places = placesOf(await store.devices());
      const events: EpcisEvent[] = [];
      for (const r of records) events.push(...(await storedRecordEvents(store, r, places, 'Asia/Shanghai')));
      const types = new Set(records.map((r) => r.type));
      for (const t of ['sealed', 'collected', 'stored', 'picked-up', 'received', 'disposed'] as const) expect(types, t).toContain(t);
      // One event per custody step; none for a heartbeat, a sensor stream or a manifest's closing; a manifest
      // receipt one for the bags accepted and one for the bags refused (docs/interop/epcis.md).
      const expected = (r: (typeof records)[number]): number => {
        if (['heartbeat', 'climate', 'track', 'door', 'manifest-closed'].includes(r.type)) return 0;
        if (r.type !== 'manifest-received') return 1;
        const b = r.body as { accepted: unknown[]; refused: unknown[] };
        return Number(b.accepted.length > 0) + Number(b.refused.length > 0);
      };
      expect(events.length).toBe(records.reduce((n, r) => n + expected(r), 0));
      const steps = new Set(events.map((e) => e.bizStep));
      for (const step of ['commissioning', 'collecting', 'storing', 'shipping', 'receiving', 'destroying']) expect(steps, step).toContain(step);
      expect([...steps].filter((s) => !['commissioning', 'collecting', 'storing', 'shipping', 'receiving', 'destroying', 'staging_outbound', 'accepting', 'inspecting'].includes(String(s)))).toEqual([]);

      const validate = epcisSchemaValidator();
      const errors = events.flatMap((e) => validate(e).map((err) => `${e.eventID}: ${err.instancePath} ${err.message}`));
      expect(errors).toEqual([]);
      expect(validate(epcisDocument(events, new Date().toISOString()))).toEqual([]);
      console.info(`epcis day: ${records.length} records, ${events.length} events, 0 schema errors`);

      // The query API, paged as a client follows Link headers, gives the regulator the same events.
      const regulator = demo.credentials.find((c) => c.role === 'regulator') ?? demo.credentials[0]!;
      const login = await fetch(new URL('/api/v1/session', demo.httpUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: regulator.username, password: regulator.password }) });
      expect(login.status).toBe(200);
      const { token } = (await login.json()) as { token: string };
      const paged: string[] = [];
      let pages = 0;
      for (let next: string | undefined = '/epcis/events?perPage=10'; next !== undefined; pages++) {
        const r = await fetch(new URL(next, demo.httpUrl), { headers: { authorization: `Bearer ${token}` } });
        expect(r.status).toBe(200);
        const doc = (await r.json()) as { epcisBody: { queryResults: { resultsBody: { eventList: EpcisEvent[] } } } };
        expect(validate(doc)).toEqual([]);
        paged.push(...doc.epcisBody.queryResults.resultsBody.eventList.map((e) => e.eventID));
        const link = r.headers.get('link');
        next = link === null ? undefined : /^<([^>]+)>; rel="next"$/.exec(link)![1];
      }
      // Records keep arriving (heartbeats, the next day's first steps): the pages hold at least the day's events, in order.
      expect(pages).toBeGreaterThanOrEqual(Math.ceil(events.length / 10));
      expect(paged.slice(0, events.length)).toEqual(events.map((e) => e.eventID));
      await demo.close();
      closed = true;
    } finally {
      if (!closed) await demo.close();
    }
  }, 300_000);
});
