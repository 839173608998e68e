import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../src/config/load.js";
import { ROOT } from "../support/local-config.js";

// The `trustProvider` section is validated with the rest of the config, every problem listed at load time.

function withTrustProvider(edit: (tp: Record<string, unknown>, doc: Record<string, unknown>) => void): string {
  const doc = parse(readFileSync(join(ROOT, "config/pdp.yaml"), "utf8")) as Record<string, unknown>;
  edit(doc.trustProvider as Record<string, unknown>, doc);
  return stringify(doc);
}

function problems(text: string): string[] {
  try {
    parseConfig(text, "/tmp/pdp.yaml");
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe("trustProvider config", () => {
  it("the bundled development section is valid and fills in the defaults", () => {
    const { config } = parseConfig(withTrustProvider(() => undefined), "/tmp/pdp.yaml");
    expect(config.trustProvider).toMatchObject({
      upstream: { issuer: "dev-idp", clientSecretEnv: "ZTPDP_TP_UPSTREAM_CLIENT_SECRET", idTokenTypes: ["JWT"], tokenEndpointAuthMethod: "client_secret_basic" },
      signing: { source: "env", env: "ZTPDP_TP_SIGNING_KEYS" },
      lifetimes: { codeSeconds: 60, accessTokenSeconds: 900 },
      claims: { maxGroups: 100, maxBytes: 10240 },
      requireDevice: false,
    });
  });

  it("refuses an upstream issuer that names no entry of `issuers`", () => {
    expect(problems(withTrustProvider((tp) => ((tp.upstream as Record<string, unknown>).issuer = "okta")))).toEqual([
      "trustProvider.upstream.issuer: no entry of `issuers` is named `okta`",
    ]);
  });

  it("refuses plain http outside development, and to a non-loopback host within it", () => {
    const noDev = problems(withTrustProvider((_tp, doc) => (doc.development = { allowInsecureLoopbackJwks: false })));
    expect(noDev).toContain("trustProvider.issuer: plain http is refused (set development.allowInsecureLoopbackJwks for loopback only)");
    const remote = problems(withTrustProvider((tp) => (tp.issuer = "http://tp.example.com")));
    expect(remote).toEqual(["trustProvider.issuer: plain http is allowed only to loopback, not `tp.example.com`"]);
  });

  it("refuses a client listed twice, a secret that is not a sha256, a claim budget above AVA's 11 KB and an unknown key", () => {
    const text = withTrustProvider((tp) => {
      const client = (tp.clients as Record<string, unknown>[])[0]!;
      tp.clients = [client, { ...client, clientSecretSha256: "secret" }];
      tp.claims = { maxBytes: 20000 };
      tp.sessionSeconds = 60;
    });
    const found = problems(text).join("\n");
    expect(found).toContain("trustProvider.clients.1.clientSecretSha256");
    expect(found).toContain("trustProvider.claims.maxBytes");
    expect(found).toContain("sessionSeconds");
    const dup = problems(withTrustProvider((tp) => (tp.clients = [(tp.clients as unknown[])[0], (tp.clients as unknown[])[0]])));
    expect(dup).toEqual(["trustProvider.clients.1.clientId: `ava-dev` is listed twice"]);
  });
});
