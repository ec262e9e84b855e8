/** The API's own instruments on the process's registry (the gateway, ingest, alerting and notifications add theirs). */
import { Counter, Histogram, type Registry } from '@wastetrail/runtime';

/** Upper bounds (seconds) of the request duration histogram buckets. */
export const REQUEST_SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export type LoginOutcome = 'success' | 'failure' | 'rate_limited';

export interface ApiMetrics {
  /** By method, route pattern (`/api/v1/bags/:tag`; `unmatched` for 404s) and status. */
  requests: Counter<'method' | 'route' | 'status'>;
  requestSeconds: Histogram<'method' | 'route' | 'status'>;
  logins: Counter<'outcome'>;
  bundlesExported: Counter;
  registerRowsExported: Counter;
}

/** The instruments on `registry`; an app built again on the same registry counts on the same ones. */
export function apiMetrics(registry: Registry, prefix = 'wastetrail_api'): ApiMetrics {
  const registers = [registry];
  const labelNames = ['method', 'route', 'status'] as const;
  const once = <M>(name: string, create: (name: string) => M): M => (registry.getSingleMetric(`${prefix}_${name}`) as M | undefined) ?? create(`${prefix}_${name}`);
  return {
    requests: once('requests_total', (name) => new Counter({ name, help: 'HTTP requests by method, route pattern and status.', labelNames, registers })),
    requestSeconds: once('request_duration_seconds', (name) => new Histogram({ name, help: 'HTTP request duration by method, route pattern and status.', labelNames, buckets: REQUEST_SECONDS_BUCKETS, registers })),
    logins: once('logins_total', (name) => new Counter({ name, help: 'Login attempts by outcome (success, failure, rate_limited).', labelNames: ['outcome'], registers })),
    bundlesExported: once('bundles_exported_total', (name) => new Counter({ name, help: 'Audit bundles exported.', registers })),
    registerRowsExported: once('register_rows_exported_total', (name) => new Counter({ name, help: 'Handover register rows exported.', registers })),
  };
}
