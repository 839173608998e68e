import type { IdentityFailureCode } from "./types.js";

/**
 * Errors of the identity layer, in one file (the aws-jwt-verify habit): an abstract base and one leaf per
 * kind, so callers branch with `instanceof`. Request-path failures never escape the verifiers: they are
 * turned into `{ ok: false, code }` values. Only `IdentityConfigError` is thrown to callers, at start-up.
 */
export abstract class IdentityError extends Error {
  override name = this.constructor.name;
}

/** Bad configuration (e.g. a plain-http JWKS URI): thrown while constructing a verifier, never per request. */
export class IdentityConfigError extends IdentityError {}

/** A JWKS download failed (network, status, time-out, size, content type, not a key set). */
export class JwksFetchError extends IdentityError {}

/**
 * A token is rejected with a known reason code. Thrown from inside the aws-jwt-verify call path (our
 * `JwksCache` implementation), caught by the verifier and turned into a result value.
 */
export class JwtRejectedError extends IdentityError {
  constructor(
    readonly code: IdentityFailureCode,
    message: string,
  ) {
    super(message);
  }
}
