import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadPolicyDir } from "../../src/policy/loader.js";
import { createLocalCedarEngine } from "../../src/policy/local-cedar/local-engine.js";
import { REFERENCE_DIR, buildQuery, fixture, type QuerySpec } from "./helpers.js";

/** Scenarios are data: the request in the decision model's shape, the expected decision and reasons. */
interface Scenario extends QuerySpec {
  name: string;
  expect: { decision: "allow" | "deny"; reasons: string[] };
}
const scenarios = JSON.parse(readFileSync(fixture("reference-scenarios.json"), "utf8")) as Scenario[];

describe("reference policies", () => {
  const engine = createLocalCedarEngine(loadPolicyDir(REFERENCE_DIR, { warningsAsErrors: true }));

  it.each(scenarios.map((s) => [s.name, s] as const))("%s", (_name, s) => {
    expect(engine.isAuthorized(buildQuery(s))).toEqual({
      type: "success",
      decision: s.expect.decision,
      determiningPolicies: s.expect.reasons,
      errors: [],
    });
  });

  it("cover every reference policy with an allow or a forbid", () => {
    const named = new Set(scenarios.flatMap((s) => s.expect.reasons));
    expect([...engine.policyIds].filter((id) => !named.has(id))).toEqual([]);
  });
});
