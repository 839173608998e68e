export { parseAuthorizationHeader, type BearerResult } from "./bearer.js";
export { IdentityConfigError, IdentityError, JwksFetchError, JwtRejectedError } from "./errors.js";
export { tokenFingerprint } from "./fingerprint.js";
export { createIdentityVerifier, type IdentityVerifier } from "./identity-verifier.js";
export { MFA_ACR_VALUES, MFA_AMR_VALUES } from "./identity-claims.js";
export {
  createMultiIssuerJwtVerifier,
  type JwtCheckResult,
  type JwtVerifyOptions,
  type MultiIssuerJwtVerifier,
} from "./jwt-verifier.js";
export type { IdentityFailureCode, IdentityResult, VerifiedIdentity } from "./types.js";
