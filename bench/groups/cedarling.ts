import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { startFixture, type Fixture } from "../fixture.js";
import { measure, type Measurement } from "../measure.js";

/**
 * peer.cedarling: Janssen's Cedarling (npm @janssenproject/cedarling_wasm), a Cedar PDP compiled to wasm
 * that verifies JWTs itself. Offline: initialised with the wasm bytes and a local policy store whose two
 * trusted issuers (the benchmark IdP and MDM) publish OIDC discovery and JWKS on 127.0.0.1. Signed path:
 * `authorize_multi_issuer` with the same user and device tokens as decision.full.
 *
 * Cedarling's model is tokens-as-entities (no User/Group principal), so the reference wiki policy is
 * restated over token claims: an Employees member reading the wiki from a managed device. Measured with
 * the same tokens repeated (its token cache on) and with a fresh pair of tokens per call.
 */

const require = createRequire(import.meta.url);

const SCHEMA = `
namespace Idp {
  entity TrustedIssuer = { issuer_entity_id: Ztpdp::Url };
  entity Access_Token = { token_type: String, jti: String, iss: TrustedIssuer, validated_at: Long, exp: Long, sub?: String } tags Set<String>;
}
namespace Mdm {
  entity TrustedIssuer = { issuer_entity_id: Ztpdp::Url };
  entity Access_Token = { token_type: String, jti: String, iss: TrustedIssuer, validated_at: Long, exp: Long, sub?: String } tags Set<String>;
}
namespace Ztpdp {
  type Url = { host: String, path: String, protocol: String };
  entity Any;
  entity Route = { application: String, classification: String };
  action "GET" appliesTo { principal: [Any], resource: [Route], context: Context };
}
type Context = {
  tokens: { idp_access_token?: Idp::Access_Token, mdm_access_token?: Mdm::Access_Token, total_token_count: Long }
};`;

const WIKI_POLICY = `permit (principal, action == Ztpdp::Action::"GET", resource is Ztpdp::Route)
when {
  resource.application == "wiki" &&
  context has tokens && context.tokens has idp_access_token && context.tokens has mdm_access_token &&
  context.tokens.idp_access_token.hasTag("groups") &&
  context.tokens.idp_access_token.getTag("groups").contains("Employees") &&
  context.tokens.mdm_access_token.hasTag("risk") &&
  context.tokens.mdm_access_token.getTag("risk").contains("LOW")
};`;

interface CedarlingInstance {
  authorize_multi_issuer(request: string): Promise<{ decision: boolean; json_string(): string; free?(): void }>;
}

async function createCedarling(fixture: Fixture): Promise<CedarlingInstance> {
  const pkg = dirname(require.resolve("@janssenproject/cedarling_wasm/package.json"));
  const mod = (await import(join(pkg, "cedarling_wasm.js"))) as {
    default: (init: { module_or_path: Uint8Array }) => Promise<unknown>;
    init: (config: Record<string, unknown>) => Promise<CedarlingInstance>;
  };
  await mod.default({ module_or_path: readFileSync(join(pkg, "cedarling_wasm_bg.wasm")) });
  const issuer = (name: string, discovery: string) => ({
    name,
    description: `benchmark ${name}`,
    openid_configuration_endpoint: discovery,
    token_metadata: { access_token: { entity_type_name: `${name}::Access_Token` } },
  });
  const store = {
    cedar_version: "v4.0.0",
    policy_stores: {
      ztpdp: {
        cedar_version: "v4.0.0",
        name: "ZtPdpBenchmark",
        trusted_issuers: {
          Idp: issuer("Idp", `${fixture.issuer}/.well-known/openid-configuration`),
          Mdm: issuer("Mdm", `${fixture.deviceIssuer}/.well-known/openid-configuration`),
        },
        policies: {
          "wiki-employees-read": { description: "wiki read", creation_date: "2026-01-01T00:00:00Z", policy_content: { encoding: "none", content_type: "cedar", body: WIKI_POLICY } },
        },
        schema: { encoding: "none", content_type: "cedar", body: SCHEMA },
      },
    },
  };
  return mod.init({
    CEDARLING_APPLICATION_NAME: "ztpdp-bench",
    CEDARLING_POLICY_STORE_LOCAL: JSON.stringify(store),
    CEDARLING_LOG_TYPE: process.env.CEDARLING_DEBUG ? "memory" : "off",
    CEDARLING_LOG_TTL: 120,
    CEDARLING_LOG_LEVEL: "DEBUG",
    CEDARLING_JWT_SIG_VALIDATION: "enabled",
    CEDARLING_JWT_STATUS_VALIDATION: "disabled",
    CEDARLING_JWT_SIGNATURE_ALGORITHMS_SUPPORTED: ["RS256", "ES256"],
  });
}

function request(userToken: string, deviceToken: string): string {
  return JSON.stringify({
    tokens: [
      { mapping: "Idp::Access_Token", payload: userToken },
      { mapping: "Mdm::Access_Token", payload: deviceToken },
    ],
    action: 'Ztpdp::Action::"GET"',
    resource: { cedar_entity_mapping: { entity_type: "Ztpdp::Route", id: "/wiki/{page}" }, application: "wiki", classification: "internal" },
    context: {},
  });
}

export async function cedarlingGroup(iterations: number): Promise<Measurement[]> {
  const fixture = await startFixture();
  const cedarling = await createCedarling(fixture);
  const same = request(fixture.userToken(), fixture.deviceToken());
  const first = await cedarling.authorize_multi_issuer(same);
  if (!first.decision) {
    // CEDARLING_DEBUG=1: keep Cedarling's own logs in memory and show them when the request is not allowed.
    const logs = process.env.CEDARLING_DEBUG ? JSON.stringify((cedarling as unknown as { pop_logs(): unknown[] }).pop_logs()).slice(0, 6000) : "";
    throw new Error(`cedarling did not allow the benchmark request: ${first.json_string().slice(0, 400)} ${logs}`);
  }
  // And it must really evaluate: the same request from outside the Employees group is denied.
  const outsider = await cedarling.authorize_multi_issuer(request(fixture.userToken({ groups: ["Contractors"] }), fixture.deviceToken()));
  if (outsider.decision) throw new Error("cedarling allowed a non-employee: the peer policy is not being evaluated");
  const call = async (req: string) => {
    const r = await cedarling.authorize_multi_issuer(req);
    r.free?.();
  };
  const out = [await measure("peer.cedarling.same-token", () => call(same), { warmup: 500, iterations, note: "same tokens (Cedarling's token cache, on by default)" })];
  const fresh = Array.from({ length: 2_000 }, (_, i) => request(fixture.userToken({ sub: `u${i}` }), fixture.deviceToken(`u${i}`)));
  out.push(await measure("peer.cedarling.fresh-token", (i) => call(fresh[i % fresh.length] as string), { warmup: 0, iterations: fresh.length, note: "new user and device token per call" }));
  await fixture.close();
  return out;
}
