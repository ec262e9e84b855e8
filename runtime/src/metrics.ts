/**
 * One prom-client registry per process, with the default process and runtime metrics (CPU, memory,
 * event-loop lag, GC, handles). Components register their own counters, gauges and histograms on it;
 * the server serves it on its HTTP port, the standalone gateway and the edge agent on a small listener
 * of their own (`serveMetrics`).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { Type, type Static } from 'typebox';

export { Counter, Gauge, Histogram, Registry } from 'prom-client';

export function createMetricsRegistry(labels: Record<string, string> = {}): Registry {
  const registry = new Registry();
  if (Object.keys(labels).length > 0) registry.setDefaultLabels(labels);
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** A value a component already keeps: one number, or one per label set. */
export type Reading = number | ReadonlyArray<readonly [labels: Record<string, string>, value: number]>;

export interface KeptCount {
  name: string;
  help: string;
  kind: 'counter' | 'gauge';
  labelNames?: readonly string[];
  read: () => Reading;
}

/**
 * Counters and gauges whose counts a component keeps anyway, for its own `stats()` (tests, the API, a
 * benchmark): they are read when Prometheus scrapes, so each count is kept in one place.
 */
export function exposeKeptCounts(registry: Registry, counts: readonly KeptCount[]): void {
  for (const c of counts) {
    const labelNames = [...(c.labelNames ?? [])];
    const samples = (): Array<readonly [Record<string, string>, number]> => {
      const v = c.read();
      return typeof v === 'number' ? [[{}, v]] : [...v];
    };
    if (c.kind === 'gauge') {
      new Gauge({ name: c.name, help: c.help, labelNames, registers: [registry], collect() {
        this.reset();
        for (const [labels, value] of samples()) this.set(labels, value);
      } });
    } else {
      new Counter({ name: c.name, help: c.help, labelNames, registers: [registry], collect() {
        this.reset();
        for (const [labels, value] of samples()) this.inc(labels, value);
      } });
    }
  }
}

/** The `metrics` section of the standalone gateway's and the edge agent's config files. */
export const MetricsListenerSchema = Type.Object(
  {
    host: Type.String({ minLength: 1, default: '127.0.0.1', description: 'Address the /metrics listener binds to.' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, description: 'TCP port of the /metrics listener (0: any free port).' }),
  },
  { additionalProperties: false, description: 'Serve Prometheus metrics at http://HOST:PORT/metrics. Leave out for none.' },
);
export type MetricsListenerSettings = Static<typeof MetricsListenerSchema>;

export interface MetricsListener {
  /** http://host:port/metrics */
  url: string;
  close(): Promise<void>;
}

/** Serves the registry at GET /metrics (and nothing else) on its own port. */
export async function serveMetrics(registry: Registry, at: MetricsListenerSettings): Promise<MetricsListener> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('only GET /metrics here\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: Error) => res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`metrics failed: ${err.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = at.host.includes(':') ? `[${at.host}]` : at.host;
  return {
    url: `http://${host}:${port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
