import type { z } from "zod";

/**
 * Rules across the fields of one issuer entry. They run even when another field of the entry is invalid
 * (`when: () => true`), so one pass lists every problem; hence the defensive reads of a possibly partial value.
 */
export function refineIssuer(value: unknown, ctx: z.core.$RefinementCtx): void {
  const v = (value ?? {}) as Record<string, unknown>;
  const list = (key: string): unknown[] => (Array.isArray(v[key]) ? (v[key] as unknown[]) : []);
  const preset = typeof v.preset === "string" ? v.preset : "generic";
  const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });

  // RFC 8725 §3.11: explicit typing. "No typ" is accepted only when someone decided so.
  if (list("types").length === 0 && v.acceptMissingTyp !== true) {
    issue("types", "no token type is accepted: list the `typ` values, or set `acceptMissingTyp` for an IdP that sends none");
  }
  if (preset === "cognito") {
    // aws-jwt-verify's Cognito verifier checks `client_id` (access) or `aud` (ID token) against these.
    if (list("clientIds").length === 0) issue("clientIds", "a Cognito issuer needs the app client ids whose tokens it accepts");
    return;
  }
  // RFC 7519 §4.1.3 / RFC 9068 §4: a token must name this API, not merely some client of the same IdP.
  if (list("audiences").length === 0) issue("audiences", "list the `aud` values that name this API (at least one)");
  if (list("clientIds").length > 0 && typeof v.clientIdClaim !== "string") {
    issue("clientIds", "accepted client ids need `clientIdClaim`, the claim that holds the client id");
  }
}
