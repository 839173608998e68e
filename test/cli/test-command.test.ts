import { describe, expect, it } from "vitest";
import { idLine, PROJECT, runCli, STACK_FRAME, tempProject } from "./helpers.js";

/** A one-file suite in a copy of the project. */
const suite = (yaml: string, extra: Record<string, string> = {}) => tempProject({ "policies/tests/cases.yaml": yaml, ...extra });

const WIKI_READ = `
knownGroups: [Contractors]
defaults:
  user: { id: alice, groups: [Employees] }
  device: { provider: jamf, claims: { risk: LOW, osv: "15.7.2" } }
  request: { method: GET, route: "/wiki/{page}" }
cases:
`;

interface JsonReport {
  ok: boolean;
  summary: { cases: number; passed: number; failed: number; invalid: number };
  cases: Array<{ name: string; status: string; diff?: Array<{ field: string; expected: string; actual: string }>; problems?: Array<{ line?: number; message: string }> }>;
  coverage: Array<{ id: string; cases: number }>;
  uncovered: string[];
}

async function json(dir: string, ...args: string[]): Promise<{ code: number; report: JsonReport }> {
  const r = await runCli(["test", "--json", ...args], { cwd: dir });
  return { code: r.code, report: JSON.parse(r.stdout) as JsonReport };
}

describe("ztpdp test on the reference policies", () => {
  it("passes every scenario and covers every policy, including the seed scenarios", async () => {
    const r = await runCli(["test", "--require-coverage"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^\d+ passed, 0 failed \(\d+ cases in 5 files; 7\/7 policies covered\) in [\d.]+ s$/m);
    // The three seed scenarios of issue 4.
    expect(r.stdout).toContain("policies/tests/wiki.yaml\n  ✓ employee reads from a Jamf-managed Mac on a patched macOS");
    expect(r.stdout).toContain("  ✓ the Order service creates a charge");
    expect(r.stdout).toContain("  ✓ the same HR user on the internet is stopped by the perimeter");
    expect(r.stdout).not.toContain("never determined");
  });

  it("reports the same in JSON, with per-policy coverage", async () => {
    const { code, report } = await json(PROJECT);
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.summary.failed + report.summary.invalid).toBe(0);
    expect(report.uncovered).toEqual([]);
    expect(report.coverage.map((c) => c.id)).toEqual([
      "data-perimeter-restricted",
      "hr-read",
      "payments-order-service",
      "payments-only-order-service",
      "status-read",
      "wiki-employees-read",
      "wiki-editors-write",
    ]);
    expect(report.coverage.every((c) => c.cases > 0)).toBe(true);
  });
});

