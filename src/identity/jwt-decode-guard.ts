import { parseStrictJsonObject } from "./strict-json.js";
import type { IdentityFailureCode } from "./types.js";

/**
 * The first gate a token passes: size, shape, encoding. Nothing here trusts the token; it only makes sure
 * that what later code (and aws-jwt-verify, which decodes base64 leniently) reads is unambiguous.
 */

export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  /** base64url signature; may be empty (an unsecured `alg: none` token), which the caller refuses. */
  signature: string;
}

export type DecodeResult =
  | ({ ok: true } & DecodedJwt)
  /** `header` is set when only the payload failed, so the caller can still report the (raw) `kid`. */
  | { ok: false; code: IdentityFailureCode; message: string; header?: Record<string, unknown> };

/** Unpadded base64url (RFC 7515 §2: JWS compact serialization omits `=` padding). */
const B64URL_SEGMENT = /^[A-Za-z0-9_-]+$/;

// fatal: invalid UTF-8 throws instead of becoming U+FFFD (two byte strings must not decode alike).
// ignoreBOM: keep a leading BOM in the text, so JSON.parse rejects it (RFC 8259 §8.1 forbids it).
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export function decodeJwtStrict(token: string, maxTokenBytes: number): DecodeResult {
  // Size first, before any split, regex or decode: parsing cost must not depend on attacker input size.
  // Every accepted character is ASCII, so UTF-16 length >= byte length for anything we would accept;
  // Buffer.byteLength keeps the limit in bytes for everything else.
  if (token.length > maxTokenBytes || Buffer.byteLength(token, "utf8") > maxTokenBytes) {
    return fail("token_too_large", `token is larger than ${maxTokenBytes} bytes`);
  }
  if (token.length === 0) return fail("token_malformed", "token is empty");
  const parts = token.split(".");
  if (parts.length === 5) return fail("token_malformed", "encrypted tokens (JWE) are not accepted");
  if (parts.length !== 3) return fail("token_malformed", "token does not have exactly 3 parts");
  const [h, p, s] = parts as [string, string, string];
  // An empty signature is let through here so that `alg: none` is reported as such by the header check.
  for (const [name, segment] of [["header", h], ["payload", p], ["signature", s]] as const) {
    if (name === "signature" && segment === "") continue;
    if (!isCanonicalBase64url(segment)) return fail("token_malformed", `${name} is not canonical base64url`);
  }

  const header = decodeJsonSegment(h);
  if (!header.ok) return fail("token_malformed", `header: ${header.reason}`);
  const payload = decodeJsonSegment(p);
  if (!payload.ok) return fail("token_malformed", `payload: ${payload.reason}`, header.value);
  return { ok: true, header: header.value, payload: payload.value, signature: s };
}

/**
 * Strict base64url: alphabet only, no padding, no whitespace, and canonical (the unused low bits of the last
 * character are zero), so exactly one string encodes given bytes. Node's decoder accepts all of those.
 */
export function isCanonicalBase64url(segment: string): boolean {
  if (!B64URL_SEGMENT.test(segment) || segment.length % 4 === 1) return false;
  return Buffer.from(segment, "base64url").toString("base64url") === segment;
}

function decodeJsonSegment(segment: string): { ok: true; value: Record<string, unknown> } | { ok: false; reason: string } {
  let text: string;
  try {
    text = utf8.decode(Buffer.from(segment, "base64url"));
  } catch {
    return { ok: false, reason: "not valid UTF-8" };
  }
  const parsed = parseStrictJsonObject(text);
  return parsed;
}

function fail(
  code: IdentityFailureCode,
  message: string,
  header?: Record<string, unknown>,
): DecodeResult {
  return header === undefined ? { ok: false, code, message } : { ok: false, code, message, header };
}
