import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { developmentSettings } from "../../src/config/development.js";
import { ConfigError, loadConfig, parseConfig } from "../../src/config/load.js";

const issuer = {
  name: "idp",
  issuer: "https://idp.example.com",
  jwksUri: "https://idp.example.com/jwks",
  audiences: ["api"],
  types: ["at+jwt"],
  tokenUse: "access",
};

function problems(doc: unknown): string[] {
  try {
    parseConfig(JSON.stringify(doc), "/etc/pdp.json");
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error("expected the config to be refused");
}

describe("loadConfig", () => {
  it("loads the bundled default config with its defaults filled in", () => {
    const { config, resolvePath } = loadConfig();
    expect(config.issuers[0]?.name).toBe("dev-idp");
    expect(config.policy.engine).toBe("local");
    expect(config.limits.maxTokenBytes).toBe(8192);
    expect(resolvePath(config.devicePosture.patchBaselineFile)).toMatch(/policies\/patch-baseline\.yaml$/);
  });

  it("reads the path from ZTPDP_CONFIG and resolves relative paths against the file's folder", () => {
    const dir = mkdtempSync(join(tmpdir(), "cfg-"));
    const file = join(dir, "pdp.json");
    writeFileSync(file, JSON.stringify({ version: 1, issuers: [issuer] }));
    const prev = process.env.ZTPDP_CONFIG;
    process.env.ZTPDP_CONFIG = file;
    try {
      const loaded = loadConfig();
      expect(loaded.file).toBe(file);
      expect(loaded.resolvePath("../policies")).toBe(join(dir, "../policies"));
    } finally {
      if (prev === undefined) delete process.env.ZTPDP_CONFIG;
      else process.env.ZTPDP_CONFIG = prev;
    }
  });

  it("names the file when it cannot be read", () => {
    expect(() => loadConfig("/nonexistent/pdp.yaml")).toThrow(/\/nonexistent\/pdp\.yaml[\s\S]*ENOENT/);
  });
});

describe("parseConfig refuses bad configuration, listing every problem", () => {
  it("lists all field problems at once, with their paths", () => {
    const list = problems({
      version: 2,
      issuers: [{ ...issuer, jwksUri: "ftp://x", audiences: [], algorithms: ["HS256"], tokenUse: "refresh" }],
      routes: [{ path: "wiki", application: "wiki", classification: "secret" }],
    });
    expect(list).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^version:/),
        expect.stringMatching(/^issuers\.0\.jwksUri:/),
        expect.stringMatching(/^issuers\.0\.audiences:/),
        expect.stringMatching(/^issuers\.0\.algorithms\.0:/),
        expect.stringMatching(/^issuers\.0\.tokenUse:/),
        expect.stringMatching(/^routes\.0\.path:/),
        expect.stringMatching(/^routes\.0\.classification:/),
      ]),
    );
    expect(list.length).toBeGreaterThanOrEqual(7);
  });

  it("rejects unknown keys, so a typo never silently drops a check", () => {
    expect(problems({ version: 1, issuers: [{ ...issuer, audience: "api" }] })).toEqual([
      expect.stringMatching(/issuers\.0.*audience/),
    ]);
  });

  it("refuses HMAC algorithms", () => {
    expect(problems({ version: 1, issuers: [{ ...issuer, algorithms: ["HS256"] }] })[0]).toMatch(/algorithms/);
  });

  it("refuses plain-http JWKS unless the development setting is on, and then only to loopback", () => {
    const http = { ...issuer, jwksUri: "http://127.0.0.1:9/jwks" };
    expect(problems({ version: 1, issuers: [http] })[0]).toMatch(/plain http is refused/);
    const remote = { ...issuer, jwksUri: "http://idp.example.com/jwks" };
    expect(problems({ version: 1, issuers: [remote], development: { allowInsecureLoopbackJwks: true } })[0]).toMatch(
      /only to loopback/,
    );
    expect(() => parseConfig(JSON.stringify({ version: 1, issuers: [http], development: { allowInsecureLoopbackJwks: true } }), "x")).not.toThrow();
  });

  it("refuses an issuer used twice (user and device tokens are told apart by issuer)", () => {
    const { tokenUse: _unused, ...trust } = issuer;
    const device = { ...trust, name: "mdm", format: "jamf", binding: { deviceClaim: "sub", userClaim: "sub" } };
    expect(problems({ version: 1, issuers: [issuer], devicePosture: { providers: [device] } })[0]).toMatch(
      /already used by issuers\.0/,
    );
  });

  it("refuses a route listed twice", () => {
    const r = { path: "/wiki", application: "wiki", classification: "internal" };
    expect(problems({ version: 1, issuers: [issuer], routes: [r, r] })[0]).toMatch(/listed twice/);
  });

  it("refuses duplicate YAML keys instead of keeping the last one", () => {
    expect(() => parseConfig("version: 1\nversion: 1\nissuers: []\n", "/etc/pdp.yaml")).toThrow(/not valid YAML/);
  });

  it("refuses a document that is not an object", () => {
    expect(() => parseConfig("- 1\n- 2\n", "/etc/pdp.yaml")).toThrow(ConfigError);
  });
});

