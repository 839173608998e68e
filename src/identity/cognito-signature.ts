import { CognitoJwtVerifier } from "aws-jwt-verify/cognito-verifier";
import type { JwksCache } from "aws-jwt-verify/jwk";
import type { IssuerConfig, JwtTrustConfig } from "../config/schema.js";
import { IdentityConfigError } from "./errors.js";
import type { SignatureCheck, SignatureCheckFactory } from "./jwt-verifier.js";

/**
 * Cognito user pool tokens are checked by aws-jwt-verify's `CognitoJwtVerifier`, which knows their rules:
 * the issuer derived from the user pool id (both the original `cognito-idp.<region>` and the updated
 * `issuer-cognito-idp.<region>` form, https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_IssuerConfigurationType.html),
 * `token_use` (`access` or `id`), and the app client id (`client_id` in access tokens, `aud` in ID tokens,
 * https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-verifying-a-jwt.html).
 * It runs after our own gate (size, strict decoding, header, `exp` required, lifetime), in place of the
 * generic signature step, with our JWKS cache underneath:
 *
 * - keys come from the issuer's configured `jwksUri` (the preset's default is the pool's own
 *   `<issuer>/.well-known/jwks.json`; overriding it, e.g. to a loopback server in tests, is honoured);
 * - key objects come from our per-JWK transformer instead of the library's cache keyed by `kid`, so a
 *   key replaced upstream under the same `kid` stops verifying when our JWKS cache refreshes.
 */
export const cognitoSignatureCheck: SignatureCheckFactory = (trust, keys): SignatureCheck | undefined => {
  const issuer = trust as JwtTrustConfig & Partial<IssuerConfig>;
  if (issuer.preset !== "cognito") return undefined;
  const userPoolId = issuer.tenant?.userPoolId;
  if (typeof userPoolId !== "string") throw new IdentityConfigError(`Cognito issuer \`${trust.issuer}\` has no tenant.userPoolId`);
  // The library passes its own decomposed JWT type, which carries what our cache reads (`header`).
  type Jwt = Parameters<typeof keys.cache.getJwk>[1];
  const jwksCache: JwksCache = {
    getJwk: (_uri, jwt) => keys.cache.getJwk(trust.jwksUri, jwt as unknown as Jwt),
    getCachedJwk: (_uri, jwt) => keys.cache.getCachedJwk(trust.jwksUri, jwt as unknown as Jwt),
    addJwks: () => undefined,
    getJwks: () => keys.cache.getJwks(trust.jwksUri),
  };
  const verifier = CognitoJwtVerifier.create(
    { userPoolId, tokenUse: issuer.tokenUse ?? "access", clientId: [...(issuer.clientIds ?? [])], graceSeconds: keys.graceSeconds },
    { jwksCache },
  );
  // The library keeps key objects in a private `publicKeyCache` keyed by issuer + kid + alg, cleared only by
  // `cacheJwks`. Route it through our transformer (keyed by JWK object, so refreshed key sets get fresh keys).
  // If a library version renames the field, refuse to start rather than silently keep stale keys
  // (test/identity/presets/cognito.test.ts replaces a key under the same kid).
  const internals = verifier as unknown as Record<string, unknown>;
  if (typeof internals.publicKeyCache !== "object" || internals.publicKeyCache === null) {
    throw new IdentityConfigError("aws-jwt-verify's CognitoJwtVerifier changed: cannot attach the JWKS cache's key objects");
  }
  internals.publicKeyCache = {
    transformJwkToKeyObjectAsync: keys.toKeyObject,
    transformJwkToKeyObjectSync: () => {
      throw new Error("synchronous verification is not used");
    },
    clearCache: () => undefined,
  };
  return async (token) => {
    await verifier.verify(token);
  };
};
