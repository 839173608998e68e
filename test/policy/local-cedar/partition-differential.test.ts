import { describe, expect, it } from "vitest";
import type { EngineAnswer } from "../../../src/policy/engine.js";
import { createLocalCedarEngine } from "../../../src/policy/local-cedar/local-engine.js";
import { resourceGuardOf } from "../../../src/policy/local-cedar/resource-guard.js";
import { generateRequest } from "../generated/model.js";
import { loadGenerated } from "../generated/set.js";
import { seededRng } from "../generated/prng.js";

/**
 * The proof that partitioning is exact: thousands of generated policies and requests (seeded, the same on
 * every run), each request answered by the whole validated set and by the partitioned engine, which must
 * agree on everything: type, decision, determining policies, errors (policy and message), failures.
 *
 * The partitioned engine runs with a tiny partition cache so eviction and slot reuse are exercised too.
 */

interface Tally {
  allow: number;
  deny: number;
  errors: number;
  failure: number;
}

function compare(seed: number, policyCount: number, requestCount: number) {
  const set = loadGenerated(seed, policyCount);
  const reference = createLocalCedarEngine(set, { partitioning: false });
  const partitioned = createLocalCedarEngine(set, { maxPartitions: 64 });
  const rng = seededRng(seed * 7919 + 1);
  const tally: Tally = { allow: 0, deny: 0, errors: 0, failure: 0 };
  const mismatches: Array<{ request: unknown; expected: EngineAnswer; actual: EngineAnswer }> = [];
  for (let i = 0; i < requestCount; i += 1) {
    const q = generateRequest(rng);
    const expected = reference.isAuthorized(structuredClone(q));
    const actual = partitioned.isAuthorized(q);
    if (JSON.stringify(actual) !== JSON.stringify(expected)) mismatches.push({ request: q, expected, actual });
    if (expected.type === "failure") tally.failure += 1;
    else {
      tally[expected.decision] += 1;
      if (expected.errors.length > 0) tally.errors += 1;
    }
  }
  return { set, partitioned, tally, mismatches };
}

describe("partitioned evaluation agrees with the whole set (differential)", () => {
  it.each([
    [37, 80, 1200],
    [11, 300, 400],
    [23, 1000, 60],
  ])("seed %i: %i generated policies, %i generated requests", (seed, policies, requests) => {
    const { set, partitioned, tally, mismatches } = compare(seed, policies, requests);
    expect(set.policies.length).toBeGreaterThan(policies * 0.9);
    // Some policies start with a resource-attribute guard, so guard elimination is exercised too.
    expect(set.policies.filter((p) => resourceGuardOf(p.json!) !== undefined).length).toBeGreaterThan(0);
    // Show the first disagreement whole: it is the test's whole point.
    expect(mismatches.slice(0, 1)).toEqual([]);
    // The generator must actually reach every kind of answer and every evaluation path (checked where
    // there are enough requests for the rarer perturbations to occur).
    expect(tally.deny).toBeGreaterThan(0);
    if (requests < 400) return;
    expect(tally.allow).toBeGreaterThan(0);
    expect(tally.errors).toBeGreaterThan(0);
    expect(tally.failure).toBeGreaterThan(0);
    const stats = partitioned.partitionStats!;
    expect(stats.trimmed).toBeGreaterThan(requests * 0.5);
    expect(stats.scoped).toBeGreaterThan(0);
    expect(stats.whole).toBeGreaterThan(0);
    expect(stats.partitionsBuilt).toBeGreaterThan(64); // the cache of 64 evicted and reused slots
    // A correctness check, not a timed one: ~10 s alone, several times that on a loaded 2-core machine.
  }, 180_000);
});
