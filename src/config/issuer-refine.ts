import type { z } from "zod";

/**
 * Rules across the fields of one issuer entry. They run even when another field of the entry is invalid
 * (`when: () => true`), so one pass lists every problem; hence the defensive reads of a possibly partial value.
 */
export function refineIssuer(value: unknown, ctx: z.core.$RefinementCtx): void {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return; // the object schema reports it
  const v = value as Record<string, unknown>;
  const list = (key: string): unknown[] => (Array.isArray(v[key]) ? (v[key] as unknown[]) : []);
  const preset = typeof v.preset === "string" ? v.preset : "generic";
  const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });

  if (preset === "generic" && v.tenant !== undefined) issue("tenant", "tenant values need a `preset`; a generic issuer sets its fields directly");
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
  // For a preset's ID tokens the client ids are the audiences (OIDC Core §2: `aud` contains the client id).
  const idTokenAudiences = preset !== "generic" && v.tokenUse === "id";
  if (list("clientIds").length > 0 && typeof v.clientIdClaim !== "string" && !idTokenAudiences) {
    issue("clientIds", "accepted client ids need `clientIdClaim`, the claim that holds the client id");
  }
}
