/**
 * `npm run fuzz -- --short`, as CI runs it: serial chunks through every parser and driver, mutated
 * MQTT payloads at a running server's ingest, and API requests as every role on the running demo.
 */
import { describe, expect, it } from 'vitest';
import { formatFuzzResult, FUZZ_SHORT, runFuzz } from '../../src/fuzz/fuzz.ts';
import { PENDING_BOUND } from '../../src/fuzz/serial.ts';

describe('npm run fuzz -- --short', () => {
  it('no exception, nothing unsigned stored, no 5xx, nothing outside a role scope', async () => {
    const r = await runFuzz({ parts: ['serial', 'mqtt', 'api'], serialChunks: 100_000, mqttPayloads: 3_000, apiRequests: 1_200, seed: FUZZ_SHORT.seed, log: () => {} });
    const summary = formatFuzzResult(r);
    expect(r.serial!.chunks).toBe(100_000);
    expect(r.serial!.exceptions, summary).toEqual([]);
    expect(Object.keys(r.serial!.byTarget).length).toBeGreaterThanOrEqual(23);
    for (const [name, t] of Object.entries(r.serial!.byTarget)) {
      expect(t.chunks, name).toBeGreaterThan(0);
      expect(t.maxPending, name).toBeLessThanOrEqual(PENDING_BOUND);
    }
    // The parsers found frames among the noise: the genuine seeds get through.
    expect(r.serial!.byTarget['scale xk3190']!.outputs).toBeGreaterThan(0);
    // The vehicle's and the storage room's devices too: fixes, door/temperature readings, climate polls answered.
    for (const name of ['gnss nmea', 'cargo pwtio', 'driver gnss', 'driver cargo', 'driver climate modbus']) expect(r.serial!.byTarget[name]!.outputs, name).toBeGreaterThan(0);
    expect(r.mqtt!.payloads).toBe(3_000);
    expect(r.mqtt!.exceptions, summary).toEqual([]);
    expect(r.mqtt!.foreignStored).toBe(0);
    expect(r.mqtt!.quarantined).toBeGreaterThan(1000);
    expect(r.mqtt!.stillTakesRecords).toBe(true);
    expect(r.mqtt!.healthStatus).toBe(200);
    expect(r.api!.routes).toBeGreaterThan(20);
    expect(r.api!.serverErrors, summary).toBe(0);
    expect(r.api!.transportErrors, summary).toBe(0);
    expect(r.api!.exceptions, summary).toEqual([]);
    expect(r.api!.outOfScope, summary).toEqual([]);
    expect(r.api!.scopeChecks).toBeGreaterThan(0);
    expect(Object.keys(r.api!.byRole).sort()).toEqual(['anonymous', 'disposal', 'institution_admin', 'public', 'regulator', 'transport']);
    expect(r.passed, summary).toBe(true);
  }, 400_000);
});
