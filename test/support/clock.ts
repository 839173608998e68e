/**
 * A movable clock for injected `now()` (epoch ms). Starts at the real time, because aws-jwt-verify checks
 * `exp`/`nbf` against the real clock: keep tokens valid in real time and move this clock for cache tests.
 */
export interface TestClock {
  now: () => number;
  advanceSeconds(seconds: number): void;
  set(ms: number): void;
}

export function testClock(start: number = Date.now()): TestClock {
  let t = start;
  return {
    now: () => t,
    advanceSeconds: (seconds) => {
      t += seconds * 1000;
    },
    set: (ms) => {
      t = ms;
    },
  };
}
