/**
 * Load shedding. While the event loop lags or memory runs high (@fastify/under-pressure samples both),
 * every request but /healthz is refused at once with 503 OVERLOADED and Retry-After: a burst must not
 * queue up work that would be answered too late for anyone, nor push the process out of memory. While
 * the server closes, requests arriving on connections still open get 503 SHUTTING_DOWN, and every
 * response closes its connection. The 503s have the API's error shape; docs/server/api.md describes them.
 */
import { getHeapStatistics } from 'node:v8';
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import { apiError } from './errors.ts';

export interface LoadShedding {
  /** Refuse requests while the event loop's mean delay over a sample exceeds this (ms); 0: never. */
  maxEventLoopDelayMs: number;
  /** Refuse requests while the V8 heap in use exceeds this (bytes); 0: never. */
  maxHeapUsedBytes: number;
  /** Refuse requests while the resident set exceeds this (bytes); 0: never. */
  maxRssBytes: number;
  /** Retry-After of the 503s (seconds). */
  retryAfterSeconds: number;
  /**
   * How often the delay and memory are sampled (ms). Keep it well above 10 ms, the delay monitor's own
   * tick: a sample with no tick in it counts as an infinite delay.
   */
  sampleIntervalMs: number;
}

export const DEFAULT_LOAD_SHEDDING: LoadShedding = {
  maxEventLoopDelayMs: 1000,
  // Close to V8's heap limit the process spends its time collecting garbage, then dies: refuse first.
  maxHeapUsedBytes: Math.floor(getHeapStatistics().heap_size_limit * 0.9),
  // What the machine or container allows is the operator's to say.
  maxRssBytes: 0,
  retryAfterSeconds: 10,
  sampleIntervalMs: 1000,
};

/** What /healthz reports of the load: the last sample, and whether requests are being refused. */
export interface Load {
  overloaded: boolean;
  /** Mean over the last sample; null when the event loop was blocked through all of it. */
  eventLoopDelayMs: number | null;
  heapUsedBytes: number;
  rssBytes: number;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route answers under load too, and reports it (/healthz). */
    reportsLoad?: boolean;
  }
  interface FastifyInstance {
    /** Why requests are refused now (e.g. "heap in use 1234 bytes"), or undefined when they are not. */
    overload(): string | undefined;
  }
}

/** An app that never refuses as overloaded (it still samples and reports the load). */
const NO_LIMITS = { maxEventLoopDelayMs: 0, maxHeapUsedBytes: 0, maxRssBytes: 0 } as const;

/**
 * Without `settings` nothing is refused as overloaded: an app sharing its process with other work (a
 * test, the demo's city) would measure that work. The server passes its config's, DEFAULT_LOAD_SHEDDING
 * filling in the rest.
 */
export async function registerLoadShedding(app: FastifyInstance, settings: Partial<LoadShedding> | undefined): Promise<void> {
  const s: LoadShedding = { ...DEFAULT_LOAD_SHEDDING, ...(settings ?? NO_LIMITS) };
  const retryAfter = { 'retry-after': String(s.retryAfterSeconds) };
  // The sampler only (no limits given to it): the decision is overload() below, so that /healthz and
  // the refusals agree, and the start itself is not taken for load.
  await app.register(underPressure, { sampleInterval: s.sampleIntervalMs });

  // Loading plugins and compiling schemas blocks the loop at start; the first samples measure that.
  let calmFrom = Number.POSITIVE_INFINITY;
  app.addHook('onReady', async () => {
    calmFrom = Date.now() + 2 * s.sampleIntervalMs;
  });
  app.decorate('overload', (): string | undefined => {
    const m = app.memoryUsage();
    if (s.maxEventLoopDelayMs > 0 && m.eventLoopDelay > s.maxEventLoopDelayMs && Date.now() >= calmFrom) {
      // No reading at all in a sample counts as infinite: the loop never got round to taking one.
      return Number.isFinite(m.eventLoopDelay) ? `event loop delay ${Math.round(m.eventLoopDelay)} ms` : 'event loop blocked through a whole sample';
    }
    if (s.maxHeapUsedBytes > 0 && m.heapUsed > s.maxHeapUsedBytes) return `heap in use ${m.heapUsed} bytes`;
    if (s.maxRssBytes > 0 && m.rssBytes > s.maxRssBytes) return `resident memory ${m.rssBytes} bytes`;
    return undefined;
  });

  // Fastify's own answer to requests during close has another body; this one has the API's.
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  // A response finished while closing ends its connection: kept alive, it would hold the close open.
  app.addHook('onSend', async (_req, reply) => {
    if (closing) reply.header('connection', 'close');
  });
  app.addHook('onRequest', async (req) => {
    if (closing) throw apiError('SHUTTING_DOWN', 'the server is shutting down: try again later', { headers: retryAfter });
    if (req.routeOptions.config.reportsLoad) return;
    const why = app.overload();
    if (why) throw apiError('OVERLOADED', `the server is overloaded (${why}): try again later`, { headers: retryAfter });
  });
}

export function loadOf(app: FastifyInstance): Load {
  const m = app.memoryUsage();
  const delay = Number.isFinite(m.eventLoopDelay) ? Math.round(m.eventLoopDelay) : null;
  return { overloaded: app.overload() !== undefined, eventLoopDelayMs: delay, heapUsedBytes: m.heapUsed, rssBytes: m.rssBytes };
}
