import {
  issuerSchema,
  jwksSchema,
  jwtTrustSchema,
  limitsSchema,
  type IssuerConfig,
  type JwksConfig,
  type JwtTrustConfig,
  type LimitsConfig,
} from "../../src/config/schema.js";

/**
 * Configuration fragments for tests, always passed through the real zod schemas so defaults and
 * validation are the production ones.
 */

export const TEST_AUDIENCE = "api://zt-pdp";

export function testLimits(overrides: Partial<LimitsConfig> = {}): LimitsConfig {
  return limitsSchema.parse(overrides);
}

export function testJwksConfig(overrides: Partial<JwksConfig> = {}): JwksConfig {
  return jwksSchema.parse(overrides);
}

/** A trust entry for a JWKS server (`issuer` and `jwksUri` from it). */
export function trustFor(
  server: { issuer: string; jwksUri: string },
  overrides: Partial<JwtTrustConfig> = {},
): JwtTrustConfig {
  return jwtTrustSchema.parse({
    issuer: server.issuer,
    jwksUri: server.jwksUri,
    audiences: [TEST_AUDIENCE],
    types: ["JWT"],
    ...overrides,
  });
}

/** A user-token issuer for a JWKS server. `principal` / `services` overrides go through the schema defaults. */
export function issuerFor(
  server: { issuer: string; jwksUri: string },
  overrides: Record<string, unknown> = {},
): IssuerConfig {
  return issuerSchema.parse({
    name: "test-idp",
    tokenUse: "access",
    issuer: server.issuer,
    jwksUri: server.jwksUri,
    audiences: [TEST_AUDIENCE],
    types: ["at+jwt", "JWT"],
    ...overrides,
  });
}
