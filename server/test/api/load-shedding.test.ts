/**
 * Load shedding on the real app: memory over its limit, and an event loop blocked by synchronous work,
 * each refuse requests with 503 OVERLOADED and Retry-After while /healthz keeps answering and says so.
 * No timed assertions: the event-loop test blocks, asks, and repeats until a sample catches the lag.
 * And a request that arrives while the app closes: 503 SHUTTING_DOWN, in the same error shape.
 */
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, type ApiInstance } from '../../src/api/app.ts';
import { eventually } from '../ingest/support.ts';
import { bearer, openTestWorld, type TestWorld } from './support.ts';

let w: TestWorld | undefined;
let app: ApiInstance | undefined;
afterEach(async () => {
  await app?.close();
  await w?.cleanup();
});

/** Keeps the event loop busy for `ms`, as a long synchronous query or a runaway loop would. */
function blockEventLoop(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until);
}

describe('load shedding', () => {
  it('while the heap is over its limit, requests get 503 OVERLOADED with Retry-After; /healthz answers 503 overloaded', async () => {
    w = await openTestWorld();
    // Any heap is over one byte: overloaded from the first sample on.
    app = await buildApp({ ...w.deps, loadShedding: { maxHeapUsedBytes: 1, sampleIntervalMs: 100, retryAfterSeconds: 7 } });
    const a = app;
    const refused = await eventually(async () => {
      const r = await a.inject({ url: '/api/v1/me', headers: bearer(w!, 'reg-city') });
      return r.statusCode === 503 ? r : undefined;
    }, 'the first sample');
    expect(refused.headers['retry-after']).toBe('7');
    expect(refused.json()).toEqual({ error: { code: 'OVERLOADED', message: expect.stringMatching(/^the server is overloaded \(heap in use \d+ bytes\): try again later$/) } });
    expect(refused.headers['content-security-policy']).toContain("default-src 'self'");

    const login = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'reg-city', password: 'x' } });
    expect(login.statusCode).toBe(503);
    expect(login.json().error.code).toBe('OVERLOADED');

    const health = await app.inject('/healthz');
    expect(health.statusCode).toBe(503);
    expect(health.json()).toMatchObject({ status: 'overloaded', store: 'ok', load: { overloaded: true } });
    expect(health.json().load.heapUsedBytes).toBeGreaterThan(1);
  });

  it('a blocked event loop sheds the requests that wait behind it, then recovers', async () => {
    w = await openTestWorld();
    app = await buildApp({ ...w.deps, loadShedding: { maxEventLoopDelayMs: 30, sampleIntervalMs: 100 } });
    const a = app;
    const me = () => a.inject({ url: '/api/v1/me', headers: bearer(w!, 'reg-city') });
    // A busy machine can stall the loop through a sample at start too; wait for a calm one.
    await eventually(async () => (await me()).statusCode === 200, 'requests served while calm');

    // The sample after a 500 ms block sees a mean delay above 30 ms (ten calm 10 ms ticks at most
    // beside it); a busy machine may delay the request past that sample, so block and ask again until
    // one lands in it.
    const refused = await eventually(async () => {
      blockEventLoop(500);
      const [r, health] = await Promise.all([me(), a.inject('/healthz')]);
      return r.statusCode === 503 && health.statusCode === 503 ? { r, health } : undefined;
    }, 'a request refused after the event loop was blocked');
    expect(refused.r.json().error).toEqual({ code: 'OVERLOADED', message: expect.stringMatching(/^the server is overloaded \(event loop (delay \d+ ms|blocked through a whole sample)\): try again later$/) });
    expect(refused.r.headers['retry-after']).toBe('10');
    expect(refused.health.statusCode).toBe(503);
    expect(refused.health.json()).toMatchObject({ status: 'overloaded', store: 'ok', load: { overloaded: true } });

    // Nothing blocks any more: the next samples are calm and requests are served again.
    await eventually(async () => (await me()).statusCode === 200, 'requests served again');
    const health = await app.inject('/healthz');
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: 'ok', load: { overloaded: false } });
  });

  it('a request that arrives while the app closes gets 503 SHUTTING_DOWN with Retry-After, and its connection is closed', async () => {
    w = await openTestWorld({ users: false });
    app = await buildApp(w.deps);
    const base = new URL(await app.listen({ host: '127.0.0.1', port: 0 }));
    // Headers begun before the close: the connection is busy, so closing waits for it.
    const socket = connect(Number(base.port), base.hostname);
    let received = '';
    socket.setEncoding('utf8').on('data', (d: string) => (received += d));
    const ended = new Promise<void>((resolve) => socket.on('end', () => resolve()));
    socket.write(`GET /api/v1/me HTTP/1.1\r\nHost: ${base.host}\r\n`);
    // One whole request on another connection: by its answer the server has read the first one's start.
    expect((await fetch(new URL('/healthz', base), { headers: { connection: 'close' } })).status).toBe(200);

    const closed = app.close();
    socket.write('\r\n');
    await ended;
    await closed;
    app = undefined;
    expect(received).toMatch(/^HTTP\/1\.1 503 /);
    expect(received.toLowerCase()).toContain('retry-after: 10');
    expect(received.toLowerCase()).toContain('connection: close');
    expect(JSON.parse(received.slice(received.indexOf('\r\n\r\n') + 4))).toEqual({ error: { code: 'SHUTTING_DOWN', message: 'the server is shutting down: try again later' } });
  });
});
