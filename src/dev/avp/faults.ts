/**
 * Switches for the faults a caller of Verified Permissions must survive, per operation or for all:
 * - `throttle`: ThrottlingException (429), as when a quota is exceeded;
 * - `internal`: InternalServerException (500); `unavailable`: a front-end 503;
 * - `drop`: the connection is closed without an answer (a network fault);
 * - `latency`: the answer is held back `ms` milliseconds (slow responses, timeouts);
 * - `rate`: a token bucket of `rps` calls per second per operation, throttling beyond it (the service quotas,
 *   https://docs.aws.amazon.com/verifiedpermissions/latest/userguide/quotas.html).
 * Each rule applies to its next `count` matching calls (default: until cleared).
 */

export type FailureKind = "throttle" | "internal" | "unavailable" | "drop";

export type FaultRule =
  | { kind: FailureKind; operations?: readonly string[]; count?: number }
  | { kind: "latency"; ms: number; operations?: readonly string[]; count?: number }
  | { kind: "rate"; rps: number; operations?: readonly string[] };

interface Active {
  rule: FaultRule;
  left: number;
  buckets: Map<string, { tokens: number; at: number }>;
}

export class Faults {
  private active: Active[] = [];

  add(rule: FaultRule): this {
    this.active.push({ rule, left: "count" in rule && rule.count !== undefined ? rule.count : Infinity, buckets: new Map() });
    return this;
  }

  clear(): this {
    this.active = [];
    return this;
  }

  /** Decide one call's fate: its added latency and, if it fails, how. */
  take(operation: string): { delayMs: number; failure?: FailureKind } {
    let delayMs = 0;
    let failure: FailureKind | undefined;
    for (const a of this.active) {
      const { rule } = a;
      if (a.left <= 0 || (rule.operations && !rule.operations.includes(operation))) continue;
      if (rule.kind === "latency") {
        delayMs += rule.ms;
        a.left -= 1;
      } else if (rule.kind === "rate") {
        if (!failure && !this.admit(a, rule.rps, operation)) failure = "throttle";
      } else if (!failure) {
        failure = rule.kind;
        a.left -= 1;
      }
    }
    return failure ? { delayMs, failure } : { delayMs };
  }

  private admit(a: Active, rps: number, operation: string): boolean {
    const now = performance.now();
    const b = a.buckets.get(operation) ?? { tokens: rps, at: now };
    b.tokens = Math.min(rps, b.tokens + ((now - b.at) / 1000) * rps);
    b.at = now;
    a.buckets.set(operation, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
