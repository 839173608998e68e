import { policyToJson, type PolicyJson } from "@cedar-policy/cedar-wasm/nodejs";
import { describe, expect, it } from "vitest";
import { lintAvaPolicy } from "../../src/ava/lint.js";
import { parseManifest, type AvaManifest } from "../../src/ava/manifest.js";
import type { LoadedPolicy } from "../../src/policy/loader.js";

function manifest(yaml: string): AvaManifest {
  const m = parseManifest(yaml, "verified-access.yaml");
  if (!m.ok) throw new Error(m.problems.join("; "));
  return m.manifest;
}

/** One user provider (so `context.idc` is always there) and two device providers. */
const ONE_USER = manifest("trustProviders: { idc: iam-identity-center, jamf: jamf, cs: crowdstrike }");
const TWO_USERS = manifest("trustProviders: { idc: iam-identity-center, corp: oidc, jamf: jamf }");
const ZT = manifest("trustProviders: { zt: ztpdp, jc: jumpcloud }");

/** The reads the lint flags as possibly missing, e.g. ["context.jamf.risk"]. */
function missing(condition: string, m: AvaManifest = ONE_USER): string[] {
  const text = `permit (principal, action, resource) when { ${condition} };`;
  const json = policyToJson(text);
  if (json.type !== "success") throw new Error(JSON.stringify(json.errors));
  const policy: LoadedPolicy = { id: "p", idSource: "annotation", file: "p.cedar", line: 1, col: 1, text, effect: "permit" };
  return lintAvaPolicy(policy, json.json as PolicyJson, m)
    .map((p) => /reads `([^`]+)`, but/.exec(p.message)?.[1])
    .filter((r): r is string => r !== undefined);
}

function messages(policyText: string, m: AvaManifest = ONE_USER): string[] {
  const json = policyToJson(policyText);
  if (json.type !== "success") throw new Error(JSON.stringify(json.errors));
  const policy: LoadedPolicy = { id: "p", idSource: "annotation", file: "p.cedar", line: 1, col: 1, text: policyText, effect: json.json.effect };
  return lintAvaPolicy(policy, json.json, m).map((p) => p.message);
}

describe("Verified Access missing-key lint", () => {
  it("flags an unguarded read of a device provider's data (AWS's own example 1 as published)", () => {
    expect(missing('context.idc.groups has "c242c5b0" && context.idc.user.email.verified == true && context.jamf.risk == "LOW"')).toEqual(["context.jamf.risk"]);
  });

  it("accepts AVA's always-present request data and the folder's only user provider without a guard", () => {
    expect(missing('context.http_request.http_method == "GET" && context.idc.user.email.address like "*@example.com"')).toEqual([]);
  });

  it("needs a guard on the user provider when the folder declares several (a request carries only one)", () => {
    expect(missing("context.idc.user.email.verified", TWO_USERS)).toEqual(["context.idc.user.email.verified"]);
    expect(missing("context has idc && context.idc.user.email.verified", TWO_USERS)).toEqual([]);
  });

  it("accepts a `has` that dominates the read through &&", () => {
    expect(missing('context has jamf && context.jamf.risk == "LOW"')).toEqual([]);
    // A prefix chain, and Cedar's `has a.b` path form.
    expect(missing("context has cs && context.cs has assessment && context.cs.assessment.overall > 50")).toEqual([]);
    expect(missing("context has cs.assessment && context.cs.assessment.overall > 50")).toEqual([]);
  });

  it("rejects a `has` that does not dominate the read", () => {
    expect(missing('context.jamf.risk == "LOW" && context has jamf')).toEqual(["context.jamf.risk"]);
    expect(missing('context has jamf || context.jamf.risk == "LOW"')).toEqual(["context.jamf.risk"]);
    expect(missing('(context has jamf || true) && context.jamf.risk == "LOW"')).toEqual(["context.jamf.risk"]);
    // A guard in another policy branch proves nothing here.
    expect(missing('(context has jamf && true) || context.jamf.risk == "LOW"')).toEqual(["context.jamf.risk"]);
  });

  it("follows if-then-else: the condition guards `then`, its negation guards `else`", () => {
    expect(missing('if context has jamf then context.jamf.risk == "LOW" else false')).toEqual([]);
    expect(missing('if context has jamf then false else context.jamf.risk == "LOW"')).toEqual(["context.jamf.risk"]);
    expect(missing('if !(context has jamf) then false else context.jamf.risk == "LOW"')).toEqual([]);
  });

  it("follows || with a negated guard, and both sides of an either-provider condition", () => {
    expect(missing('!(context has jamf) || context.jamf.risk == "LOW"')).toEqual([]);
    expect(missing('(context has cs && context.cs.assessment.overall > 50) || (context has jamf && context.jamf.risk == "LOW")')).toEqual([]);
    // A `has` proved on both sides of || holds after it.
    expect(missing('((context has jamf && true) || (context has jamf && false)) && context.jamf.risk == "LOW"')).toEqual([]);
  });

  it("carries guards from earlier when/unless clauses to later ones, as Cedar joins them with &&", () => {
    expect(messages('permit (principal, action, resource) when { context has jamf } when { context.jamf.risk == "LOW" };')).toEqual([]);
    expect(messages('permit (principal, action, resource) unless { !(context has jamf) } when { context.jamf.risk == "LOW" };')).toEqual([]);
    expect(messages('permit (principal, action, resource) when { context.jamf.risk == "LOW" } when { context has jamf };')).toHaveLength(1);
  });

  it("treats IdC group ids and OIDC claims other than `sub` as possibly missing", () => {
    expect(missing('context.idc.groups["c242c5b0-6081"].group_name == "finance"')).toEqual(['context.idc.groups["c242c5b0-6081"].group_name']);
    expect(missing('context.idc.groups has "c242c5b0-6081" && context.idc.groups["c242c5b0-6081"].group_name == "finance"')).toEqual([]);
    expect(missing('context has corp && context.corp.sub == "x" && context.corp.groups.contains("eng")', TWO_USERS)).toEqual(["context.corp.groups"]);
    expect(missing('context has corp.groups && context.corp.groups.contains("eng")', TWO_USERS)).toEqual([]);
  });

  it("checks the read inside a `has` too: `context.jamf has risk` fails when `jamf` is missing", () => {
    expect(missing('context.jamf has risk && context.jamf.risk == "LOW"')).toEqual(["context.jamf"]);
  });

  it("needs no guard inside this project's trust provider's claims (all always present)", () => {
    expect(missing('context.zt.device.patched && context.zt.risk == "low" && context.zt.groups.contains("Employees")', ZT)).toEqual([]);
    expect(missing("context.jc.device.is_managed", ZT)).toEqual(["context.jc.device.is_managed"]);
  });

  it("names typos: an undeclared trust provider and an undocumented field", () => {
    const out = messages('permit (principal, action, resource) when { context has jamf && context.jmaf.risk == "LOW" && context.jamf.rsik == "LOW" };');
    expect(out).toEqual(
      expect.arrayContaining([
        expect.stringContaining("`context.jmaf` is not a trust provider of this folder (did you mean `jamf`?)"),
        expect.stringContaining("`context.jamf` has no documented field `rsik` (did you mean `risk`?)"),
      ]),
    );
  });

  it("suggests the guard to write", () => {
    const [first] = messages('permit (principal, action, resource) when { context.cs.assessment.overall > 50 };');
    expect(first).toContain("`context.cs` may be missing");
  });
});
