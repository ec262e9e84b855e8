/** The API's own counters for /metrics, in Prometheus text form (the gateway and ingest add theirs). */

/** Upper bounds (seconds) of the request duration histogram buckets. */
export const REQUEST_SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

export type LoginOutcome = 'success' | 'failure' | 'rate_limited';

export class ApiMetrics {
  /** method, route pattern, status -> count. */
  private readonly requests = new Map<string, number>();
  private readonly durations = { count: 0, sum: 0, buckets: REQUEST_SECONDS_BUCKETS.map(() => 0) };
  private readonly logins: Record<LoginOutcome, number> = { success: 0, failure: 0, rate_limited: 0 };
  private bundles = 0;
  private registerRows = 0;

  request(method: string, route: string, status: number, seconds: number): void {
    const key = `${method}\n${route}\n${status}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    this.durations.count++;
    this.durations.sum += seconds;
    REQUEST_SECONDS_BUCKETS.forEach((le, i) => {
      if (seconds <= le) this.durations.buckets[i]!++;
    });
  }

  login(outcome: LoginOutcome): void {
    this.logins[outcome]++;
  }

  bundleExported(): void {
    this.bundles++;
  }

  registerRowsExported(n: number): void {
    this.registerRows += n;
  }

  render(prefix = 'wastetrail_api'): string {
    const out: string[] = [];
    const label = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
    out.push(`# HELP ${prefix}_requests_total HTTP requests by method, route and status`, `# TYPE ${prefix}_requests_total counter`);
    for (const [key, n] of [...this.requests].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const [method, route, status] = key.split('\n') as [string, string, string];
      out.push(`${prefix}_requests_total{method="${label(method)}",route="${label(route)}",status="${status}"} ${n}`);
    }
    out.push(`# HELP ${prefix}_request_seconds HTTP request duration`, `# TYPE ${prefix}_request_seconds histogram`);
    REQUEST_SECONDS_BUCKETS.forEach((le, i) => out.push(`${prefix}_request_seconds_bucket{le="${le}"} ${this.durations.buckets[i]}`));
    out.push(`${prefix}_request_seconds_bucket{le="+Inf"} ${this.durations.count}`, `${prefix}_request_seconds_sum ${this.durations.sum}`, `${prefix}_request_seconds_count ${this.durations.count}`);
    out.push(`# HELP ${prefix}_logins_total login attempts by outcome`, `# TYPE ${prefix}_logins_total counter`);
    for (const [outcome, n] of Object.entries(this.logins)) out.push(`${prefix}_logins_total{outcome="${outcome}"} ${n}`);
    out.push(`# HELP ${prefix}_bundles_exported_total audit bundles exported`, `# TYPE ${prefix}_bundles_exported_total counter`, `${prefix}_bundles_exported_total ${this.bundles}`);
    out.push(`# HELP ${prefix}_register_rows_exported_total handover register rows exported`, `# TYPE ${prefix}_register_rows_exported_total counter`, `${prefix}_register_rows_exported_total ${this.registerRows}`);
    return `${out.join('\n')}\n`;
  }
}
