import { describe, expect, it } from 'vitest';
import { Counter, createMetricsRegistry, serveMetrics } from '../src/index.ts';

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
});
