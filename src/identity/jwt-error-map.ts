import {
  CognitoJwtInvalidClientIdError,
  CognitoJwtInvalidTokenUseError,
  FetchError,
  JwkInvalidKtyError,
  JwkInvalidUseError,
  JwkValidationError,
  JwksValidationError,
  JwtExpiredError,
  JwtInvalidAudienceError,
  JwtInvalidIssuerError,
  JwtInvalidSignatureAlgorithmError,
  JwtInvalidSignatureError,
  JwtNotBeforeError,
  JwtParseError,
  JwtWithoutValidKidError,
  KidNotFoundInJwksError,
  ParameterValidationError,
} from "aws-jwt-verify/error";
import { JwksFetchError, JwtRejectedError } from "./errors.js";
import type { IdentityFailureCode } from "./types.js";

/**
 * Turn whatever the signature step threw into a reason code and a message we wrote ourselves (library
 * messages may quote the `kid` or claim values verbatim). Anything unrecognised is a signature failure:
 * fail closed, never allow.
 */
export function mapVerifyError(err: unknown): { code: IdentityFailureCode; message: string } {
  if (err instanceof JwtRejectedError) return { code: err.code, message: err.message };
  const table: [new (...args: never[]) => Error, IdentityFailureCode, string][] = [
    [JwtInvalidSignatureError, "token_signature_invalid", "signature is invalid"],
    // CognitoJwtVerifier (the Cognito preset): `token_use` and the app client id.
    [CognitoJwtInvalidTokenUseError, "token_use_invalid", "claim `token_use` is not the expected token use"],
    [CognitoJwtInvalidClientIdError, "token_client_invalid", "the app client id is not accepted"],
    [JwtInvalidSignatureAlgorithmError, "token_alg_not_allowed", "algorithm does not match the key"],
    [JwkInvalidUseError, "token_alg_not_allowed", "key is not a signing key"],
    [JwkInvalidKtyError, "token_alg_not_allowed", "key type cannot verify this algorithm"],
    [JwkValidationError, "token_signature_invalid", "key is not usable"],
    [KidNotFoundInJwksError, "token_kid_unknown", "no trusted key has this `kid`"],
    [JwtWithoutValidKidError, "token_header_invalid", "header `kid` is missing"],
    [JwtExpiredError, "token_expired", "token has expired"],
    [JwtNotBeforeError, "token_not_yet_valid", "token is not valid yet"],
    [JwtInvalidIssuerError, "token_issuer_unknown", "issuer is not accepted"],
    [JwtInvalidAudienceError, "token_audience_invalid", "audience is not accepted"],
    [JwtParseError, "token_malformed", "token could not be parsed"],
    // The Cognito verifier's issuer lookup; our own issuer selection refuses these first.
    [ParameterValidationError, "token_issuer_unknown", "issuer is not accepted"],
    [JwksValidationError, "jwks_unavailable", "signing keys are not a valid key set"],
    [JwksFetchError, "jwks_unavailable", "signing keys could not be fetched"],
    [FetchError, "jwks_unavailable", "signing keys could not be fetched"],
  ];
  for (const [cls, code, message] of table) {
    if (err instanceof cls) return { code, message };
  }
  const kind = err instanceof Error ? err.name : typeof err;
  return { code: "token_signature_invalid", message: `signature could not be verified (${kind})` };
}
