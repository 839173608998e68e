import type { IssuerConfig } from "../config/schema.js";
import { cognitoSignatureCheck } from "./cognito-signature.js";
import { IdentityConfigError } from "./errors.js";
import { mapVerifiedClaims } from "./identity-claims.js";
import { buildAttributeCatalog } from "./principal-attributes.js";
import { createMultiIssuerJwtVerifier, type JwtVerifyOptions } from "./jwt-verifier.js";
import type { IdentityResult } from "./types.js";

export interface IdentityVerifier {
  /** Verify the caller's bearer token (already extracted, see `parseAuthorizationHeader`). Never throws. */
  verify(token: string | undefined): Promise<IdentityResult>;
  /** Prefetch every issuer's JWKS at cold start; never rejects. */
  hydrate(): Promise<void>;
}

/**
 * User (and machine) tokens: the generic JWT gate with the user-token issuers, then the typed claim mapping.
 * Build it once at cold start (construction throws `IdentityConfigError` on bad configuration) and reuse
 * it, so the JWKS cache survives between invocations.
 */
export function createIdentityVerifier(issuers: IssuerConfig[], opts: JwtVerifyOptions): IdentityVerifier {
  const jwt = createMultiIssuerJwtVerifier(issuers, { ...opts, signatureCheck: cognitoSignatureCheck });
  const now = opts.now ?? Date.now;
  // Every principal carries every attribute its entity type has, whichever issuer verified it.
  const { catalog, problems } = buildAttributeCatalog(issuers);
  if (problems.length > 0) throw new IdentityConfigError(problems.join("; "));

  // The audit record's `identity.issuer` is always a configured name; the raw `iss` stays `claimedIssuer`.
  const nameOfIss = new Map(issuers.map((i) => [i.issuer, i.name] as const));

  async function verify(token: string | undefined): Promise<IdentityResult> {
    if (token === undefined) return { ok: false, code: "token_missing", message: "no bearer token" };
    const checked = await jwt.verify(token);
    if (!checked.ok) {
      const { ok, code, message, fingerprint, kid, issuer } = checked;
      const result: IdentityResult = { ok, code, message, tokenFingerprint: fingerprint };
      if (kid !== undefined) result.kid = kid;
      if (issuer !== undefined) {
        result.claimedIssuer = issuer;
        const name = nameOfIss.get(issuer);
        if (name !== undefined) result.issuerName = name;
      }
      return result;
    }
    const mapped = mapVerifiedClaims(checked.payload, checked.trust, opts.limits, checked.fingerprint, now(), catalog);
    if (!mapped.ok) {
      const result: IdentityResult = { ...mapped, tokenFingerprint: checked.fingerprint, issuerName: checked.trust.name };
      if (typeof checked.header.kid === "string") result.kid = checked.header.kid;
      return result;
    }
    return mapped;
  }

  return { verify, hydrate: () => jwt.hydrate() };
}
