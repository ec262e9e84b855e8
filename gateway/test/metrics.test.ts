import { describe, expect, it } from 'vitest';
import { emptyMetrics, renderPrometheusMetrics } from '../src/metrics.ts';

describe('Prometheus exposition', () => {
  it('renders every family with HELP, TYPE and reason labels', () => {
    const m = emptyMetrics();
    m.connectedDevices = 3;
    m.messagesIn = 10;
    m.bytesIn = 1234;
    m.authFailures.unknown_device = 2;
    m.refusals.acl_publish = 1;
    const text = renderPrometheusMetrics(m);
    expect(text).toContain('# TYPE wastetrail_gateway_connected_devices gauge\nwastetrail_gateway_connected_devices 3\n');
    expect(text).toContain('# TYPE wastetrail_gateway_messages_received_total counter\nwastetrail_gateway_messages_received_total 10\n');
    expect(text).toContain('wastetrail_gateway_received_payload_bytes_total 1234\n');
    expect(text).toContain('wastetrail_gateway_auth_failures_total{reason="unknown_device"} 2\n');
    expect(text).toContain('wastetrail_gateway_auth_failures_total{reason="anonymous"} 0\n');
    expect(text).toContain('wastetrail_gateway_refusals_total{reason="acl_publish"} 1\n');
    expect(text.endsWith('\n')).toBe(true);
    // Every sample line is `name{labels} value`, every name is declared once.
    for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) {
      expect(line).toMatch(/^[a-z_]+(\{reason="[a-z_0-9]+"\})? \d+$/);
    }
    const types = text.split('\n').filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2]);
    expect(new Set(types).size).toBe(types.length);
  });

  it('takes another prefix', () => {
    expect(renderPrometheusMetrics(emptyMetrics(), 'wt_gw')).toContain('wt_gw_connected_devices 0');
  });
});
