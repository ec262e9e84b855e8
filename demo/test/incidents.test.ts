/**
 * The tampering incident waits for its victim: under heavy load a ward station may have no record the
 * server acknowledged when the incident falls due. The incident must then wait until there is one (and
 * tamper with that), not report "nothing tampered with" and be lost; a station that stops first ends the wait.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Outbox, type Agent } from '@wastetrail/edge-agent';
import { ed25519KeyPairFromSeed, ed25519Signer } from '@wastetrail/firmware-protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { bagTag } from '@wastetrail/simulators';
import { incidentHooks } from '../src/incidents.ts';

const dir = mkdtempSync(join(tmpdir(), 'wt-demo-incidents-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A TCP port nobody listens on: the forged publish is refused, which the incident reports. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

function station(name: string) {
  const signer = ed25519Signer(ed25519KeyPairFromSeed(new Uint8Array(32).fill(name.length)).privateKeyPem);
  const outbox = new Outbox(join(dir, `${name}.sqlite`), { deviceId: name, signer, clock: () => Date.parse('2026-03-02T02:00:00Z') });
  // The incident reads only the station's outbox.
  return { signer, outbox, agent: { outbox } as unknown as Agent };
}

const settledWithin = (p: Promise<unknown>, ms: number) => Promise.race([p.then(() => true), new Promise((r) => setTimeout(() => r(false), ms))]);

describe('tampered-record', () => {
  it('waits until the station has an acknowledged record, then tampers with it', async () => {
    const s = station('h01-icu');
    const sealed = s.outbox.append({ type: 'sealed', body: { tags: [bagTag(1001)], category: 'infectious', weight: { value: 1200, unit: 'g' }, department: 'ICU', staff: 'giai:6923456.1001' } });
    const hooks = incidentHooks({ mqttUrl: `mqtt://127.0.0.1:${await closedPort()}`, agents: new Map([['h01-icu', s.agent]]), keys: new Map([['h01-icu', { keyFile: '', signer: s.signer }]]), wallClock: () => Date.now() });
    const outcome = hooks.tamperRecord('h01-icu');
    // Nothing acknowledged yet: still waiting, not given up.
    expect(await settledWithin(outcome, 800)).toBe(false);
    expect(s.outbox.acknowledge(sealed.seq, sealed.hash)).toEqual({ kind: 'advanced', seq: 1 });
    expect(await settledWithin(outcome, 8000)).toBe(true);
    expect(await outcome).toMatch(/^seq 1 of h01-icu \(sealed\) republished with weight 1200 g -> 1700 g, original signature: refused/);
    s.outbox.close();
  }, 20_000);

  it('ends the wait when the station stops first', async () => {
    const s = station('h02-er');
    s.outbox.append({ type: 'heartbeat', body: { uptime: 1, backlog: 0 } });
    const agents = new Map([['h02-er', s.agent]]);
    const hooks = incidentHooks({ mqttUrl: `mqtt://127.0.0.1:${await closedPort()}`, agents, keys: new Map([['h02-er', { keyFile: '', signer: s.signer }]]), wallClock: () => Date.now() });
    const outcome = hooks.tamperRecord('h02-er');
    expect(await settledWithin(outcome, 500)).toBe(false);
    agents.delete('h02-er');
    expect(await outcome).toBe('h02-er stopped before it had an acknowledged record; nothing tampered with');
    s.outbox.close();
  });
});
