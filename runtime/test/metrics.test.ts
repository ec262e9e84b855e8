import { describe, expect, it } from 'vitest';
import { Counter, createMetricsRegistry, exposeKeptCounts, serveMetrics } from '../src/index.ts';

describe('metrics', () => {
  it('a registry has the process and runtime metrics and serves them at /metrics', async () => {
    const registry = createMetricsRegistry();
    const c = new Counter({ name: 'wastetrail_test_total', help: 'a test counter', labelNames: ['code'], registers: [registry] });
    c.inc({ code: 'BAD_SIGNATURE' }, 2);
    const listener = await serveMetrics(registry, { host: '127.0.0.1', port: 0 });
    try {
      const r = await fetch(listener.url);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toContain('text/plain');
      const text = await r.text();
      expect(text).toContain('wastetrail_test_total{code="BAD_SIGNATURE"} 2');
      for (const m of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) expect(text).toContain(`# TYPE ${m}`);
      expect((await fetch(listener.url.replace('/metrics', '/other'))).status).toBe(404);
    } finally {
      await listener.close();
    }
  });

  it('exposes counts a component keeps in its own stats object, read when scraped', async () => {
    const registry = createMetricsRegistry();
    const stats = { accepted: 0, quarantined: {} as Record<string, number>, queued: 0 };
    exposeKeptCounts(registry, [
      { name: 'wastetrail_test_accepted_total', help: 'records stored', kind: 'counter', read: () => stats.accepted },
      { name: 'wastetrail_test_quarantined_total', help: 'refusals by code', kind: 'counter', labelNames: ['code'], read: () => Object.entries(stats.quarantined).map(([code, n]) => [{ code }, n] as const) },
      { name: 'wastetrail_test_queued', help: 'waiting now', kind: 'gauge', read: () => stats.queued },
    ]);
    stats.accepted = 5;
    stats.quarantined.BAD_SIGNATURE = 2;
    stats.queued = 3;
    let text = await registry.metrics();
    expect(text).toContain('# TYPE wastetrail_test_accepted_total counter\nwastetrail_test_accepted_total 5\n');
    expect(text).toContain('wastetrail_test_quarantined_total{code="BAD_SIGNATURE"} 2\n');
    expect(text).toContain('# TYPE wastetrail_test_queued gauge\nwastetrail_test_queued 3\n');
    stats.accepted = 7;
    stats.queued = 0;
    text = await registry.metrics();
    expect(text).toContain('wastetrail_test_accepted_total 7\n');
    expect(text).toContain('wastetrail_test_queued 0\n');
  });
});
