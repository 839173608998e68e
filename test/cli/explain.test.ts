import { describe, expect, it } from "vitest";
import { idLine, runCli, STACK_FRAME } from "./helpers.js";

const HR_FROM_INTERNET = [
  "explain",
  "--user", "hana", "--group", "HR", "--mfa",
  "--device", "jamf", "--device-claims", '{"risk":"LOW","osv":"15.7.2"}',
  "--method", "GET", "--route", "/hr/records/{employeeId}",
  "--source-ip", "198.51.100.23",
];

describe("ztpdp explain", () => {
  it("prints the decision, the determining policy with location and text, errors, and the Cedar request", async () => {
    const r = await runCli(HR_FROM_INTERNET);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toContain(
      [
        "decision: deny",
        '  User::"hana" in [HR] (mfa) · device jamf macos 15.7.2 patched, managed, compliant · GET /hr/records/{employeeId}',
        "",
        "determining policies (1):",
        `  data-perimeter-restricted  forbid  policies/data-perimeter.cedar:${idLine("policies/data-perimeter.cedar", "data-perimeter-restricted")}:1`,
        '    | @id("data-perimeter-restricted")',
        "    | forbid (principal, action, resource)",
        '    | when { resource.classification == "restricted" }',
      ].join("\n"),
    );
    expect(r.stdout).toContain("errors: none");
    expect(r.stdout).toContain("device: token verified and mapped by its provider's mapper");
    expect(r.stdout).toContain('Cedar request (exactly as evaluated):\n  principal: User::"hana"\n  action:    Action::"GET"\n  resource:  Route::"/hr/records/{employeeId}"');
    expect(r.stdout).toMatch(/policy revision: sha256:[0-9a-f]{16}$/m);
  });

  it("--json gives the exact entities and context that were built", async () => {
    const r = await runCli([...HR_FROM_INTERNET, "--json"]);
    const x = JSON.parse(r.stdout) as {
      decision: string;
      determining: Array<{ id: string; file: string; line: number; text: string }>;
      principal: { type: string; id: string; groups: string[] };
      cedar: { entities: Array<{ uid: { type: string; id: string }; parents: unknown[] }>; context: Record<string, Record<string, unknown>> };
    };
    expect(x.decision).toBe("deny");
    expect(x.determining).toEqual([expect.objectContaining({ id: "data-perimeter-restricted", file: "policies/data-perimeter.cedar", line: idLine("policies/data-perimeter.cedar", "data-perimeter-restricted") })]);
    expect(x.principal).toEqual({ type: "User", id: "hana", groups: ["HR"], mfa: true });
    expect(x.cedar.entities.map((e) => `${e.uid.type}::${e.uid.id}`)).toEqual(["User::hana", "Group::HR", "Route::/hr/records/{employeeId}", "Application::hr"]);
    expect(x.cedar.context.network).toEqual({
      sourceIp: { __extn: { fn: "ip", arg: "198.51.100.23" } },
      sourceIpKnown: true,
      vpceId: "",
      host: "",
      userAgent: "",
    });
    expect(x.cedar.context.device).toMatchObject({ verified: true, provider: "jamf", compliant: true, os: { family: "macos", version: "15.7.2", patched: true } });
    expect(x.cedar.context.identity).toMatchObject({ issuer: "dev-idp", mfa: true, amr: ["pwd", "mfa"] });
  });

  it("explains a case of a scenario file, with the file's defaults", async () => {
    const r = await runCli(["explain", "--request", "policies/tests/data-perimeter.yaml", "--case", "HR reads through the allowed VPC endpoint (private API, no corporate IP)", "--json"]);
    const x = JSON.parse(r.stdout) as { decision: string; determining: Array<{ id: string }>; cedar: { context: { network: { vpceId: string } } } };
    expect(x.decision).toBe("allow");
    expect(x.determining.map((d) => d.id)).toEqual(["hr-read"]);
    expect(x.cedar.context.network.vpceId).toBe("vpce-0a1b2c3d4e5f60718");
  });

  it("reads a single case from stdin, with a normalized posture", async () => {
    const stdin = JSON.stringify({
      user: { id: "alice", groups: ["Employees"] },
      device: { posture: { managed: true, os: { family: "windows", version: "10.0.26100.4946" } } },
      request: { method: "GET", route: "/wiki/{page}" },
    });
    const r = await runCli(["explain", "--request", "-"], { stdin });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^decision: allow$/m);
    expect(r.stdout).toContain("device: normalized posture given by the request");
  });

  it("says when Cedar was never asked (unauthenticated caller)", async () => {
    const r = await runCli(["explain", "--service", "monitoring", "--claims", '{"exp": 1700000000, "iat": 1699990000}', "--method", "GET", "--route", "/status"]);
    expect(r.stdout).toMatch(/^decision: unauthenticated \(deny\)$/m);
    expect(r.stdout).toContain("Cedar was not asked: the decision was made before policy evaluation (token_expired: token has expired)");
  });

  describe("bad input exits 2 with the flag to fix", () => {
    it("names each bad flag", async () => {
      const r = await runCli(["explain", "--user", "hana", "--group", "HRR", "--method", "GT", "--route", "/hr/{x}"]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain("ztpdp explain: cannot build the request (see `ztpdp explain --help`)");
      expect(r.stderr).toContain("  --group: unknown group `HRR`: no policy names `Group::\"HRR\"` (did you mean `HR`?)");
      expect(r.stderr).toContain("pass `--known-group NAME`");
      expect(r.stderr).toContain('  --method: expected one of `GET`, `HEAD`, `OPTIONS`, `POST`, `PUT`, `PATCH`, `DELETE`, got the string "GT" (did you mean `GET`?)');
      expect(r.stderr).toContain("  --route: route `/hr/{x}` is not in the config's route catalog");
    });

    it("rejects malformed JSON, a bad version string and a missing caller", async () => {
      expect(await runCli(["explain", "--user", "a", "--claims", "{nope", "--method", "GET", "--route", "/status"])).toMatchObject({
        code: 2,
        stderr: expect.stringContaining("flag `--claims` needs JSON"),
      });
      const badVersion = await runCli(["explain", "--user", "a", "--posture", '{"os":{"family":"macos","version":"15.x"}}', "--method", "GET", "--route", "/status"]);
      expect(badVersion).toMatchObject({ code: 2, stderr: expect.stringContaining("--posture (os.version): bad version string `15.x`") });
      const noCaller = await runCli(["explain", "--method", "GET", "--route", "/status"]);
      expect(noCaller).toMatchObject({ code: 2, stderr: "ztpdp explain: give one caller: `--user ID` or `--service CLIENT_ID` (see `ztpdp explain --help`)\n" });
      expect(badVersion.stderr).not.toMatch(STACK_FRAME);
    });

    it("rejects a missing request file, an unknown case, and mixing --request with request flags", async () => {
      expect(await runCli(["explain", "--request", "nope.yaml"])).toMatchObject({ code: 2, stderr: expect.stringContaining("request file `nope.yaml` does not exist") });
      expect(await runCli(["explain", "--request", "policies/tests/wiki.yaml"])).toMatchObject({ code: 2, stderr: expect.stringContaining("holds 20 cases: pick one with `--case NAME`") });
      expect(await runCli(["explain", "--request", "policies/tests/wiki.yaml", "--case", "nope"])).toMatchObject({ code: 2, stderr: expect.stringContaining("no case named `nope`") });
      expect(await runCli(["explain", "--request", "policies/tests/wiki.yaml", "--user", "x"])).toMatchObject({ code: 2, stderr: expect.stringContaining("drop `--user`") });
      expect(await runCli(["explain", "--device-age", "-5"])).toMatchObject({ code: 2 });
    });
  });
});