describe("ztpdp test: results", () => {
  it("shows a failing case as a readable diff, with what was evaluated, and exits 1", async () => {
    const dir = suite(`${WIKI_READ}
  - name: contractor expected to read (wrong on purpose)
    user: { id: carl, groups: [Contractors] }
    expect: { decision: allow, determining: [wiki-employees-read] }
  - name: employee reads
    expect: allow
`);
    const r = await runCli(["test"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      [
        "  ✗ contractor expected to read (wrong on purpose)  (policies/tests/cases.yaml:9)",
        "      - decision: allow",
        "      + decision: deny",
        "      - determining: [wiki-employees-read]",
        "      + determining: []",
        '      evaluated: User::"carl" in [Contractors] · device jamf macos 15.7.2 patched, managed, compliant · GET /wiki/{page}',
        "  ✓ employee reads",
      ].join("\n"),
    );
    expect(r.stdout).toMatch(/^1 passed, 1 failed \(2 cases in 1 file; 1\/7 policies covered\)/m);
  });

  it("fails a case whose determining policies differ even when the decision matches", async () => {
    const dir = suite(`${WIKI_READ}
  - name: right decision, wrong reason
    user: { id: hana, groups: [Employees] }
    request: { method: GET, route: "/hr/records/{employeeId}", sourceIp: 198.51.100.1 }
    expect: { decision: deny, determining: [] }
`);
    const { code, report } = await json(dir);
    expect(code).toBe(1);
    expect(report.cases[0]?.diff).toEqual([{ field: "determining", expected: "[]", actual: "[data-perimeter-restricted]" }]);
  });

  it("runs identity mapping for real: an expired token is unauthenticated, not merely denied", async () => {
    const dir = suite(`${WIKI_READ}
  - name: expired token
    user: { claims: { iat: 1700000000, exp: 1700003600 } }
    expect: deny
`);
    const { report } = await json(dir);
    expect(report.cases[0]?.diff?.[0]).toMatchObject({ field: "decision", expected: "deny", actual: expect.stringMatching(/^unauthenticated \(token_expired: /) });
  });

  it("maps claims with the config's group claim and entity id prefix", async () => {
    const config = (text: string) => text.replace("groupClaim: groups", "groupClaim: roles").replace("principal: {}", "principal: { entityIdPrefix: okta }");
    const { readFileSync } = await import("node:fs");
    const dir = suite(
      `${WIKI_READ}
  - name: the group arrives in the roles claim and becomes Group::"okta|Employees"
    expect: { decision: allow, determining: [prefixed-read] }
  - name: the same group in the unmapped groups claim grants nothing
    user: { groups: [], claims: { groups: [Employees] } }
    expect: deny
`,
      {
        "config/pdp.yaml": config(readFileSync(new URL("../fixtures/project/config/pdp.yaml", import.meta.url), "utf8")),
        "policies/prefixed.cedar": '@id("prefixed-read")\npermit (principal in Group::"okta|Employees", action in Action::"read", resource in Application::"wiki");\n',
      },
    );
    const { code, report } = await json(dir);
    expect(report.cases.map((c) => [c.name, c.status, c.diff])).toEqual([
      ['the group arrives in the roles claim and becomes Group::"okta|Employees"', "pass", undefined],
      ["the same group in the unmapped groups claim grants nothing", "pass", undefined],
    ]);
    expect(code).toBe(0);
  });

  it("fails a case whose device token is rejected unless it expects that rejection", async () => {
    const dir = suite(`${WIKI_READ}
  - name: bad version string in raw claims, not expected
    device: { claims: { osv: "15.x" } }
    expect: deny
  - name: bad version string in raw claims, expected
    device: { claims: { osv: "15.x" } }
    expect: { decision: deny, deviceRejected: device_claims_invalid }
`);
    const { report } = await json(dir);
    expect(report.cases[0]).toMatchObject({ status: "fail", diff: [{ field: "device", expected: "trusted", actual: expect.stringContaining("rejected: device_claims_invalid: jamf posture rejected: claim `osv`") }] });
    expect(report.cases[1]).toMatchObject({ status: "pass" });
  });

  it("fails an unexpected evaluation error, and passes one the case expects", async () => {
    const dir = suite(
      `${WIKI_READ}
  - name: erroring forbid, not expected
    expect: deny
  - name: erroring forbid, expected
    expect: { decision: deny, determining: [wiki-employees-read], errors: [overflowing-forbid] }
`,
      { "policies/overflow.cedar": '@id("overflowing-forbid")\nforbid (principal, action, resource)\nwhen { context.device.observedAt * 9223372036854775807 > 0 };\n' },
    );
    const { report } = await json(dir);
    expect(report.cases[0]).toMatchObject({ status: "fail", diff: [{ field: "errors", expected: "[]", actual: expect.stringMatching(/^overflowing-forbid: .*overflow/) }] });
    expect(report.cases[1]).toMatchObject({ status: "pass" });
  });

  it("reports policies that never determined a decision; --require-coverage makes that a failure", async () => {
    const dir = suite(`${WIKI_READ}
  - name: employee reads
    expect: allow
`);
    const plain = await runCli(["test"], { cwd: dir });
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain("  hr-read                      permit     0  never determined a decision");
    expect(plain.stdout).toContain(`6 policies never determined a decision: data-perimeter-restricted (policies/data-perimeter.cedar:${idLine("policies/data-perimeter.cedar", "data-perimeter-restricted")}:1), hr-read`);
    const strict = await runCli(["test", "--require-coverage"], { cwd: dir });
    expect(strict.code).toBe(1);
  });

  it("runs only the cases matching --filter", async () => {
    const { report } = await json(PROJECT, "--filter", "perimeter");
    expect(report.cases.length).toBeGreaterThan(2);
    expect(report.cases.every((c) => c.name.includes("perimeter"))).toBe(true);
  });
});

describe("ztpdp test: Cedar's run-tests format", () => {
  const cedarTest = (decision: string, reason: string[], numErrors: number) =>
    JSON.stringify([
      {
        name: "order service posts",
        request: {
          principal: 'Service::"order-service"',
          action: 'Action::"POST"',
          resource: 'Route::"/payments/charges"',
          context: {
            identity: { issuer: "dev-idp", tokenUse: "access", mfa: false, amr: [], tokenAgeSeconds: 0 },
            device: {
              verified: false, provider: "none", managed: false, compliant: false,
              os: { family: "unknown", version: "0.0.0", major: 0, minor: 0, patch: 0, patched: false },
              diskEncrypted: false, edrScore: 0, riskLevel: "unknown", observedAt: 0, ageSeconds: 0,
            },
            network: { sourceIp: "10.1.1.1", sourceIpKnown: true, vpceId: "", host: "", userAgent: "" },
            request: { method: "POST", route: "/payments/charges" },
          },
        },
        entities: "entities.json",
        decision,
        reason,
        num_errors: numErrors,
      },
    ]);
  const entities = JSON.stringify([
    { uid: { type: "Route", id: "/payments/charges" }, attrs: { classification: "confidential", application: "payments" }, parents: [{ type: "Application", id: "payments" }] },
  ]);

  it("runs a passing Cedar test and leaves the entities file out of the suite", async () => {
    const dir = tempProject({ "policies/tests/cedar.json": cedarTest("allow", ["payments-order-service"], 0), "policies/tests/entities.json": entities });
    const r = await runCli(["test"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^1 passed, 0 failed \(1 case in 1 file;/m);
  });

  it("fails on decision, missing reason and error count, like cedar run-tests", async () => {
    const dir = tempProject({ "policies/tests/cedar.json": cedarTest("deny", ["status-read"], 1), "policies/tests/entities.json": entities });
    const { code, report } = await json(dir);
    expect(code).toBe(1);
    expect(report.cases[0]?.diff).toEqual([
      { field: "decision", expected: "deny", actual: "allow" },
      { field: "reason", expected: "includes [status-read]", actual: "[payments-order-service]" },
      { field: "num_errors", expected: "1", actual: "0" },
    ]);
  });

  it("refuses an entities file outside the test file's folder", async () => {
    const dir = tempProject({ "policies/tests/cedar.json": cedarTest("allow", [], 0).replace('"entities.json"', '"../../config/pdp.yaml"') });
    const { report } = await json(dir);
    expect(report.cases[0]).toMatchObject({ status: "invalid", problems: [{ message: "[0].entities: entities file `../../config/pdp.yaml` is outside the test file's folder" }] });
  });
});

describe("ztpdp test: bad input", () => {
  it("flags an unknown group, with the nearest known one, and accepts it once declared", async () => {
    const cases = `
  - name: typo in a group
    user: { groups: [Employes] }
    expect: allow
`;
    const bad = await json(suite(WIKI_READ.replace("knownGroups: [Contractors]", "") + cases));
    expect(bad.code).toBe(1);
    expect(bad.report.cases[0]).toMatchObject({
      status: "invalid",
      problems: [
        {
          line: 10,
          message:
            'cases[0].user.groups[0]: unknown group `Employes`: no policy names `Group::"Employes"` (did you mean `Employees`?) (groups named by policies: Editors, Employees, HR); if the group is real and no policy names it on purpose, list it under `knownGroups`',
        },
      ],
    });
    const declared = await json(suite(WIKI_READ.replace("knownGroups: [Contractors]", "knownGroups: [Employes]") + cases.replace("expect: allow", "expect: deny")));
    expect(declared.report.cases[0]).toMatchObject({ status: "pass" });
  });

  it("points a case error that comes from `defaults:` at the defaults line", async () => {
    const { report } = await json(suite(WIKI_READ.replace("groups: [Employees]", "groups: [Employes]") + "  - name: inherits the typo\n    expect: allow\n"));
    expect(report.cases[0]?.problems?.[0]).toMatchObject({ line: 4, message: expect.stringContaining("unknown group `Employes`") });
  });

  it("reports malformed YAML with its line, and still runs the other files", async () => {
    const dir = suite(`${WIKI_READ}\n  - name: fine\n    expect: allow\n`, { "policies/tests/broken.yaml": "cases:\n  - name: x\n    user: { id: a\n" });
    const r = await runCli(["test"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ \(file\)  invalid  \(policies\/tests\/broken\.yaml:\d+\)\n {6}policies\/tests\/broken\.yaml:\d+:\d+: malformed YAML\/JSON: /);
    expect(r.stdout).toContain("  ✓ fine");
    expect(r.stdout).not.toMatch(STACK_FRAME);
  });

  it("rejects unknown keys, bad values and bad version strings with their paths", async () => {
    const { report } = await json(
      suite(`${WIKI_READ}
  - name: misspelt key
    user: { gruops: [Employees] }
    expect: allow
  - name: bad values
    request: { method: get, route: /wikki }
    expect: { decision: allowed, determining: [wiki-employee-read] }
  - name: bad version strings
    device: { posture: { managed: true, os: { family: macos, version: 15.10 } } }
    expect: allow
  - name: unparseable version
    device: { posture: { os: { family: macos, version: "15.x" } } }
    expect: allow
  - name: patched contradicts the baseline
    device: { posture: { os: { family: macos, version: "14.1", patched: true } } }
    expect: allow
`),
    );
    const messages = report.cases.map((c) => c.problems?.map((p) => p.message));
    expect(messages[0]).toEqual(["cases[0].user.gruops: unknown key `gruops` (did you mean `groups`?); expected `id`, `groups`, `mfa`, `issuer`, `claims`"]);
    expect(messages[1]).toEqual([
      'cases[1].request.method: expected one of `GET`, `HEAD`, `OPTIONS`, `POST`, `PUT`, `PATCH`, `DELETE`, got the string "get" (did you mean `GET`?)',
      expect.stringMatching(/^cases\[1\]\.request\.route: route `\/wikki` is not in the config's route catalog \(did you mean `\/wiki`\?\)/),
      'cases[1].expect.decision: expected one of `allow`, `deny`, `unauthenticated`, got the string "allowed" (did you mean `allow`?)',
      "cases[1].expect.determining[0]: unknown policy id `wiki-employee-read` (did you mean `wiki-employees-read`?)",
    ]);
    expect(messages[2]).toEqual([
      'cases[2].device.posture.os.version: expected a quoted version string such as "15.7.2", got the number 15.1 (quote it: YAML reads 14.10 as 14.1)',
    ]);
    expect(messages[3]).toEqual(["cases[3].device.posture.os.version: bad version string `15.x`: version components must be non-negative decimal integers without leading zeros"]);
    expect(messages[4]).toEqual([expect.stringMatching(/^cases\[4\]\.device\.posture\.os\.patched: `patched: true` contradicts the patch baseline for macos 14\.1/)]);
  });

  it("accepts an inline resource, but not two different definitions of one route", async () => {
    const inline = (classification: string) => `{ action: GET, resource: { route: /status/extra, application: status, classification: ${classification} } }`;
    const { report } = await json(
      suite(`${WIKI_READ}
  - name: public inline route
    request: ${inline("public")}
    expect: { decision: allow, determining: [status-read] }
  - name: same route, other classification
    request: ${inline("internal")}
    expect: deny
`),
    );
    expect(report.cases[0]).toMatchObject({ status: "pass" });
    expect(report.cases[1]).toMatchObject({
      status: "invalid",
      problems: [{ message: "cases[1].request.resource: inline route `/status/extra` is already defined by another case as status/public" }],
    });
  });

  it("rejects a read/write action group as a request action", async () => {
    const { report } = await json(suite(`${WIKI_READ}\n  - name: group as action\n    request: { action: read, resource: "/wiki" }\n    expect: allow\n`));
    expect(report.cases[0]?.problems?.[0]?.message).toBe(
      "cases[0].request.action: `read` is an action group, not a request: a request names one HTTP method (read: GET, HEAD, OPTIONS)",
    );
  });

  it("refuses to run against policies that do not validate", async () => {
    const dir = suite(`${WIKI_READ}\n  - name: x\n    expect: allow\n`, { "policies/broken.cedar": "permit (principal, action, resource) when { context.nope };\n" });
    const r = await runCli(["test"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("ztpdp test: the policies in `policies` do not validate (see `ztpdp validate`)");
    expect(r.stderr).toContain("policies/broken.cedar:1:45:");
  });

  it("exits 2 without a scenario folder, 1 with an empty one, 2 on unknown flags", async () => {
    const dir = tempProject();
    expect(await runCli(["test"], { cwd: dir })).toMatchObject({ code: 1, stderr: "ztpdp test: no scenario files (.yaml, .yml, .json) in `policies/tests`\n" });
    expect(await runCli(["test", "--scenarios", "nope"], { cwd: dir })).toMatchObject({ code: 2, stderr: expect.stringContaining("scenario file or folder `nope` does not exist") });
    expect(await runCli(["test", "--coverage"], { cwd: dir })).toMatchObject({ code: 2, stderr: "ztpdp test: unknown flag `--coverage` (see `ztpdp test --help`)\n" });
    expect(await runCli(["test", "config"], { cwd: dir })).toMatchObject({ code: 2, stderr: expect.stringContaining("no scenario folder `config/tests`") });
  });

  it("exits 2 without a config", async () => {
    const r = await runCli(["test"], { cwd: "/" });
    expect(r).toMatchObject({ code: 2, stderr: "ztpdp test: no config file at `config/pdp.yaml`: run from the project root or pass `--config FILE` (see `ztpdp test --help`)\n" });
  });
});
