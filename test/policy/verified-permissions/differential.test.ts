import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuthorizationQuery, EngineAnswer, PolicyEngine } from "../../../src/policy/engine.js";
import { loadPolicyDir, type LoadedPolicySet } from "../../../src/policy/loader.js";
import { createLocalCedarEngine } from "../../../src/policy/local-cedar/local-engine.js";
import { generateRequest } from "../generated/model.js";
import { seededRng } from "../generated/prng.js";
import { loadGenerated } from "../generated/set.js";
import { buildQuery, fixture, type QuerySpec } from "../helpers.js";
import { mirrorEngine, remoteEngine, startLocalAvp, storeWith, type LocalAvp } from "./support.js";

/**
 * The proof that the three engines are one: the local engine, the remote engine (one IsAuthorized per
 * request, through the real SDK to the local Verified Permissions endpoint) and the mirror engine (the
 * store read back and evaluated in process) answer thousands of generated requests, and the reference
 * scenarios, identically: type, decision, determining policies (as stable ids), per-policy errors (policy
 * and message) and failures (message). The store is filled by `ztpdp push`'s own plan.
 */

let avp: LocalAvp;
beforeAll(async () => {
  avp = await startLocalAvp();
});
afterAll(() => avp.close());

/** An answer without its revision (each engine names its source differently; compared separately). */
function comparable(a: EngineAnswer): string {
  const { revision: _revision, ...rest } = a;
  return JSON.stringify(rest);
}

async function engines(set: LoadedPolicySet) {
  const storeId = await storeWith(avp, set);
  const local = createLocalCedarEngine(set);
  const remote = await remoteEngine(avp, storeId, set);
  const mirror = await mirrorEngine(avp, storeId);
  return { local, remote, mirror, storeId };
}

/** Every engine answers every query; the remote one with up to 16 calls in flight. */
async function answersOf(engine: PolicyEngine, queries: AuthorizationQuery[]): Promise<EngineAnswer[]> {
  const out: EngineAnswer[] = new Array(queries.length);
  let next = 0;
  const worker = async () => {
    while (next < queries.length) {
      const i = next++;
      out[i] = await engine.isAuthorized(structuredClone(queries[i] as AuthorizationQuery));
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return out;
}

describe("local, remote and mirror engines agree (differential)", () => {
  it.each([
    [37, 80, 1500],
    [11, 200, 500],
  ])("seed %i: %i generated policies, %i generated requests", async (seed, policyCount, requestCount) => {
    const set = loadGenerated(seed, policyCount);
    const { local, remote, mirror } = await engines(set);
    // The mirror names the store state it serves with the folder's own revision; every policy has its stable id.
    expect(mirror.revision).toBe(set.revision);
    expect(new Set(remote.stableIds.values())).toEqual(new Set(set.policies.map((p) => p.id)));

    const rng = seededRng(seed * 7919 + 1);
    const queries = Array.from({ length: requestCount }, () => generateRequest(rng));
    const expected = queries.map((q) => local.isAuthorized(structuredClone(q)));
    const [fromRemote, fromMirror] = await Promise.all([answersOf(remote, queries), answersOf(mirror, queries)]);

    const mismatches = queries.flatMap((q, i) => {
      const e = comparable(expected[i] as EngineAnswer);
      const r = comparable(fromRemote[i] as EngineAnswer);
      const m = comparable(fromMirror[i] as EngineAnswer);
      return e === r && e === m ? [] : [{ request: q, local: e, remote: r, mirror: m }];
    });
    expect(mismatches.slice(0, 1)).toEqual([]);
    expect(fromRemote.every((a) => a.revision === remote.revision)).toBe(true);
    expect(fromMirror.every((a) => a.revision === set.revision)).toBe(true);

    // The generator reaches every kind of answer: allows, denies, per-policy errors and refused requests.
    const kinds = { allow: 0, deny: 0, errors: 0, failure: 0 };
    for (const a of expected) {
      if (a.type === "failure") kinds.failure += 1;
      else {
        kinds[a.decision] += 1;
        if (a.errors.length > 0) kinds.errors += 1;
      }
    }
    expect(kinds.allow).toBeGreaterThan(0);
    expect(kinds.deny).toBeGreaterThan(0);
    expect(kinds.errors).toBeGreaterThan(0);
    expect(kinds.failure).toBeGreaterThan(0);
    // Refused requests never reached Verified Permissions: one IsAuthorized per accepted request.
  }, 300_000);

  it("the reference scenarios (a copy of the reference policies)", async () => {
    interface Scenario extends QuerySpec {
      name: string;
      expect: { decision: "allow" | "deny"; reasons: string[] };
    }
    const scenarios = JSON.parse(readFileSync(fixture("reference-scenarios.json"), "utf8")) as Scenario[];
    const set = loadPolicyDir(join(import.meta.dirname, "../../fixtures/project/policies"), { warningsAsErrors: true });
    const { local, remote, mirror } = await engines(set);
    for (const s of scenarios) {
      const q = buildQuery(s);
      const want = { type: "success", decision: s.expect.decision, determiningPolicies: s.expect.reasons, errors: [] };
      expect(comparable(local.isAuthorized(structuredClone(q))), s.name).toBe(JSON.stringify(want));
      expect(comparable(await remote.isAuthorized(structuredClone(q))), s.name).toBe(JSON.stringify(want));
      expect(comparable(await mirror.isAuthorized(structuredClone(q))), s.name).toBe(JSON.stringify(want));
    }
  }, 120_000);
});
