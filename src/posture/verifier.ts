import type { PostureProviderConfig } from "../config/schema.js";
import { createMultiIssuerJwtVerifier, type JwtVerifyOptions } from "../identity/jwt-verifier.js";
import type { IdentityFailureCode, VerifiedIdentity } from "../identity/types.js";
import type { PatchBaseline } from "./baseline.js";
import { normalizePosture } from "./normalize.js";
import { LEAST_TRUSTED_POSTURE, type PostureFailureCode, type PostureResult } from "./types.js";

export interface PostureVerifierOptions {
  providers: PostureProviderConfig[];
  maxAgeSeconds: number;
  baseline: PatchBaseline;
  jwt: JwtVerifyOptions;
}

export interface PostureVerifier {
  verify(token: string | undefined, identity: VerifiedIdentity, nowSeconds: number): Promise<PostureResult>;
  hydrate(): Promise<void>;
}

/**
 * Verifies a device-posture JWT with the same checks as user tokens but its own trust list (issuers, keys,
 * audiences, `typ`), so a user token is never accepted as a device token, nor the reverse. Every failure
 * yields the least-trusted posture: a bad device token is a weaker request, not an authentication failure.
 */
export function createPostureVerifier(opts: PostureVerifierOptions): PostureVerifier {
  const byIssuer = new Map(opts.providers.map((p) => [p.issuer, p] as const));
  const jwt = opts.providers.length > 0 ? createMultiIssuerJwtVerifier(opts.providers, opts.jwt) : undefined;

  return {
    hydrate: async () => jwt?.hydrate(),
    async verify(token, identity, nowSeconds) {
      if (token === undefined || token === "") return untrusted("device_token_missing", "no device token presented");
      if (!jwt) return untrusted("device_token_provider_unknown", "no device-posture provider is configured");
      const checked = await jwt.verify(token);
      if (!checked.ok) return untrusted(deviceFailureCode(checked.code), `${checked.code}: ${checked.message}`, checked.fingerprint);
      const provider = byIssuer.get(checked.trust.issuer);
      const fingerprint = checked.fingerprint;
      const jti = typeof checked.payload.jti === "string" ? checked.payload.jti : undefined;
      if (!provider) return untrusted("device_token_provider_unknown", "issuer is not a posture provider", fingerprint);

      // Posture describes one user's device: it only counts for the user (of the issuer) whose token came with it.
      if (!isBoundTo(provider.binding, checked.payload, identity)) {
        return untrusted("device_binding_mismatch", `device token is bound to another user (claim \`${provider.binding.deviceClaim}\`)`, fingerprint, jti);
      }

      const normalized = normalizePosture({
        providerName: provider.name,
        format: provider.format,
        payload: checked.payload,
        baseline: opts.baseline,
        nowSeconds,
        maxAgeSeconds: opts.maxAgeSeconds,
      });
      if (!normalized.ok) return untrusted(normalized.code, normalized.message, fingerprint, jti);
      return { posture: normalized.posture, tokenFingerprint: fingerprint, ...(jti ? { jti } : {}) };
    },
  };
}

/**
 * The device claim equals the user token's claim, and the user token comes from an issuer this provider
 * binds to (`binding.issuers`; unset only when a single issuer is trusted, which config load enforces).
 */
export function isBoundTo(binding: PostureProviderConfig["binding"], device: Record<string, unknown>, identity: VerifiedIdentity): boolean {
  if (binding.issuers !== undefined && !binding.issuers.includes(identity.issuerName)) return false;
  const deviceValue = device[binding.deviceClaim];
  const userValue = identity.bindingClaims[binding.userClaim];
  return typeof deviceValue === "string" && userValue !== undefined && deviceValue === userValue;
}

/** Two device-token headers: neither copy can be trusted, and the record says that, not "missing". */
export function duplicatedDeviceToken(): PostureResult {
  return untrusted("device_token_duplicated", "the device-token header was sent more than once");
}

/** The JWT gate's reason, renamed for a device token so each rejection keeps its own code in the audit record. */
export function deviceFailureCode(code: IdentityFailureCode): PostureFailureCode {
  switch (code) {
    case "token_issuer_unknown":
      return "device_token_provider_unknown";
    case "token_expired":
      return "device_token_expired";
    case "jwks_unavailable":
      return "device_keys_unavailable";
    case "token_missing":
    case "token_use_invalid":
      // Not produced by the generic gate (user-token rules); kept total rather than guessed.
      return "device_token_invalid";
    default:
      return `device_${code}`;
  }
}

function untrusted(code: PostureFailureCode, message: string, tokenFingerprint?: string, jti?: string): PostureResult {
  return {
    posture: structuredClone(LEAST_TRUSTED_POSTURE),
    failure: { code, message },
    ...(tokenFingerprint ? { tokenFingerprint } : {}),
    ...(jti ? { jti } : {}),
  };
}
