import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../src/config/load.js";
import { developmentSettings } from "../../src/config/development.js";

const issuer = {
  name: "idp",
  issuer: "https://idp.example.com",
  jwksUri: "https://idp.example.com/jwks",
  audiences: ["api"],
  types: ["at+jwt"],
  tokenUse: "access",
};

const load = (doc: Record<string, unknown>) => parseConfig(JSON.stringify({ version: 1, issuers: [issuer], ...doc }), "/etc/pdp.json");

function problems(doc: Record<string, unknown>): string[] {
  try {
    load(doc);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error("expected the config to be refused");
}

describe("time budgets: key fetches and evaluation must fit the decision timeout", () => {
  it("control: the defaults fit (2 × 1500 ms + 250 ms ≤ 4000 ms)", () => {
    expect(load({}).config.limits.decisionTimeoutMs).toBe(4000);
  });

  it("refuses a JWKS timeout whose worst case (user + device key fetch) cannot fit, naming both settings", () => {
    expect(problems({ jwks: { timeoutMs: 2000 } })).toEqual([expect.stringMatching(/^jwks\.timeoutMs: .*2 × 2000 ms.*limits\.decisionTimeoutMs \(4000 ms\)/)]);
    expect(problems({ jwks: { timeoutMs: 10000 } })).toHaveLength(1);
  });

  it("accepts the same JWKS timeout with a decision timeout that holds it", () => {
    expect(load({ jwks: { timeoutMs: 2000 }, limits: { decisionTimeoutMs: 4250 } }).config.jwks.timeoutMs).toBe(2000);
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
