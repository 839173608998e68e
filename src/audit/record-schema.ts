import { z } from "zod";
import type { ReasonCode } from "../decision/types.js";
import type { LoginAuditRecord } from "../trust-provider/audit.js";
import { AUDIT_SCHEMA, type AuditRecord } from "./record.js";

/**
 * The audit record as a contract: a zod schema with exactly the type of `AuditRecord` (checked by the
 * compiler below), from which the committed JSON Schema (schemas/audit-record/<version>.json) is
 * generated with zod's `z.toJSONSchema`. Consumers (a SIEM, a data lake) validate against that file;
 * the test suite validates every record it produces against it (test/support/audit-contract.ts).
 *
 * Changing the record means changing this schema (the compiler insists) and then the JSON Schema
 * (`npm run schema:audit`), which refuses to rewrite a published version: bump AUDIT_SCHEMA.
 */

const str = z.string();
const text = (description: string) => z.string().meta({ description });

/**
 * Reason codes are lowercase snake case and stable (dashboards key on them); the set grows as checks are
 * added, so the contract states their form, not today's list (`ReasonCode` in src/decision/types.ts).
 */
const reasonCode = z.string().regex(/^[a-z][a-z0-9_]*$/) as unknown as z.ZodType<ReasonCode>;

export const auditRecordSchema = z
  .strictObject({
    schema: z.literal(AUDIT_SCHEMA),
    decisionId: text("unique per decision; also in the integration context (`decisionId`)"),
    timestamp: z.iso.datetime().meta({ description: "when the decision was made (UTC, ISO 8601)" }),
    requestId: text("API Gateway's request id").optional(),
    outcome: z.enum(["allow", "deny", "unauthenticated", "error"]),
    effect: z.enum(["allow", "deny"]),
    principal: z.strictObject({ type: str, id: str }).nullable().meta({ description: "the Cedar principal; null when no identity was verified" }),
    groups: z.array(str).meta({ description: "every group a policy names, then a bounded remainder, in token order" }),
    groupCount: z.number().int().min(0).meta({ description: "how many groups the token carried" }),
    groupsOmitted: z.number().int().min(0).meta({ description: "how many of them are not listed in `groups`" }),
    identity: z.strictObject({
      issuer: text("config name of the issuer (never a value taken from the token)").optional(),
      claimedIssuer: text("the unverified `iss` of a refused token").optional(),
      kind: z.enum(["user", "service"]).optional(),
      tokenUse: str.optional(),
      mfa: z.boolean().optional(),
      tokenFingerprint: text("sha256 (hex) of the bearer token: correlates without being replayable").optional(),
      jti: str.optional(),
      kid: str.optional(),
      groupsUnavailable: z.enum(["groups_overage", "groups_claim_absent"]).meta({ description: "the IdP left groups out: the decision saw none" }).optional(),
      attributesUntrusted: z.array(str).meta({ description: "principal attributes whose claim had the wrong type (least-trusted value used)" }).optional(),
    }),
    device: z.strictObject({
      verified: z.boolean(),
      provider: str,
      managed: z.boolean(),
      compliant: z.boolean(),
      os: str,
      patched: z.boolean(),
      riskLevel: str,
      edrScore: z.number(),
      ageSeconds: z.number(),
      tokenFingerprint: str.optional(),
      jti: str.optional(),
      untrustedReason: text("why a presented device token was not trusted (a reason code)").optional(),
    }),
    action: str,
    resource: z.strictObject({ type: str, id: str, application: str.optional(), classification: str.optional() }).nullable(),
    request: z.strictObject({
      method: str,
      route: text("the API Gateway route template, never the raw path"),
      host: str.optional(),
      sourceIp: str.optional(),
      vpceId: str.optional(),
      userAgent: str.optional(),
    }),
    determiningPolicies: z.array(str).meta({ description: "@id of the policies that decided" }),
    errors: z.array(z.strictObject({ code: reasonCode, message: str, policyId: str.optional() })),
    policyRevision: str,
    engine: str,
    latencyUs: z.number().meta({ description: "decision time in microseconds" }),
    trustProvider: z
      .strictObject({ risk: str.optional(), sessionExpiresAt: z.number().optional(), clientAuth: str.optional() })
      .meta({ description: "on records of the Verified Access trust provider (sign-ins, token grants) only" })
      .optional(),
  })
  .meta({ title: "zt-pdp audit record", description: "One record per authorization decision, whatever the outcome." });

/**
 * The compiler's half of the contract: the schema describes exactly the records the code writes, no more,
 * no less: the authorizers' `AuditRecord`, and the trust provider's, which adds `trustProvider`.
 */
type Exactly<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Flat<T> = { [K in keyof T]: T[K] };
type Written = Flat<AuditRecord & { trustProvider?: LoginAuditRecord["trustProvider"] }>;
const sameShape: Exactly<z.infer<typeof auditRecordSchema>, Written> = true;
void sameShape;

/** `ztpdp.audit/v1` → `v1`: the file name of the version's JSON Schema. */
export const auditSchemaVersion = (id: string = AUDIT_SCHEMA): string => id.slice(id.lastIndexOf("/") + 1);

/** The JSON Schema (draft 2020-12) consumers validate records against. */
export function auditRecordJsonSchema(): Record<string, unknown> {
  return {
    $id: `urn:zt-pdp:audit-record:${auditSchemaVersion()}`,
    ...z.toJSONSchema(auditRecordSchema, { target: "draft-2020-12", io: "output" }),
  };
}
