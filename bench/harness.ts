/** Tiny benchmark helpers: rates measured over a fixed time, progress on stderr, results as rows. */
export interface Row {
  /** What was measured, in words. */
  name: string;
  value: number;
  unit: string;
  /** The limit it is compared against, measured in the same run. */
  limit?: { name: string; value: number };
  /** Target for value / limit (or for value), when the project has one. */
  target?: string;
  /** A second figure or remark shown beside the value (e.g. the p99 of a p50 row). */
  note?: string;
}

/** The p-th percentile (nearest rank) of ascending-sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

/** Calls fn in batches until `seconds` have passed (after a warm-up); returns operations per second. */
export function rate(fn: (i: number) => void, seconds = 2, batch = 200): number {
  const warmUntil = performance.now() + 300;
  let i = 0;
  while (performance.now() < warmUntil) for (let b = 0; b < batch; b++) fn(i++);
  const start = performance.now();
  const end = start + seconds * 1000;
  let n = 0;
  while (performance.now() < end) {
    for (let b = 0; b < batch; b++) fn(i++);
    n += batch;
  }
  return n / ((performance.now() - start) / 1000);
}

export function ratio(row: Row): string {
  return row.limit ? (row.value / row.limit.value).toFixed(2) : '';
}

export function markdownTable(rows: Row[]): string {
  const fmt = (v: number) => (v >= 100 ? Math.round(v).toLocaleString('en') : v.toFixed(2));
  const lines = ['| measurement | value | limit (same run) or target | ratio | target |', '| --- | ---: | --- | ---: | --- |'];
  for (const r of rows) {
    const limit = r.limit ? `${r.limit.name}: ${fmt(r.limit.value)} ${r.unit}` : '';
    lines.push(`| ${r.name} | ${fmt(r.value)} ${r.unit}${r.note ? ` (${r.note})` : ''} | ${limit} | ${ratio(r)} | ${r.target ?? ''} |`);
  }
  return lines.join('\n');
}
