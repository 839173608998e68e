/**
 * What an adapter passes on for AWS Verified Access, beyond the plain `AccessRequest`: the signed
 * `x-amzn-ava-user-context` header (an identity source, src/identity/ava-header) and the request facts
 * AVA puts in `context.http_request` (trust-data-default-context.html) that the rest of the PDP never
 * reads: the raw path and query, `X-Forwarded-For`, the port.
 */
export interface AvaRequestFields {
  /** The header's value; `""` when it was sent more than once (then it is refused, never picked). */
  userContext?: string;
  path?: string;
  query?: string;
  forwardedFor?: string;
  port?: number;
}

/** The header AVA adds after it authenticated the user (user-claims-passing.html). */
export const AVA_USER_CONTEXT_HEADER = "x-amzn-ava-user-context";
