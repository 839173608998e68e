import { compilePolicySources, type LoadedPolicySet } from "../../../src/policy/loader.js";
import { DIFF_SCHEMA, generatePolicies } from "./model.js";
import { seededRng } from "./prng.js";

/** `count` generated policies (seeded), minus the few strict validation refuses (e.g. an impossible `is` combination). */
export function loadGenerated(seed: number, count: number): LoadedPolicySet {
  let policies = generatePolicies(seededRng(seed), count);
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const text = policies.map((p) => p.text).join("\n");
    const result = compilePolicySources({ file: "schema.cedarschema", text: DIFF_SCHEMA }, [{ file: "gen.cedar", text }]);
    if (result.ok) return result.policySet;
    const refused = new Set(result.problems.filter((p) => p.severity === "error").map((p) => p.policyId));
    if (refused.has(undefined)) throw new Error(JSON.stringify(result.problems.slice(0, 3)));
    policies = policies.filter((p) => !refused.has(p.id));
  }
  throw new Error("generated policies did not validate");
}
