/**
 * The soak's short form (`npm run soak -- --short`), as CI runs it: real server and city processes on
 * the compiled code, killed and restarted, one station cut off for 72 simulated hours. Needs `npm run
 * build` first (as `npm test` does).
 */
import { describe, expect, it } from 'vitest';
import { formatSoakResult, runSoak, SOAK_SHORT } from '../../src/soak/soak.ts';

describe('npm run soak -- --short', () => {
  it('loses nothing, stores nothing twice, keeps every chain and trail whole through kills and a 72 h outage', async () => {
    const lines: string[] = [];
    const r = await runSoak({ ...SOAK_SHORT, kills: 10, seconds: 25, log: (l) => lines.push(l) });
    const summary = formatSoakResult(r);
    expect(r.kills.server + r.kills.city, summary).toBe(10);
    expect(r.delivery.committed, summary).toBeGreaterThan(200);
    expect(r.delivery.lost, summary).toEqual([]);
    expect(r.delivery.duplicated, summary).toEqual([]);
    expect(r.delivery.altered, summary).toEqual([]);
    expect(r.delivery.unknown, summary).toEqual([]);
    expect(r.delivery.stored, summary).toBe(r.delivery.committed);
    expect(r.verify.exitCode, summary).toBe(0);
    expect(r.verify.output).toMatch(new RegExp(`^valid: ${r.delivery.stored} records`));
    expect(r.trails.bags, summary).toBeGreaterThan(10);
    expect(r.trails.broken, summary).toEqual([]);
    expect(r.offline.committedWhileOffline, summary).toBeGreaterThan(0);
    expect(r.offline.lost, summary).toBe(0);
    expect(r.alerts.unexpected, summary).toBe(0);
    expect(r.alerts.offlineStationSilent, summary).toBeGreaterThan(0);
    expect(r.passed, summary).toBe(true);
    // Progress was shown while it ran.
    expect(lines.some((l) => /^kill 10\/10: (server|city)/.test(l))).toBe(true);
  }, 400_000);
});
