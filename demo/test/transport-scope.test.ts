/**
 * Issue #18: logged in to the real demo as demo-transport, the company sees the bags its own vehicles
 * carried (their records name each vehicle by its plate, 浙A.....) and their trails, and nothing of a bag
 * still waiting at a hospital. The demo runs in this process (startDemo, as demo.test.ts), the user goes
 * through the HTTP API with the demo login the demo prints.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startDemo } from '../src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'wastetrail-demo-transport-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface BagRow {
  bag: string;
  state: string;
  vehicle: string | null;
}

it('demo-transport finds the bags its vehicles carried and their trails, and not a bag it never carried', async () => {
  const demo = await startDemo({ dataDir: dir, institutions: 3, speed: 2400, seed: 7, incidents: [], bagsPerWard: { min: 3, max: 5 }, log: () => {} });
  try {
    const api = async (path: string, token: string) => {
      const r = await fetch(new URL(path, demo.httpUrl), { headers: { authorization: `Bearer ${token}` } });
      return { status: r.status, body: (await r.json()) as Record<string, unknown> };
    };
    const logIn = async (role: string) => {
      const c = demo.credentials.find((x) => x.role === role);
      expect(c, `the demo prints a ${role} login`).toBeDefined();
      const r = await fetch(new URL('/api/v1/session', demo.httpUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: c!.username, password: c!.password }) });
      expect(r.status).toBe(200);
      return ((await r.json()) as { token: string }).token;
    };
    const transport = await logIn('transport');
    const regulator = await logIn('regulator');
    const plates = demo.layout.transport.vehicles.map((v) => v.plate);

    // The city needs a little while before a crew has picked bags up and the projection has them.
    let carried: BagRow[] = [];
    for (const end = performance.now() + 45_000; carried.length === 0 && performance.now() < end; ) {
      await new Promise((r) => setTimeout(r, 500));
      const found = await api('/api/v1/bags?limit=500', transport);
      expect(found.status).toBe(200);
      carried = found.body.bags as BagRow[];
    }
    expect(carried.length, 'bags in the transport company search').toBeGreaterThan(0);
    for (const b of carried) expect(plates).toContain(b.vehicle);

    // The trail of a bag its vehicle carried: the pickup names the company's plate.
    const first = carried[0]!;
    const trail = await api(`/api/v1/bags/${encodeURIComponent(first.bag)}`, transport);
    expect(trail.status, JSON.stringify(trail.body)).toBe(200);
    const steps = trail.body.steps as Array<{ step: string; vehicle?: string }>;
    expect(steps.find((s) => s.step === 'picked-up')?.vehicle).toBe(first.vehicle);
    // Asking by one of its plates finds that bag.
    const byPlate = await api(`/api/v1/bags?limit=500&vehicle=${encodeURIComponent(first.vehicle!)}`, transport);
    expect((byPlate.body.bags as BagRow[]).map((b) => b.bag)).toContain(first.bag);

    // A bag still at its hospital (the regulator sees it): never carried, so out of the company's scope.
    const waiting = await api('/api/v1/bags?limit=1&state=sealed&state=collected&state=stored', regulator);
    const [atHospital] = waiting.body.bags as BagRow[];
    expect(atHospital, 'a bag waiting at a hospital').toBeDefined();
    const refused = await api(`/api/v1/bags/${encodeURIComponent(atHospital!.bag)}`, transport);
    expect(refused.status).toBe(403);
    expect((refused.body.error as { code: string }).code).toBe('FORBIDDEN');
    expect(carried.map((b) => b.bag)).not.toContain(atHospital!.bag);
  } finally {
    await demo.close();
  }
}, 90_000);
