import { afterEach, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { createCapturingLogger, createMetricsRegistry } from '@wastetrail/runtime';
import type { Gateway } from '../src/gateway.ts';
import { connectDevice, deviceOptions, endAll, keyringOf, makeDevice, sleep, startTestGateway, tryConnect } from './helpers.ts';

const good = makeDevice('ward-4-scale');
const LOCKOUT_MS = 1000;
const HERE = '127.0.0.1';
const ELSEWHERE = '127.0.0.2';

let gateway: Gateway | undefined;
const clients: MqttClient[] = [];
afterEach(async () => {
  await endAll(...clients.splice(0));
  await gateway?.close();
  gateway = undefined;
});

describe('failed CONNECTs', () => {
  it('lock out the address they come from for a while, and are logged in a few lines, not one per attempt', async () => {
    const logger = createCapturingLogger('info');
    const registry = createMetricsRegistry();
    gateway = await startTestGateway({ keyring: keyringOf([good]), logger, metrics: registry, limits: { loginFailures: { maxFailures: 5, lockoutMs: LOCKOUT_MS } } });
    const url = gateway.addresses.tcp!.url;

    // A probe guessing passwords from one address: the first five are checked and refused as bad
    // credentials (4), then the address is refused as throttled (3) without a check.
    const codes: Array<number | undefined> = [];
    for (let i = 0; i < 40; i++) {
      const outcome = await tryConnect(url, { clientId: good.id, username: good.id, password: `guess-${i}` }, HERE);
      codes.push(outcome.ok ? 0 : outcome.code);
    }
    expect(codes).toEqual([...Array(5).fill(4), ...Array(35).fill(3)]);

    // The good device behind the same address waits out the lockout; one elsewhere is not affected.
    const meanwhile = await tryConnect(url, deviceOptions(good), HERE);
    expect(meanwhile.ok ? 0 : meanwhile.code).toBe(3);
    clients.push(await connectDevice(url, good, {}, ELSEWHERE));
    await endAll(...clients.splice(0));
    await sleep(LOCKOUT_MS + 50);
    clients.push(await connectDevice(url, good, {}, HERE));

    expect(gateway.metrics().authFailures).toMatchObject({ malformed_token: 5, throttled: 36 });
    expect(await registry.metrics()).toContain('wastetrail_gateway_auth_failures_total{reason="throttled"} 36\n');

    // 41 refusals: the first in full, the lockout, then one summary line (written at the interval's
    // end, or on close).
    await endAll(...clients.splice(0));
    await gateway.close();
    gateway = undefined;
    const warnings = logger.lines.filter((l) => l.level >= 40);
    expect(warnings.map((l) => l.msg)).toEqual(['connection refused', 'source address locked out after repeated failed CONNECTs', 'more connections refused (summary)']);
    expect(warnings[0]).toMatchObject({ remote: HERE, client: good.id, reason: 'malformed_token', connack: 4 });
    expect(warnings[1]).toMatchObject({ remote: HERE, lockoutMs: LOCKOUT_MS });
    expect(warnings[2]).toMatchObject({ refusals: 40, byReason: { malformed_token: 4, throttled: 36 }, sources: 1, remote: HERE });
  });
});
