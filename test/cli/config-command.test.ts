import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { PROJECT, REPO_ROOT, runCli, STACK_FRAME, tempProject } from "./helpers.js";

describe("ztpdp config", () => {
  it("prints the effective configuration as JSON: presets expanded, defaults shown", async () => {
    const r = await runCli(["config", "--config", "config/examples/okta.yaml"], { cwd: REPO_ROOT });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("config: config/examples/okta.yaml is valid; effective configuration:\n");
    const c = JSON.parse(r.stdout) as { issuers: Record<string, unknown>[]; limits: Record<string, number>; jwks: Record<string, number> };
    expect(Object.keys(c.issuers[0]!).slice(0, 3)).toEqual(["name", "preset", "tenant"]);
    expect(c.issuers[0]).toMatchObject({
      preset: "okta",
      tenant: { domain: "acme.okta.com", authorizationServerId: "default" },
      issuer: "https://acme.okta.com/oauth2/default",
      jwksUri: "https://acme.okta.com/oauth2/default/v1/keys",
      types: [],
      acceptMissingTyp: true,
      clientIdClaim: "cid",
      principal: { principalIdClaim: "uid", entityIdPrefix: "okta", userEntityType: "User" },
    });
    expect(c.limits).toEqual({ maxTokenBytes: 8192, clockSkewSeconds: 60, maxTokenLifetimeSeconds: 86400, maxGroups: 200, maxClaimStringLength: 512, decisionTimeoutMs: 4000 });
    expect(c.jwks.ttlSeconds).toBe(300);
  });

  it("an invalid config lists every problem and exits 1, without a stack trace", async () => {
    const root = tempProject({
      "config/pdp.yaml": stringify({ version: 1, issuers: [{ name: "idc", preset: "identity-center" }, { name: "c", preset: "cognito", tenant: { userPoolId: "x" } }] }),
    });
    const r = await runCli(["config"], { cwd: root });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("ztpdp config: invalid config `config/pdp.yaml`");
    expect(r.stderr).toContain("  - issuers.0.preset: IAM Identity Center issues no token");
    expect(r.stderr).toContain("  - issuers.1.tenant.userPoolId:");
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });

  it("takes no arguments beyond --config", async () => {
    expect((await runCli(["config", "extra"])).code).toBe(2);
    const help = await runCli(["config", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("usage: ztpdp config [--config FILE]");
  });
});

describe("principal attributes from claims in the policy toolchain", () => {
  /** The project's own config and policies, with `department` mapped from a claim and declared in the schema. */
  function projectWithDepartment(schemaDeclares: string | null): string {
    const doc = parse(readFileSync(join(PROJECT, "config/pdp.yaml"), "utf8")) as { issuers: Array<Record<string, unknown>> };
    doc.issuers[0]!.principal = { attributes: { department: "String" } };
    let schema = readFileSync(join(PROJECT, "policies/schema.cedarschema"), "utf8");
    if (schemaDeclares !== null) schema = schema.replace("entity User in [Group];", `entity User in [Group] { ${schemaDeclares} };`);
    return tempProject({
      "config/pdp.yaml": stringify(doc),
      "policies/schema.cedarschema": schema,
      "policies/finance.cedar": '@id("finance-reads-status")\npermit (principal is User, action in Action::"read", resource == Route::"/status")\nwhen { principal.department == "finance" };\n',
      "policies/tests/finance.yaml": stringify({
        knownGroups: ["Employees"],
        defaults: { request: { method: "GET", route: "/status" } },
        cases: [
          { name: "finance reads", user: { id: "fin", claims: { department: "finance" } }, expect: { decision: "allow", determining: ["finance-reads-status", "status-read"] } },
          { name: "a number is not a department", user: { id: "num", claims: { department: 7 } }, expect: { decision: "allow", determining: ["status-read"] } },
        ],
      }),
    });
  }

  it("validate accepts a schema that declares the mapped attribute, and refuses one that does not", async () => {
    expect((await runCli(["validate"], { cwd: projectWithDepartment("department: String") })).code).toBe(0);
    const missing = await runCli(["validate"], { cwd: projectWithDepartment(null) });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain("the config maps a claim to `User.department` (String); declare it");
    const wrongType = await runCli(["validate"], { cwd: projectWithDepartment("department: Long") });
    expect(wrongType.stdout).toContain("`User.department` is Long in the schema but String in the config");
    const unmapped = await runCli(["validate"], { cwd: projectWithDepartment("department: String, email?: String") });
    expect(unmapped.stdout).toContain("`User.email` (String) is declared but no issuer maps a claim to it");
  });

  it("test runs cases whose token claims feed the attribute; a claim of the wrong type is least-trusted", async () => {
    const r = await runCli(["test"], { cwd: projectWithDepartment("department: String") });
    expect(r.stdout).toContain("2 passed, 0 failed");
    expect(r.code).toBe(0);
  });

  it("explain shows the attribute on the principal entity, read from the token's claim", async () => {
    const root = projectWithDepartment("department: String");
    const r = await runCli(["explain", "--user", "fin", "--claims", '{"department":"finance"}', "--method", "GET", "--route", "/status", "--json"], { cwd: root });
    expect(r.code).toBe(0);
    const x = JSON.parse(r.stdout) as { decision: string; cedar: { entities: Array<{ uid: { type: string; id: string }; attrs: Record<string, unknown> }> } };
    expect(x.cedar.entities.find((e) => e.uid.type === "User")?.attrs).toEqual({ department: "finance" });
  });
});
