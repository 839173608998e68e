import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadPolicyDir, readPolicyDir } from "../../src/policy/loader.js";
import { PRECOMPILED_FILE, readPrecompiled, writePrecompiled } from "../../src/policy/precompiled.js";
import { createLocalCedarEngine } from "../../src/policy/local-cedar/local-engine.js";
import { REFERENCE_DIR, buildQuery, employeeReadsWiki, fixture, type QuerySpec } from "./helpers.js";

function copyOfReference(): string {
  const dir = mkdtempSync(join(tmpdir(), "ztpdp-precompiled-"));
  cpSync(REFERENCE_DIR, dir, { recursive: true, filter: (p) => !p.includes("/tests") });
  return dir;
}

describe("build-time validated policy sets", () => {
  it("load exactly what full validation loads, from the stored result", () => {
    const dir = copyOfReference();
    const validated = loadPolicyDir(dir);
    writePrecompiled(dir, validated);
    const stored = readPrecompiled(dir, join(dir, "schema.cedarschema"));
    expect(stored?.precompiled?.resolvedSchemaJson).toBeDefined();
    expect({ ...stored, precompiled: undefined }).toEqual(validated);
    expect({ ...loadPolicyDir(dir), precompiled: undefined }).toEqual(validated);
  });

  it("are ignored as soon as any source changes, so an edit is always validated", () => {
    const dir = copyOfReference();
    writePrecompiled(dir, loadPolicyDir(dir));
    writeFileSync(join(dir, "zz-broken.cedar"), "permit (principal, action, resource) when { context.nope };");
    expect(readPrecompiled(dir, join(dir, "schema.cedarschema"))).toBeUndefined();
    expect(() => loadPolicyDir(dir)).toThrow(/nope/);
  });

  it("are ignored when the stored file was tampered with (its digest no longer matches)", () => {
    const dir = copyOfReference();
    writePrecompiled(dir, loadPolicyDir(dir));
    const count = loadPolicyDir(dir, { warningsAsErrors: true }).policies.length;
    const file = join(dir, PRECOMPILED_FILE);
    const stored = JSON.parse(readFileSync(file, "utf8"));
    stored.digest = "0".repeat(64);
    stored.set.policies = [];
    writeFileSync(file, JSON.stringify(stored));
    expect(loadPolicyDir(dir).policies.length).toBe(count);
  });

  it("are never used by the CLI's readPolicyDir, nor with a non-default schema or warnings as errors", () => {
    const dir = copyOfReference();
    const validated = loadPolicyDir(dir);
    writePrecompiled(dir, { ...validated, revision: "sha256:fake" });
    expect(loadPolicyDir(dir).revision).toBe("sha256:fake"); // proves the stored result is what default loads use
    expect(loadPolicyDir(dir, { warningsAsErrors: true }).revision).toBe(validated.revision);
    expect(loadPolicyDir(dir, { schemaPath: join(dir, "schema.cedarschema") }).revision).toBe(validated.revision);
    const listed = readPolicyDir(dir);
    expect(listed.ok && listed.policySet.revision).toBe(validated.revision);
  });

  it("give an engine that answers like one built from full validation, validated paths included", () => {
    const dir = copyOfReference();
    writePrecompiled(dir, loadPolicyDir(dir));
    const fromBuild = createLocalCedarEngine(loadPolicyDir(dir)); // whole set and schema parsed on first use
    const fromSources = createLocalCedarEngine(loadPolicyDir(dir, { warningsAsErrors: true }));
    const scenarios = JSON.parse(readFileSync(fixture("reference-scenarios.json"), "utf8")) as QuerySpec[];
    const queries = scenarios.map(buildQuery);
    const cidr = employeeReadsWiki();
    (cidr.context.network as Record<string, unknown>).sourceIp = { __extn: { fn: "ip", arg: "10.0.0.0/8" } };
    const broken = employeeReadsWiki();
    delete (broken.context.device as Record<string, unknown>).managed;
    const trace = employeeReadsWiki();
    trace.action = { type: "Action", id: "TRACE" };
    for (const q of [...queries, cidr, broken, trace]) {
      expect(fromBuild.isAuthorized(structuredClone(q))).toEqual(fromSources.isAuthorized(structuredClone(q)));
    }
    expect(fromBuild.partitionStats).toMatchObject({ scoped: 2, whole: 1 });
  });
});