/** A minimal valid document plus `doc`, through the real loader. */
const load = (doc: Record<string, unknown>) => parseConfig(JSON.stringify({ version: 1, issuers: [issuer], ...doc }), "/etc/pdp.json");

describe("time budgets: key fetches and evaluation must fit the decision timeout", () => {
  it("control: the defaults fit (2 × 1500 ms + 250 ms ≤ 4000 ms)", () => {
    expect(load({}).config.limits.decisionTimeoutMs).toBe(4000);
  });

  it("refuses a JWKS timeout whose worst case (user + device key fetch) cannot fit, naming both settings", () => {
    expect(problems({ version: 1, issuers: [issuer], jwks: { timeoutMs: 2000 } })).toEqual([expect.stringMatching(/^jwks\.timeoutMs: .*2 × 2000 ms.*limits\.decisionTimeoutMs \(4000 ms\)/)]);
    expect(problems({ version: 1, issuers: [issuer], jwks: { timeoutMs: 10000 } })).toHaveLength(1);
  });

  it("accepts the same JWKS timeout with a decision timeout that holds it", () => {
    expect(load({ jwks: { timeoutMs: 2000 }, limits: { decisionTimeoutMs: 4250 } }).config.jwks.timeoutMs).toBe(2000);
  });

  const avp = (extra: Record<string, unknown> = {}) => ({ engine: "verified-permissions", policyStoreId: "PSEXAMPLEabcdefg111111", ...extra });

  it("control: a Verified Permissions engine's default budget fits too (2 × 1500 + 750 + 250 ms ≤ 4000 ms)", () => {
    expect(load({ policy: avp() }).config.policy).toMatchObject({ timeoutMs: 750 });
  });

  it("refuses Verified Permissions calls that cannot fit after the key fetches, naming the settings", () => {
    expect(problems({ version: 1, issuers: [issuer], policy: avp({ timeoutMs: 2000 }) })).toEqual([
      expect.stringMatching(/^jwks\.timeoutMs, policy\.timeoutMs: .*Verified Permissions calls \(policy\.timeoutMs: 2000 ms\).*need 5250 ms, more than limits\.decisionTimeoutMs \(4000 ms\)/),
    ]);
    expect(load({ policy: avp({ timeoutMs: 2000 }), limits: { decisionTimeoutMs: 5250 } }).config.limits.decisionTimeoutMs).toBe(5250);
  });
});

describe("AVA mode beside a policy engine", () => {
  it("refuses a Verified Permissions store that AVA mode would silently ignore", () => {
    const doc = { version: 1, issuers: [issuer], verifiedAccess: { policyDir: "ava" }, policy: { engine: "verified-permissions", policyStoreId: "PSEXAMPLEabcdefg111111" } };
    expect(problems(doc)).toEqual([expect.stringMatching(/^policy\.engine: `verified-permissions` is never used when verifiedAccess\.policyDir is set/)]);
  });

  it("control: AVA mode with the default local engine loads", () => {
    expect(load({ verifiedAccess: { policyDir: "ava" } }).config.verifiedAccess?.policyDir).toBe("ava");
  });
});

describe("overlapping route templates: a warning at load, naming the route that wins", () => {
  const route = (path: string, classification = "internal") => ({ path, application: "app", classification });

  it("literal beside {param}, and anything under {proxy+}", () => {
    const { warnings } = load({ routes: [route("/users/{id}"), route("/users/me", "restricted"), route("/files/{proxy+}"), route("/files/readme")] });
    expect(warnings).toEqual([
      expect.stringMatching(/^routes `\/users\/\{id\}` and `\/users\/me` overlap: a path matching both is decided as `\/users\/me` \(restricted/),
      expect.stringMatching(/^routes `\/files\/\{proxy\+\}` and `\/files\/readme` overlap: .* decided as `\/files\/readme`/),
    ]);
  });

  it("two templates that differ only in parameter names", () => {
    expect(load({ routes: [route("/a/{x}"), route("/a/{y}")] }).warnings).toEqual([expect.stringMatching(/match the same paths/)]);
  });

  it("no warning for templates that never match the same path", () => {
    expect(load({ routes: [route("/wiki"), route("/wiki/{page}"), route("/wiki/{page}/history"), route("/hr/{id}")] }).warnings).toEqual([]);
  });
});

describe("what makes a config a development one", () => {
  it("names the loopback escape hatch and every loopback issuer or key URL", () => {
    const loaded = load({
      issuers: [{ ...issuer, issuer: "http://127.0.0.1:8471/idp", jwksUri: "http://localhost:8471/jwks" }],
      development: { allowInsecureLoopbackJwks: true },
    });
    expect(developmentSettings(loaded.config)).toEqual([
      "development.allowInsecureLoopbackJwks is set",
      "issuers.0.issuer is on loopback (`http://127.0.0.1:8471/idp`)",
      "issuers.0.jwksUri is on loopback (`http://localhost:8471/jwks`)",
    ]);
  });

  it("control: an https config is not one", () => {
    expect(developmentSettings(load({}).config)).toEqual([]);
  });
});
