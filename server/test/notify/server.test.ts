/**
 * The composition root wires notifications in when the config has them: startServer's alerting hands its
 * escalations to the notifier, /metrics shows its counters, and close() drains it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseServerConfig } from '../../src/config/index.ts';
import { silentLogger } from '@wastetrail/runtime';
import { startServer } from '../../src/server.ts';
import { seedWorld } from '../bags/support.ts';
import { SECRET, webhookReceiver } from './support.ts';

const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('startServer with notifications', () => {
  it('posts an escalation to the configured webhook and counts it in /metrics', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wt-notify-server-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const hook = await webhookReceiver([200]);
    cleanups.push(hook.close);
    const config = parseServerConfig(
      JSON.stringify({
        mqtt: { mode: 'embedded', gateway: { tcp: { port: 0, host: '127.0.0.1' } } },
        http: { port: 0 },
        alerting: { tickMs: 3600_000 },
        notifications: { webhooks: [{ url: hook.url, secret: SECRET, levels: [2] }] },
      }),
      dir,
    );
    const T = Date.parse('2026-03-02T02:00:00.000Z');
    const server = await startServer(config, { logger: silentLogger, now: () => T });
    let closed = false;
    cleanups.push(() => (closed ? undefined : server.close()));
    await seedWorld(server.store);

    await server.alerting.fileIntegrity([{ code: 'WRONG_KEY', message: 'signed with another key', device: 'hz-h001-ward-1', seq: 1, institution: 'hz-h001', jurisdiction: 'hz-xh-g01', detectedAtMs: T }]);
    await server.alerting.tick(T + 61 * 60_000);
    // close() stops alerting, then lets the notifier finish what it holds.
    await server.close();
    closed = true;
    expect(hook.received).toHaveLength(1);
    expect(JSON.parse(hook.received[0]!.body)).toMatchObject({ level: 2, alert: { rule: 'integrity', device: 'hz-h001-ward-1' } });
    expect(await server.metrics.metrics()).toContain('wastetrail_notifications_deliveries_total{channel="webhook",outcome="delivered"} 1');
  });

  it('without the section there is no notifier and no notification metrics', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wt-notify-server-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const config = parseServerConfig(JSON.stringify({ mqtt: { mode: 'embedded', gateway: { tcp: { port: 0, host: '127.0.0.1' } } }, http: { port: 0 } }), dir);
    const server = await startServer(config, { logger: silentLogger });
    cleanups.push(() => server.close());
    const metrics = await server.metrics.metrics();
    expect(metrics).toContain('wastetrail_api_requests_total');
    expect(metrics).not.toContain('wastetrail_notifications');
  });
});
