import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, STACK_FRAME, tempProject } from "./helpers.js";

/** A Verified Access folder of the test's own (never the reference `policies-ava/`). */
function avaFolder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "ztpdp-ava-"));
  const all = {
    "verified-access.yaml": "trustProviders: { idc: iam-identity-center, jamf: jamf, cs: crowdstrike }\n",
    ...files,
  };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const GROUP = "4f1e2d3c-aaaa-bbbb-cccc-000000000001";
const POLICY = `@id("sales-jamf")
permit (principal, action, resource)
when
{
  context.idc.groups has "${GROUP}" &&
  context has jamf &&
  context.jamf.risk == "LOW"
};
`;
const SCENARIOS = `defaults:
  user: { id: u1, email: u1@example.com, emailVerified: true, groups: ["${GROUP}"] }
  device: { provider: jamf, claims: { risk: LOW, osv: "15.7.2" } }
  request: { method: GET, path: /reports }
cases:
  - name: low risk
    expect: { decision: allow, determining: [sales-jamf] }
  - name: high risk
    device: { provider: jamf, claims: { risk: HIGH, osv: "15.7.2" } }
    expect: deny
  - name: no jamf data
    device: none
    expect: { decision: deny, errors: [] }
`;

describe("ztpdp on a Verified Access folder", () => {
  it("validates AVA-style policies without a schema, and the missing-key lint catches an unguarded read", async () => {
    const good = avaFolder({ "p.cedar": POLICY });
    const ok = await runCli(["validate", good]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("1 Verified Access policy valid for the trust providers in verified-access.yaml (0 errors, 0 warnings)");

    const bad = avaFolder({ "p.cedar": POLICY.replace("context has jamf &&\n", "") });
    const warned = await runCli(["validate", "--warnings-as-errors", bad]);
    expect(warned.code).toBe(1);
    expect(warned.stdout).toMatch(/p\.cedar:1:1: warning: policy `sales-jamf` reads `context\.jamf\.risk`, but `context\.jamf` may be missing/);
    expect(warned.stdout).toContain("help: guard the read with a `has` that dominates it: `context has jamf && context.jamf.risk ...`");
    // Without --warnings-as-errors a warning does not fail the run.
    expect((await runCli(["validate", bad])).code).toBe(0);
  });

  it("refuses a constrained scope and reads of principal/resource, with file:line:col", async () => {
    const dir = avaFolder({ "p.cedar": `@id("x")\npermit (principal == User::"a", action, resource) when { resource.owner == "a" };\n` });
    const res = await runCli(["validate", dir]);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain("p.cedar:1:1: policy `x` constrains its principal");
    expect(res.stdout).toContain("policy `x` reads `resource`: Verified Access policies read only `context`");
    expect(res.stdout).toContain("policy set refused (2 errors");
  });

  it("refuses a bad verified-access.yaml with its problems", async () => {
    const dir = avaFolder({ "verified-access.yaml": "trustProviders: { http_request: jamf, x: okta }\n", "p.cedar": POLICY });
    const res = await runCli(["validate", dir]);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/trustProviders\.x: Invalid option/);
    expect(res.stdout + res.stderr).not.toMatch(STACK_FRAME);
  });

  it("runs the scenario files against AVA-shaped contexts: passing and failing cases, coverage", async () => {
    const dir = avaFolder({ "p.cedar": POLICY, "tests/sales.yaml": SCENARIOS });
    const res = await runCli(["test", "--require-coverage", dir]);
    expect(res.stdout).toContain("3 passed, 0 failed (3 cases in 1 file; 1/1 policies covered)");
    expect(res.code).toBe(0);

    const wrong = avaFolder({ "p.cedar": POLICY, "tests/sales.yaml": SCENARIOS.replace("risk: HIGH", "risk: LOW") });
    const failed = await runCli(["test", wrong]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain("✗ high risk");
    expect(failed.stdout).toContain("evaluated: u1 via idc · devices jamf · GET app.example.com/reports from 198.51.100.10");
  });

  it("a policy that fails on a missing key denies, and the case says which policy erred", async () => {
    const unguarded = POLICY.replace("context has jamf &&\n", "");
    const dir = avaFolder({ "p.cedar": unguarded, "tests/sales.yaml": SCENARIOS });
    const res = await runCli(["test", dir]);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain("✗ no jamf data");
    expect(res.stdout).toMatch(/\+ errors: sales-jamf: .*jamf/);
  });

  it("reports bad claims against the provider's documented shape, with the file position", async () => {
    const bad = SCENARIOS.replace("risk: HIGH", "risk: High, riks: LOW").replace("path: /reports", "path: /reports, sourceIp: not-an-ip");
    const dir = avaFolder({ "p.cedar": POLICY, "tests/sales.yaml": bad });
    const res = await runCli(["test", dir]);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/tests\/sales\.yaml:\d+:\d+: cases\[1\]\.device\.claims: risk: expected one of `HIGH`, `MEDIUM`, `LOW`, `SECURE`, `NOT_APPLICABLE`, got "High"/);
    expect(res.stdout).toMatch(/unknown key `riks`/);
    expect(res.stdout).toMatch(/request\.sourceIp: expected an IP address/);
  });

  it("refuses claims that Cedar would read as entity references or extension calls", async () => {
    const dir = avaFolder({
      "verified-access.yaml": "trustProviders: { corp: oidc }\n",
      "p.cedar": `@id("p")\npermit (principal, action, resource) when { context.corp has dept && context.corp.dept == "x" };\n`,
      "tests/t.yaml": `cases:\n  - name: smuggled entity\n    user: { id: a, claims: { dept: { __entity: { type: User, id: x } } } }\n    request: { method: GET, path: / }\n    expect: deny\n`,
    });
    const res = await runCli(["test", dir]);
    expect(res.stdout).toMatch(/keys starting with `__` are Cedar's JSON escapes/);
    expect(res.code).toBe(1);
  });

  it("explains one case: decision, determining policy with its text, the exact context", async () => {
    const dir = avaFolder({ "p.cedar": POLICY, "tests/sales.yaml": SCENARIOS });
    const res = await runCli(["explain", "--policies", dir, "--request", join(dir, "tests/sales.yaml"), "--case", "low risk"]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^decision: allow/);
    expect(res.stdout).toMatch(/sales-jamf {2}permit {2}.*p\.cedar:1:1/);
    expect(res.stdout).toContain('"risk": "LOW"');
    const json = JSON.parse((await runCli(["explain", "--json", "--policies", dir, "--request", join(dir, "tests/sales.yaml"), "--case", "no jamf data"])).stdout);
    expect(json).toMatchObject({ mode: "verified-access", decision: "deny", determining: [], errors: [] });
    expect(json.context.jamf).toBeUndefined();
  });

  it("explains a context as Verified Access logs it", async () => {
    const dir = avaFolder({ "p.cedar": POLICY });
    const logged = { http_request: { http_method: "GET", hostname: "a", path: "/", query: "", x_forwarded_for: "", port: 443, user_agent: "", client_ip: "10.0.0.1" }, idc: { user: { user_id: "u", user_name: "u", email: { address: "u@x", verified: true } }, groups: { [GROUP]: { group_name: "sales" } } }, jamf: { risk: "LOW" } };
    const res = await runCli(["explain", "--policies", dir, "--context", "-"], { stdin: JSON.stringify(logged) });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^decision: allow/);
    expect(res.stdout).toContain("sales-jamf");
  });

  it("uses the project config for this project's trust provider: the real posture mappers and patch baseline", async () => {
    const root = tempProject();
    const dir = join(root, "ava");
    mkdirSync(join(dir, "tests"), { recursive: true });
    writeFileSync(join(dir, "verified-access.yaml"), "trustProviders: { zt: ztpdp, jamf: jamf }\n");
    writeFileSync(join(dir, "p.cedar"), `@id("patched")\npermit (principal, action, resource) when { context.zt.device.patched && context.zt.risk == "low" };\n`);
    writeFileSync(
      join(dir, "tests/t.yaml"),
      `defaults:\n  user: { id: alice }\n  request: { method: GET, path: / }\ncases:\n` +
        `  - name: patched mac\n    device: { provider: jamf, claims: { risk: LOW, osv: "15.7.2" } }\n    expect: allow\n` +
        `  - name: old mac\n    device: { provider: jamf, claims: { risk: LOW, osv: "14.6.1" } }\n    expect: deny\n` +
        `  - name: intune laptop from the generic format\n    device: { provider: generic-mdm, claims: { managed: true, compliant: true, risk_level: low, os: { family: windows, version: "10.0.26100.1" } } }\n    expect: allow\n`,
    );
    const res = await runCli(["test", "ava"], { cwd: root });
    expect(res.stdout).toContain("3 passed, 0 failed");
    expect(res.code).toBe(0);
  });
});
