/**
 * The timing loop every measurement uses: warm up, then time each call with the monotonic clock and
 * report percentiles. Async calls are awaited one at a time (latency, not throughput under concurrency).
 */

export interface Measurement {
  name: string;
  p50_us: number;
  p99_us: number;
  p999_us: number;
  ops_s: number;
  iterations: number;
  /** Free-form context for the report (policy count, groups, cache state...). */
  note?: string;
}

export interface LoopOptions {
  /**
   * Let the event loop turn between calls (outside the timed region), as it does between Lambda
   * invocations. A tight `await` loop never runs I/O callbacks: stdout write callbacks then pile up and
   * look like a leak that production never has.
   */
  yieldBetween?: boolean;
  warmup: number;
  iterations: number;
  /** Stop early once this much time has been spent measuring (slow peers at large policy sets). */
  maxSeconds?: number;
  note?: string;
}

export async function measure(name: string, fn: (i: number) => unknown, opts: LoopOptions): Promise<Measurement> {
  for (let i = 0; i < opts.warmup; i += 1) {
    await fn(i);
    if (opts.yieldBetween) await new Promise((resolve) => setImmediate(resolve));
  }
  const samples = new Float64Array(opts.iterations);
  const deadline = opts.maxSeconds === undefined ? Infinity : performance.now() + opts.maxSeconds * 1000;
  let n = 0;
  let busy = 0;
  for (; n < opts.iterations; n += 1) {
    const t0 = performance.now();
    const out = fn(opts.warmup + n);
    if (out instanceof Promise) await out;
    const t1 = performance.now();
    samples[n] = (t1 - t0) * 1000;
    busy += t1 - t0;
    if (opts.yieldBetween) await new Promise((resolve) => setImmediate(resolve));
    if (t1 > deadline) {
      n += 1;
      break;
    }
  }
  const sorted = samples.slice(0, n).sort();
  const at = (q: number) => round(sorted[Math.min(n - 1, Math.floor(q * n))] ?? NaN);
  return {
    name,
    p50_us: at(0.5),
    p99_us: at(0.99),
    p999_us: at(0.999),
    // Sequential throughput of the measured calls alone (one core, one call at a time).
    ops_s: Math.round(n / (busy / 1000)),
    iterations: n,
    ...(opts.note ? { note: opts.note } : {}),
  };
}

function round(us: number): number {
  return Math.round(us * 10) / 10;
}
