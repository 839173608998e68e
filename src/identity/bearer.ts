/**
 * `Authorization: Bearer <token>` (RFC 6750 §2.1). The scheme is case-insensitive (RFC 9110 §11.1); the
 * rest is strict: exactly one header value (two could be read differently by API Gateway, a proxy and us),
 * one space, one token in the b64token alphabet, nothing else.
 */

export type BearerResult =
  | { ok: true; token: string }
  | { ok: false; code: "token_missing" | "token_malformed"; message: string };

/** RFC 6750 §2.1 b64token. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

export function parseAuthorizationHeader(values: string[] | undefined): BearerResult {
  if (values === undefined || values.length === 0) return { ok: false, code: "token_missing", message: "no `Authorization` header" };
  if (values.length > 1) return { ok: false, code: "token_malformed", message: "more than one `Authorization` header" };
  const value = values[0]!;
  if (value === "") return { ok: false, code: "token_missing", message: "empty `Authorization` header" };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\uffff]/.test(value)) {
    return { ok: false, code: "token_malformed", message: "`Authorization` header contains control or non-ASCII characters" };
  }
  const parts = value.split(" ");
  if (parts.length !== 2 || parts[0] === "" || parts[1] === "") {
    return { ok: false, code: "token_malformed", message: "`Authorization` header is not `Bearer <token>`" };
  }
  const [scheme, token] = parts as [string, string];
  if (scheme.toLowerCase() !== "bearer") return { ok: false, code: "token_malformed", message: "authorization scheme is not `Bearer`" };
  if (!B64TOKEN.test(token)) return { ok: false, code: "token_malformed", message: "bearer token has characters outside the token alphabet" };
  return { ok: true, token };
}
