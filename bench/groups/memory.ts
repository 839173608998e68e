import { lambdaContext, startFixture } from "../fixture.js";
import { expectAllow, loadHandler } from "./handler.js";

export interface MemoryReport {
  decisions: number;
  /** RSS (MB) after every 10% of the run. */
  rss_mb_samples: number[];
  /** JS heap in use (MB) after a full GC, every 10% of the run: what a leak would make grow. */
  heap_mb_samples: number[];
  rss_mb_peak: number;
}

/**
 * 100,000 decisions in one process (run with --expose-gc): RSS and post-GC heap sampled every 10%, and the
 * peak RSS. A leak shows as a heap that keeps growing; RSS alone also moves with allocator and GC policy.
 */
export async function memoryGroup(decisions: number): Promise<MemoryReport> {
  const fixture = await startFixture();
  const handler = await loadHandler(fixture);
  const event = fixture.event(fixture.userToken(), fixture.deviceToken());
  await expectAllow(handler, event);
  const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;
  const rss: number[] = [];
  const heap: number[] = [];
  const gc = (globalThis as { gc?: () => void }).gc;
  const step = decisions / 10;
  for (let i = 1; i <= decisions; i += 1) {
    await handler(event, lambdaContext);
    await new Promise((resolve) => setImmediate(resolve)); // the event loop turns between invocations, as in Lambda
    if (i % step === 0) {
      rss.push(mb(process.memoryUsage.rss()));
      gc?.();
      heap.push(mb(process.memoryUsage().heapUsed));
    }
  }
  await fixture.close();
  return { decisions, rss_mb_samples: rss, heap_mb_samples: heap, rss_mb_peak: mb(process.resourceUsage().maxRSS * 1024) };
}
