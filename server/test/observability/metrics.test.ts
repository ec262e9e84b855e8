/**
 * /metrics on a running server after real traffic: HTTP requests by route and status, records through
 * the embedded gateway into ingest (accepted, quarantined by code, commit and verify timings), the
 * gateway's sessions, and the process's default metrics, all from one registry.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCapturingLogger } from '@wastetrail/runtime';
import { parseServerConfig } from '../../src/config/index.ts';
import { startServer } from '../../src/server.ts';
import { seedWorld } from '../bags/support.ts';
import { DeviceClient, eventually, provision, TestDevice, uniqueId } from '../ingest/support.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The value of one sample line, e.g. `wastetrail_ingest_records_accepted_total 3`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics on a running server', () => {
  it('counts HTTP requests, ingest, the gateway and the process after real traffic', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wt-metrics-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const config = parseServerConfig(
      JSON.stringify({ mqtt: { mode: 'embedded', gateway: { tcp: { port: 0, host: '127.0.0.1' } } }, http: { port: 0 }, metrics: { port: 0 }, ingest: { verifyWorkers: 0 }, alerting: { tickMs: 3600_000 } }),
      dir,
    );
    const log = createCapturingLogger('info', 'wastetrail-server');
    const server = await startServer(config, { logger: log });
    cleanups.push(() => server.close());

    const dev = new TestDevice(uniqueId('ward'));
    await seedWorld(server.store);
    await provision(server.store, dev);
    await server.reloadKeyring();
    const device = await DeviceClient.connect(server.mqttUrl!, dev, 'token');
    cleanups.push(() => device.close());
    await device.publish(dev.seal(3));
    await device.publish('this line is not a record envelope');
    await eventually(() => device.lastAck()?.seq === 3, 'the ack of seq 3');
    await server.ingest.drain();

    const base = server.httpUrl;
    expect((await fetch(new URL('/healthz', base))).status).toBe(200);
    expect((await fetch(new URL('/api/v1/me', base))).status).toBe(401);
    expect((await fetch(new URL('/api/v1/bags/epc:1', base))).status).toBe(401);

    // Not on the public HTTP port: on the metrics listener, 127.0.0.1 by default.
    expect((await fetch(new URL('/metrics', base))).status).toBe(404);
    expect(server.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(server.listening()).toContain(`metrics ${server.metricsUrl}`);
    const r = await fetch(server.metricsUrl!);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await r.text();

    // HTTP: by method, route pattern (not the URL) and status, with durations.
    expect(sample(text, 'wastetrail_api_requests_total{method="GET",route="/healthz",status="200"}')).toBe(1);
    expect(sample(text, 'wastetrail_api_requests_total{method="GET",route="/api/v1/me",status="401"}')).toBe(1);
    expect(sample(text, 'wastetrail_api_requests_total{method="GET",route="/api/v1/bags/:id",status="401"}')).toBe(1);
    expect(sample(text, 'wastetrail_api_request_duration_seconds_count{method="GET",route="/healthz",status="200"}')).toBe(1);

    // Ingest: what the device sent, stored or refused by code, and how long commits and checks took.
    const code = 'MALFORMED_ENVELOPE';
    expect(server.ingest.stats().quarantined).toEqual({ [code]: 1 });
    expect(sample(text, 'wastetrail_ingest_records_accepted_total')).toBe(3);
    expect(sample(text, `wastetrail_ingest_quarantined_total{code="${code}"}`)).toBe(1);
    expect(sample(text, 'wastetrail_ingest_records_queued')).toBe(0);
    expect(sample(text, 'wastetrail_ingest_commit_seconds_count')).toBe(sample(text, 'wastetrail_ingest_batches_total'));
    expect(sample(text, 'wastetrail_ingest_verify_seconds_count{where="main"}')).toBe(3);

    // The gateway: the device's session and its two publishes.
    expect(sample(text, 'wastetrail_gateway_connected_devices')).toBe(1);
    expect(sample(text, 'wastetrail_gateway_messages_received_total')).toBeGreaterThanOrEqual(2);
    expect(text).toContain('# TYPE wastetrail_alerts_raised_total counter');

    // The process: CPU, memory, event loop.
    for (const m of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds']) expect(text).toContain(`# TYPE ${m} `);

    // The refusal is in the log too, with the device and the code, from ingest's child logger.
    expect(log.lines).toContainEqual(expect.objectContaining({ name: 'wastetrail-server', component: 'ingest', msg: 'quarantined', device: dev.id, code }));
  });
});
