/**
 * One autocannon run measured the way every load benchmark reports it: latencies of every answer
 * (refusals too), p50 / p95 / p99, statuses, and errors and timeouts counted, never thrown.
 */
import autocannon, { type Request } from "autocannon";

// Beyond the functions' own 60 s deadline: a client timeout means no answer came at all.
const REQUEST_TIMEOUT_S = 70;

export interface Measured {
  requests: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  timeouts: number;
  statuses: Record<number, number>;
  seconds: number;
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] : NaN);

/** One autocannon run of `amount` requests over `connections` (each request from `requests` in turn, when given). */
export function measure(url: string, connections: number, amount: number, requests?: Request[]): Promise<Measured> {
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  return new Promise((resolve) => {
    const started = performance.now();
    const run = autocannon({ url, connections, amount, timeout: REQUEST_TIMEOUT_S, ...(requests ? { requests } : {}) }, (error, result) => {
      const seconds = (performance.now() - started) / 1000;
      latencies.sort((a, b) => a - b);
      const answered = latencies.length;
      resolve({
        requests: answered,
        rps: answered / seconds,
        p50: percentile(latencies, 0.5),
        p95: percentile(latencies, 0.95),
        p99: percentile(latencies, 0.99),
        errors: error ? amount - answered : (result?.errors ?? 0) + (result?.non2xx ?? 0),
        timeouts: result?.timeouts ?? 0,
        statuses,
        seconds,
      });
    });
    run.on("response", (_client: unknown, status: number, _bytes: number, responseTime: number) => {
      latencies.push(responseTime);
      statuses[status] = (statuses[status] ?? 0) + 1;
    });
  });
}

export const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(0)} ms` : "—");

export const statusText = (statuses: Record<number, number>) =>
  Object.entries(statuses)
    .map(([status, count]) => `${status}×${count}`)
    .join(" ");
