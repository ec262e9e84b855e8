/**
 * The cold-room failure end to end: real edge agents reading the storage rooms' Modbus sensors over
 * in-process serial ports, signed climate records through the gateway, ingest and the projection, and
 * the rules on the demo's clock. The failing room raises the 25/20 °C alert and no other; a clean run
 * of a day and a half raises no climate alert at all, while every room reports its readings.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startDemo } from '../src/index.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function waitFor(pred: () => Promise<boolean> | boolean, what: string, timeoutMs: number): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!(await pred())) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const CLIMATE_RULES = ['storage-climate', 'climate-silent'];
const DAY = 24 * 3_600_000;

describe('cold-room failure in the demo city', () => {
  it('the failing room raises the storage-climate alert with its records as evidence; no other room does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wastetrail-cold-'));
    dirs.push(dir);
    const log: string[] = [];
    const demo = await startDemo({ dataDir: dir, institutions: 3, speed: 2400, seed: 4, incidents: ['cold-room-failure'], bagsPerWard: { min: 2, max: 3 }, log: (l) => log.push(l) });
    try {
      await waitFor(() => log.some((l) => l.startsWith('incident cold-room-failure: the cold room of')), 'the failure', 120_000);
      const climateAlerts = async () => (await demo.server.store.alerts({})).filter((a) => CLIMATE_RULES.includes(a.rule));
      await waitFor(async () => (await climateAlerts()).length > 0, 'the storage-climate alert', 120_000);
      const failed = log.find((l) => l.includes('fails at'))!;
      const [alert, ...others] = await climateAlerts();
      expect(others.map((a) => [a.rule, a.subject, a.params])).toEqual([]);
      expect(alert).toMatchObject({ rule: 'storage-climate', severity: 'critical', messageKey: 'storage-climate' });
      const hospital = demo.layout.hospitals.find((h) => failed.includes(h.storage.label))!;
      expect(alert!.subject).toBe(`site:${hospital.id}/${hospital.storage.site}`);
      expect(alert!.institution).toBe(hospital.id);
      expect(alert!.evidence.length).toBeGreaterThan(0);
      expect(alert!.evidence.every((e) => e.device === hospital.storage.deviceId)).toBe(true);
      expect(Number(alert!.params.peakCelsius)).toBeGreaterThanOrEqual(24);
      // The readings behind it are the room's own, over the API's window, from signed climate records.
      const readings = await demo.server.store.climateSince(new Date(0).toISOString());
      expect(new Set(readings.map((r) => `${r.institution}/${r.room}`)).size).toBe(demo.layout.hospitals.length);
      expect(readings.filter((r) => r.institution === hospital.id && r.temperature >= 240).length).toBeGreaterThan(3);
      expect(readings.filter((r) => r.institution !== hospital.id).every((r) => r.temperature < 200)).toBe(true);
    } finally {
      await demo.close();
    }
  }, 300_000);

  it('a clean day and a half: every storage room reports, and no climate alert is raised', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wastetrail-clean-'));
    dirs.push(dir);
    const demo = await startDemo({ dataDir: dir, institutions: 3, speed: 2400, seed: 4, incidents: [], bagsPerWard: { min: 2, max: 3 }, log: () => {} });
    try {
      const start = demo.progress().simTime;
      await waitFor(() => demo.progress().simTime >= start + 1.5 * DAY, 'a day and a half', 200_000);
      const rooms = await demo.server.store.climateRooms();
      expect(rooms.map((r) => r.institution).sort()).toEqual(demo.layout.hospitals.map((h) => h.id).sort());
      // Held-over bags on hot days in rooms at 18 °C: nothing to report.
      expect((await demo.server.store.alerts({})).filter((a) => CLIMATE_RULES.includes(a.rule))).toEqual([]);
    } finally {
      await demo.close();
    }
  }, 300_000);
});
