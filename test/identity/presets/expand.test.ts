import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../../src/config/load.js";
import type { IssuerConfig } from "../../../src/config/schema.js";

/** Preset expansion and the issuer rules, through the real loader (`parseConfig`). */

const load = (issuers: unknown[], extra: Record<string, unknown> = {}) => parseConfig(JSON.stringify({ version: 1, issuers, ...extra }), "/x/pdp.yaml").config;
const issuer = (entry: Record<string, unknown>): IssuerConfig => load([{ name: "idp", ...entry }]).issuers[0] as IssuerConfig;
function problems(issuers: unknown[], extra: Record<string, unknown> = {}): string[] {
  try {
    load(issuers, extra);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

const GENERIC = { name: "corp", issuer: "https://idp.example", jwksUri: "https://idp.example/jwks", audiences: ["api"], types: ["at+jwt"], tokenUse: "access" };

describe("preset expansion", () => {
  it("cognito: issuer, both issuer forms, JWKS, no typ, no aud, cognito:groups, pool-prefixed principal", () => {
    const c = issuer({ preset: "cognito", tenant: { userPoolId: "us-east-1_AbC" }, clientIds: ["client1"] });
    expect(c).toMatchObject({
      preset: "cognito",
      issuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC",
      issuerAliases: ["https://issuer-cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC"],
      jwksUri: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC/.well-known/jwks.json",
      types: [],
      acceptMissingTyp: true,
      audiences: [],
      tokenUse: "access",
      groupClaim: "cognito:groups",
      principal: { entityIdPrefix: "us-east-1_AbC", principalIdClaim: "sub" },
      services: { clientIdClaims: ["client_id"], match: "sub-is-client-id" },
    });
  });

  it("okta: access tokens read the client from cid and the user from uid; ID tokens use aud and sub", () => {
    const access = issuer({ preset: "okta", tenant: { domain: "acme.okta.com" } });
    expect(access).toMatchObject({ issuer: "https://acme.okta.com/oauth2/default", jwksUri: "https://acme.okta.com/oauth2/default/v1/keys", audiences: ["api://default"], clientIdClaim: "cid", principal: { principalIdClaim: "uid" } });
    const id = issuer({ preset: "okta", tenant: { domain: "acme.okta.com", authorizationServerId: "aus1" }, tokenUse: "id", clientIds: ["0oa1"] });
    expect(id).toMatchObject({ issuer: "https://acme.okta.com/oauth2/aus1", audiences: ["0oa1"], principal: { principalIdClaim: "sub" }, services: { enabled: false } });
    expect(id.clientIdClaim).toBeUndefined();
  });

  it("entra v1.0: sts.windows.net issuer, appid, ver 1.0", () => {
    const e = issuer({ preset: "entra", tenant: { tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47", tokenVersion: 1 }, audiences: ["api://orders"] });
    expect(e).toMatchObject({
      issuer: "https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/",
      jwksUri: "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/discovery/keys",
      clientIdClaim: "appid",
      requiredClaims: [{ claim: "ver", oneOf: ["1.0"], code: "token_use_invalid" }, { claim: "tid", oneOf: ["72f988bf-86f1-41af-91ab-2d7cd011db47"] }],
      groupOverageClaims: ["hasgroups"],
    });
  });

  it("every preset value can be overridden; principal and services merge key by key", () => {
    const o = issuer({
      preset: "okta",
      tenant: { domain: "acme.okta.com" },
      types: ["at+jwt"],
      acceptMissingTyp: false,
      jwksUri: "https://keys.internal.example/okta.json",
      groupClaim: "okta_groups",
      principal: { entityIdPrefix: "okta" },
      services: { enabled: false },
    });
    expect(o).toMatchObject({ types: ["at+jwt"], acceptMissingTyp: false, jwksUri: "https://keys.internal.example/okta.json", groupClaim: "okta_groups" });
    expect(o.principal).toMatchObject({ entityIdPrefix: "okta", principalIdClaim: "uid" });
    expect(o.services).toMatchObject({ enabled: false, clientIdClaims: ["cid"] });
  });

  it("an entry without preset is the generic issuer, exactly as written", () => {
    const g = issuer(GENERIC);
    expect(g).toMatchObject({ preset: "generic", types: ["at+jwt"], acceptMissingTyp: false, issuerAliases: [], requiredClaims: [] });
    expect(g.clientIdClaim).toBeUndefined();
  });
});

describe("issuer rules", () => {
  it("identity-center is refused with what to do instead (it issues no token an API can verify)", () => {
    expect(problems([{ name: "idc", preset: "identity-center", tenant: { instanceArn: "arn:aws:sso:::instance/ssoins-1" } }])).toEqual([
      expect.stringMatching(/^issuers\.0\.preset: IAM Identity Center issues no token an API behind API Gateway can verify.*Verified Access/),
    ]);
  });

  it("google refuses access tokens (they are opaque)", () => {
    expect(problems([{ name: "g", preset: "google", tokenUse: "access", clientIds: ["c"] }])).toEqual([expect.stringMatching(/^issuers\.0\.tokenUse: google issues no access token/)]);
  });

  it("tenant values are validated with their path, and only the other problems of that entry are kept", () => {
    const list = problems([{ name: "c", preset: "cognito", tenant: { userPoolId: "not-a-pool" } }, { ...GENERIC, name: "g2", audiences: [] }]);
    expect(list).toEqual([expect.stringMatching(/^issuers\.0\.tenant\.userPoolId: a user pool id looks like/), expect.stringMatching(/^issuers\.1\.audiences:/)]);
  });

  it("a cognito issuer's issuer URL cannot be overridden (aws-jwt-verify derives it from the pool id)", () => {
    expect(problems([{ name: "c", preset: "cognito", tenant: { userPoolId: "us-east-1_AbC" }, clientIds: ["x"], issuer: "https://evil.example" }])[0]).toMatch(
      /^issuers\.0\.issuer: cannot be overridden for cognito/,
    );
  });

  it("cognito needs client ids; others need audiences; client ids need the claim that holds them", () => {
    expect(problems([{ name: "c", preset: "cognito", tenant: { userPoolId: "us-east-1_AbC" } }])).toEqual([expect.stringMatching(/^issuers\.0\.clientIds: a Cognito issuer needs/)]);
    expect(problems([{ name: "k", preset: "keycloak", tenant: { baseUrl: "https://sso.example", realm: "r" } }])).toEqual([expect.stringMatching(/^issuers\.0\.audiences:/)]);
    expect(problems([{ ...GENERIC, clientIds: ["x"] }])).toEqual([expect.stringMatching(/^issuers\.0\.clientIds: accepted client ids need `clientIdClaim`/)]);
  });

  it("no typ is accepted only when an entry says so; the generic issuer stays strict", () => {
    const { types: _t, ...withoutTypes } = GENERIC;
    expect(problems([withoutTypes])).toEqual([expect.stringMatching(/^issuers\.0\.types: no token type is accepted/)]);
    expect(problems([{ ...GENERIC, types: [] }])).toHaveLength(1);
    expect(issuer({ ...GENERIC, types: [], acceptMissingTyp: true }).acceptMissingTyp).toBe(true);
  });

  it("tenant values without a preset are refused", () => {
    expect(problems([{ ...GENERIC, tenant: { domain: "x" } }])).toEqual([expect.stringMatching(/^issuers\.0\.tenant:/)]);
  });

  it("refuses algorithms the verifier cannot verify, naming the supported ones (one list decides)", () => {
    expect(problems([{ ...GENERIC, algorithms: ["RS256", "PS256"] }])).toEqual([
      "issuers.0.algorithms.1: algorithm `PS256` is not supported by the verifier (supported: RS256, RS384, RS512, ES256, ES384, ES512, EdDSA)",
    ]);
    expect(problems([], { devicePosture: { providers: [{ name: "m", format: "jamf", issuer: "https://m", jwksUri: "https://m/k", audiences: ["d"], types: ["JWT"], algorithms: ["HS256"], binding: { deviceClaim: "sub", userClaim: "sub" } }] } }).join()).toMatch(
      /devicePosture\.providers\.0\.algorithms\.0: algorithm `HS256` is not supported/,
    );
  });

  it("one attribute has one type across issuers (one schema serves them all)", () => {
    const a = { ...GENERIC, principal: { entityIdPrefix: "corp", attributes: { level: "Long" } } };
    const b = { ...GENERIC, name: "b", issuer: "https://b.example", principal: { entityIdPrefix: "b", attributes: { level: { claim: "lvl", type: "String" } } } };
    expect(problems([a, b])).toEqual([expect.stringMatching(/^issuers\.1\.principal\.attributes\.level: `User\.level` is String here but Long/)]);
  });

  it("an issuer alias may not be another entry's issuer", () => {
    const google = { name: "g", preset: "google", clientIds: ["c"], principal: { entityIdPrefix: "g" } };
    expect(problems([google, { ...GENERIC, issuer: "accounts.google.com", principal: { entityIdPrefix: "corp" } }])).toEqual([expect.stringMatching(/^issuers\.0\.issuerAliases: `accounts\.google\.com` is already used by issuers\.1/)]);
  });
});
