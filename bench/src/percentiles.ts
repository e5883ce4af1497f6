/** p50 / p95 / p99 / max of a set of latencies in ms, rounded to 0.1 ms. */
export interface Percentiles {
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

export function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN);
  const r = (n: number) => Math.round(n * 10) / 10;
  return { count: sorted.length, p50Ms: r(at(50)), p95Ms: r(at(95)), p99Ms: r(at(99)), maxMs: r(sorted[sorted.length - 1] ?? NaN) };
}
