import type { IdentityVerifierPort } from "../../decision/decide.js";
import type { AvaHeaderVerifier } from "./verifier.js";

/**
 * The authorizer's identity sources with AVA's signed header added: a request that carries the header is
 * identified by it alone (it is what Verified Access vouched for on this very request; a bearer token
 * sent alongside is not looked at, so the two can never be mixed); any other request by its bearer token.
 * A header that fails verification is a 401 with its reason, never a fall back to the bearer token.
 */
export function withAvaHeaderSource(bearer: IdentityVerifierPort, header: AvaHeaderVerifier): IdentityVerifierPort {
  return {
    verify(token, request) {
      const signed = request?.ava?.userContext;
      return signed !== undefined ? header.verify(signed) : bearer.verify(token, request);
    },
  };
}
